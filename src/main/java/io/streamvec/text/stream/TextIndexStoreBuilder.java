package io.streamvec.text.stream;

import io.streamvec.kafka.WorkingCopyStoreBuilder;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;

/** Builds a {@link TextIndexStore} over a changelogged RocksDB store of the same name, keyed by source id. */
public final class TextIndexStoreBuilder extends WorkingCopyStoreBuilder<String, TextIndexStore> {

    private final TextIndexSettings settings;

    public TextIndexStoreBuilder(String name, TextIndexSettings settings) {
        super(name, Serdes.String(), "the text index");
        this.settings = settings;
    }

    @Override
    protected TextIndexStore create(String name, KeyValueStore<String, byte[]> rows) {
        return new TextIndexStore(name, rows, settings);
    }
}
