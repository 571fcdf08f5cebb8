package io.streamvec.song2vec.stream;

import io.streamvec.avro.ModelDelta;
import java.util.List;

/**
 * The model deltas every replica publishes, read in order by one replica (see {@link ModelSync}). The
 * position is stored with the replica's durable model, so that after a restore each delta is applied
 * exactly once.
 */
public interface DeltaFeed extends AutoCloseable {

    /** Opens a feed for one replica (task). */
    @FunctionalInterface
    interface Factory {
        DeltaFeed open(String replica);
    }

    /** Whether other replicas exist to exchange deltas with (the playlist topic has several partitions). */
    boolean shared();

    /** Continues from {@code position} (0: from the first delta still retained). */
    void seek(long position);

    /** The deltas published (and committed) since the last call; may be empty, never blocks for long. */
    List<ModelDelta> poll();

    /** The position after the deltas returned so far. */
    long position();

    @Override
    void close();
}
