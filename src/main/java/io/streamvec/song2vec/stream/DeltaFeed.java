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

    /**
     * One record of the feed: where it is (topic, partition, offset), its raw key and value, and the delta read from it, or (when the bytes
     * cannot be read) null and the reason. An unreadable record is returned, never dropped, so that the
     * replica can dead-letter it in the transaction that moves its position past it.
     */
    record Received(String topic, int partition, long offset, byte[] key, byte[] value, ModelDelta delta,
                    RuntimeException unreadable) {

        public static Received read(String topic, int partition, long offset, byte[] key, byte[] value,
                                    ModelDelta delta) {
            return new Received(topic, partition, offset, key, value, delta, null);
        }

        public static Received unreadable(String topic, int partition, long offset, byte[] key, byte[] value,
                                          RuntimeException why) {
            return new Received(topic, partition, offset, key, value, null, why);
        }
    }

    /** The records published (and committed) since the last call; may be empty, never blocks for long. */
    List<Received> poll();

    /** The position after the deltas returned so far. */
    long position();

    @Override
    void close();
}
