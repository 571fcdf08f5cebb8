package io.streamvec.kafka;

import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds a {@link WorkingCopyStore} over a changelogged RocksDB store of the same name: its changelog topic is
 * {@code <application.id>-<name>-changelog} (compacted, as every key-value store's), and standby replicas work
 * as for any store. Such a store keeps its own working copy (no record cache) and must be changelogged to be
 * fault-tolerant: asking otherwise is refused.
 */
public abstract class WorkingCopyStoreBuilder<K, S extends WorkingCopyStore<K>> implements StoreBuilder<S> {

    private final String name;
    private final Serde<K> keySerde;
    private final String what;
    private Map<String, String> logConfig = Map.of();

    /** {@code what} names the store in refusals, e.g. "the text index". */
    protected WorkingCopyStoreBuilder(String name, Serde<K> keySerde, String what) {
        this.name = name;
        this.keySerde = keySerde;
        this.what = what;
    }

    /** The store over its durable rows. */
    protected abstract S create(String name, KeyValueStore<K, byte[]> rows);

    @Override
    public final StoreBuilder<S> withCachingEnabled() {
        throw new UnsupportedOperationException(what + " keeps its own working copy: no cache");
    }

    @Override
    public final StoreBuilder<S> withCachingDisabled() {
        return this;
    }

    @Override
    public final StoreBuilder<S> withLoggingEnabled(Map<String, String> config) {
        this.logConfig = Map.copyOf(config);
        return this;
    }

    @Override
    public final StoreBuilder<S> withLoggingDisabled() {
        throw new UnsupportedOperationException(what + " must be changelogged to be fault-tolerant");
    }

    @Override
    public final S build() {
        KeyValueStore<K, byte[]> rows = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name),
                        keySerde, Serdes.ByteArray())
                .withLoggingEnabled(logConfig)
                .withCachingDisabled()
                .build();
        return create(name, rows);
    }

    @Override
    public final Map<String, String> logConfig() {
        return logConfig;
    }

    @Override
    public final boolean loggingEnabled() {
        return true;
    }

    @Override
    public final String name() {
        return name;
    }
}
