package io.streamvec.song2vec.stream;

import io.streamvec.kafka.WorkingCopyStoreBuilder;
import io.streamvec.song2vec.model.NeighborIndex;
import io.streamvec.song2vec.model.SgnsConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;

/** Builds a {@link SongModelStore} over a changelogged RocksDB store of the same name, keyed by song row. */
public final class SongModelStoreBuilder extends WorkingCopyStoreBuilder<Integer, SongModelStore> {

    private final SgnsConfig config;
    private final InitialVectors initVectors;
    private final int queryBatch;

    public SongModelStoreBuilder(String name, SgnsConfig config) {
        this(name, config, null);
    }

    /** With {@code initVectors} (null: none), a model with no state starts from that file ({@link InitialVectors}). */
    public SongModelStoreBuilder(String name, SgnsConfig config, InitialVectors initVectors) {
        this(name, config, initVectors, NeighborIndex.DEFAULT_QUERY_BATCH);
    }

    /** With at most {@code queryBatch} concurrent nearest-neighbour queries scanned together. */
    public SongModelStoreBuilder(String name, SgnsConfig config, InitialVectors initVectors, int queryBatch) {
        super(name, Serdes.Integer(), "the song model store");
        this.config = config;
        this.initVectors = initVectors;
        this.queryBatch = queryBatch;
    }

    @Override
    protected SongModelStore create(String name, KeyValueStore<Integer, byte[]> rows) {
        return new SongModelStore(name, rows, config, initVectors, queryBatch);
    }
}
