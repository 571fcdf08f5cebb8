package io.streamvec.song2vec.stream;

import io.streamvec.song2vec.model.NeighborIndex;
import io.streamvec.song2vec.model.SgnsConfig;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds a {@link SongModelStore} over a changelogged RocksDB store of the same name, so the changelog
 * topic is {@code <application.id>-<name>-changelog} and standby replicas work as for any store.
 */
public final class SongModelStoreBuilder implements StoreBuilder<SongModelStore> {

    private final String name;
    private final SgnsConfig config;
    private final InitialVectors initVectors;
    private final int queryBatch;
    private Map<String, String> logConfig = Map.of();

    public SongModelStoreBuilder(String name, SgnsConfig config) {
        this(name, config, null);
    }

    /** With {@code initVectors} (null: none), a model with no state starts from that file ({@link InitialVectors}). */
    public SongModelStoreBuilder(String name, SgnsConfig config, InitialVectors initVectors) {
        this(name, config, initVectors, NeighborIndex.DEFAULT_QUERY_BATCH);
    }

    /** With at most {@code queryBatch} concurrent nearest-neighbour queries scanned together. */
    public SongModelStoreBuilder(String name, SgnsConfig config, InitialVectors initVectors, int queryBatch) {
        this.name = name;
        this.config = config;
        this.initVectors = initVectors;
        this.queryBatch = queryBatch;
    }

    @Override
    public SongModelStoreBuilder withCachingEnabled() {
        throw new UnsupportedOperationException("the song model store keeps its own working copy: no cache");
    }

    @Override
    public SongModelStoreBuilder withCachingDisabled() {
        return this;
    }

    @Override
    public SongModelStoreBuilder withLoggingEnabled(Map<String, String> config) {
        this.logConfig = Map.copyOf(config);
        return this;
    }

    @Override
    public SongModelStoreBuilder withLoggingDisabled() {
        throw new UnsupportedOperationException("the song model must be changelogged to be fault-tolerant");
    }

    @Override
    public SongModelStore build() {
        KeyValueStore<Integer, byte[]> rows = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name),
                        Serdes.Integer(), Serdes.ByteArray())
                .withLoggingEnabled(logConfig)
                .withCachingDisabled()
                .build();
        return new SongModelStore(name, rows, config, initVectors, queryBatch);
    }

    @Override
    public Map<String, String> logConfig() {
        return logConfig;
    }

    @Override
    public boolean loggingEnabled() {
        return true;
    }

    @Override
    public String name() {
        return name;
    }
}
