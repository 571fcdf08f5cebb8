package io.streamvec.text.stream;

import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds a {@link TextIndexStore} over a changelogged RocksDB store of the same name: its changelog topic is
 * {@code <application.id>-<name>-changelog} (compacted, as every key-value store's), and standby replicas work
 * as for any store.
 */
public final class TextIndexStoreBuilder implements StoreBuilder<TextIndexStore> {

    private final String name;
    private final TextIndexSettings settings;
    private Map<String, String> logConfig = Map.of();

    public TextIndexStoreBuilder(String name, TextIndexSettings settings) {
        this.name = name;
        this.settings = settings;
    }

    @Override
    public TextIndexStoreBuilder withCachingEnabled() {
        throw new UnsupportedOperationException("the text index keeps its own working copy: no cache");
    }

    @Override
    public TextIndexStoreBuilder withCachingDisabled() {
        return this;
    }

    @Override
    public TextIndexStoreBuilder withLoggingEnabled(Map<String, String> config) {
        this.logConfig = Map.copyOf(config);
        return this;
    }

    @Override
    public TextIndexStoreBuilder withLoggingDisabled() {
        throw new UnsupportedOperationException("the text index must be changelogged to be fault-tolerant");
    }

    @Override
    public TextIndexStore build() {
        KeyValueStore<String, byte[]> rows = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name),
                        Serdes.String(), Serdes.ByteArray())
                .withLoggingEnabled(logConfig)
                .withCachingDisabled()
                .build();
        return new TextIndexStore(name, rows, settings);
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
