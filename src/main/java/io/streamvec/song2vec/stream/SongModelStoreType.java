package io.streamvec.song2vec.stream;

import io.streamvec.song2vec.model.SongModelView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.internals.StateStoreProvider;

/**
 * Interactive queries on the song model: {@code streams.store(StoreQueryParameters.fromNameAndType(
 * SongStores.MODEL, new SongModelStoreType()))} returns a view over every local task's model.
 */
public final class SongModelStoreType implements QueryableStoreType<SongModelView> {

    /** The local song model of {@code streams}, waiting while its store is not queryable (start-up, rebalance). */
    public static SongModelView query(KafkaStreams streams, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return streams.store(StoreQueryParameters.fromNameAndType(SongStores.MODEL,
                        new SongModelStoreType()));
            } catch (InvalidStateStoreException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    @Override
    public boolean accepts(StateStore stateStore) {
        return stateStore instanceof SongModelStore;
    }

    @Override
    public SongModelView create(StateStoreProvider provider, String storeName) {
        return new Composite(() -> provider.stores(storeName, this));
    }

    /** Answers from the local model that knows the song (the largest first); all local events added up. */
    private record Composite(java.util.function.Supplier<List<SongModelView>> stores) implements SongModelView {

        private List<SongModelView> ordered() {
            List<SongModelView> all = new ArrayList<>(stores.get());
            all.sort(Comparator.comparingInt(SongModelView::vocabularySize).reversed());
            return all;
        }

        /** The answer of the first local model (largest first) that has one. */
        private <T> Optional<T> firstAnswer(Function<SongModelView, Optional<T>> query) {
            return ordered().stream().map(query).flatMap(Optional::stream).findFirst();
        }

        @Override
        public Optional<List<Neighbor>> similar(String songId, int k) {
            return firstAnswer(store -> store.similar(songId, k));
        }

        @Override
        public Optional<List<Neighbor>> continuation(List<String> recentSongIds, int k) {
            return firstAnswer(store -> store.continuation(recentSongIds, k));
        }

        @Override
        public Optional<SongVector> vector(String songId) {
            return firstAnswer(store -> store.vector(songId));
        }

        @Override
        public Optional<Answer> mostSimilar(List<String> positive, List<String> negative, int k) {
            return firstAnswer(store -> store.mostSimilar(positive, negative, k));
        }

        @Override
        public Optional<Answer> continuationOf(List<String> songIds, int k) {
            return firstAnswer(store -> store.continuationOf(songIds, k));
        }

        @Override
        public List<SongCount> top(int k) {
            List<SongModelView> all = ordered();
            return all.isEmpty() ? List.of() : all.get(0).top(k);
        }

        @Override
        public long count(String songId) {
            return ordered().stream().mapToLong(store -> store.count(songId)).filter(c -> c > 0).findFirst().orElse(0);
        }

        @Override
        public void forEachSong(SongVisitor visitor) {
            List<SongModelView> all = ordered();
            if (!all.isEmpty()) {
                all.get(0).forEachSong(visitor);
            }
        }

        @Override
        public List<String> songIds(int[] rows) {
            List<SongModelView> all = ordered();
            return all.isEmpty() ? List.of() : all.get(0).songIds(rows);
        }

        @Override
        public List<Long> snapshots() {
            return stores.get().stream().flatMap(store -> store.snapshots().stream()).sorted().toList();
        }

        @Override
        public CacheCounts similarCache() {
            long hits = 0;
            long misses = 0;
            for (SongModelView store : stores.get()) {
                CacheCounts counts = store.similarCache();
                hits += counts.hits();
                misses += counts.misses();
            }
            return new CacheCounts(hits, misses);
        }

        @Override
        public int vocabularySize() {
            return ordered().stream().mapToInt(SongModelView::vocabularySize).max().orElse(0);
        }

        @Override
        public long events() {
            return stores.get().stream().mapToLong(SongModelView::events).sum();
        }
    }
}
