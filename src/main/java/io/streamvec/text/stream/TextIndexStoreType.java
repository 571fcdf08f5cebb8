package io.streamvec.text.stream;

import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.internals.StateStoreProvider;

/**
 * Interactive queries on the text index: {@code streams.store(StoreQueryParameters.fromNameAndType(
 * TextStores.TEXT_INDEX, new TextIndexStoreType()))} returns this instance's queryable (active, running) tasks'
 * indexes, one per text-events partition, asked afresh on every call.
 */
public final class TextIndexStoreType implements QueryableStoreType<TextIndexStoreType.LocalIndexes> {

    /** This instance's text indexes now. */
    public record LocalIndexes(Supplier<List<TextIndexView>> stores) {
        public List<TextIndexView> all() {
            return stores.get();
        }
    }

    @Override
    public boolean accepts(StateStore stateStore) {
        return stateStore instanceof TextIndexStore;
    }

    @Override
    public LocalIndexes create(StateStoreProvider provider, String storeName) {
        TextIndexStoreType self = this;
        return new LocalIndexes(() -> List.copyOf(provider.stores(storeName, new QueryableStoreType<TextIndexView>() {
            @Override
            public boolean accepts(StateStore stateStore) {
                return self.accepts(stateStore);
            }

            @Override
            public TextIndexView create(StateStoreProvider p, String n) {
                throw new UnsupportedOperationException();
            }
        })));
    }
}
