package io.streamvec.song2vec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both training strategies against the reference they replace: one {@link SgnsTrainer} fed each playlist
 * whole (which {@link IncrementalTrainingTest} shows equals any chunking). The sequential strategy and the
 * Hogwild one with every playlist on the same worker are bit-identical to it; on several workers Hogwild
 * races by design, so that case checks what it promises: every event trained, every context written back.
 */
class TrainingStrategyTest {

    private static final long SEED = 5;

    /** A playlist store that keeps contexts serialised, as the task's store does. */
    static final class StoredContexts implements TrainingStrategy.PlaylistContexts {
        final Map<String, byte[]> stored = new HashMap<>();

        @Override
        public PlaylistContext get(String playlistId) {
            byte[] bytes = stored.get(playlistId);
            return bytes == null ? null : PlaylistContext.fromBytes(bytes);
        }

        @Override
        public void put(String playlistId, PlaylistContext context) {
            stored.put(playlistId, context.toBytes());
        }
    }

    /** A playlist of IncrementalTrainingTest's vocabulary, and whether its last event says it is complete. */
    record Playlist(String id, int[] rows, boolean complete) {}

    /** 60 playlists; two in three complete, the others are left waiting (and flushed as idle). */
    private static List<Playlist> playlists(List<String> ids) {
        Random rnd = new Random(11);
        List<Playlist> playlists = new ArrayList<>();
        for (int p = 0; p < ids.size(); p++) {
            int[] rows = new int[1 + rnd.nextInt(40)];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = rnd.nextInt(IncrementalTrainingTest.VOCAB);
            }
            playlists.add(new Playlist(ids.get(p), rows, p % 3 != 0));
        }
        return playlists;
    }

    private static List<String> ids(int count, int workers, int worker) {
        List<String> ids = new ArrayList<>();
        for (int k = 0; ids.size() < count; k++) {
            String id = "p" + k;
            if (worker < 0 || Math.floorMod(id.hashCode(), workers) == worker) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** The reference: one trainer, each playlist whole, then flushed; its contexts by playlist. */
    private static Map<String, PlaylistContext> reference(SgnsModel model, long workerSeed, List<Playlist> playlists) {
        SgnsTrainer trainer = new SgnsTrainer(model, workerSeed);
        Map<String, PlaylistContext> contexts = new HashMap<>();
        for (Playlist p : playlists) {
            PlaylistContext ctx = trainer.newContext(Rng.hash(model.config.seed, p.id().hashCode()));
            trainer.train(ctx, p.rows(), 0, p.rows().length);
            trainer.flush(ctx);
            contexts.put(p.id(), ctx);
        }
        trainer.sync();
        return contexts;
    }

    /**
     * Feeds each playlist in events of 1..3 songs through the strategy; the incomplete ones are flushed as
     * idle. Returns the events fed; {@code trained} counts those trained.
     */
    private static int feed(TrainingStrategy training, SgnsConfig.Mode mode, List<Playlist> playlists,
                            AtomicInteger trained) {
        Random rnd = new Random(7);
        int events = 0;
        for (Playlist p : playlists) {
            int[] rows = p.rows();
            for (int off = 0; off < rows.length; ) {
                int len = Math.min(rows.length - off, 1 + rnd.nextInt(3));
                boolean last = off + len == rows.length;
                boolean waiting = training.train(p.id(), Arrays.copyOfRange(rows, off, off + len), len,
                        last && p.complete(), trained::incrementAndGet);
                events++;
                if (last && p.complete() || mode == SgnsConfig.Mode.SKIP_GRAM) {
                    assertFalse(waiting, "nothing waits in a complete playlist, or in skip-gram");
                }
                off += len;
            }
            if (!p.complete()) {
                training.flush(p.id());
            }
        }
        return events;
    }

    private static void assertSameContexts(Map<String, PlaylistContext> expected, StoredContexts actual) {
        assertEquals(expected.keySet(), actual.stored.keySet());
        expected.forEach((id, ctx) -> assertArrayEquals(ctx.toBytes(), actual.stored.get(id), "context of " + id));
    }

    @ParameterizedTest
    @EnumSource(SgnsConfig.Mode.class)
    void sequentialTrainingIsTheReferenceTrainer(SgnsConfig.Mode mode) {
        SgnsConfig cfg = IncrementalTrainingTest.config(mode);
        List<Playlist> playlists = playlists(ids(60, 1, -1));
        SgnsModel expected = IncrementalTrainingTest.newModel(cfg);
        Map<String, PlaylistContext> expectedContexts = reference(expected, SEED, playlists);

        SgnsModel model = IncrementalTrainingTest.newModel(cfg);
        StoredContexts contexts = new StoredContexts();
        AtomicInteger trained = new AtomicInteger();
        try (TrainingStrategy training = TrainingStrategy.create(model, 1, SEED, "test", contexts)) {
            assertInstanceOf(SequentialTraining.class, training);
            int events = feed(training, mode, playlists, trained);
            assertEquals(events, trained.get(), "trained before train() returns");
            assertSameContexts(expectedContexts, contexts);

            training.settle();
            assertArrayEquals(expected.syn0, model.syn0);
            assertArrayEquals(expected.syn1neg, model.syn1neg);
            assertEquals(expected.tokens(), model.tokens() + training.unsyncedTokens());

            Playlist last = playlists.get(playlists.size() - 1);
            List<String> retained = Arrays.stream(expectedContexts.get(last.id()).retainedSongs())
                    .mapToObj(row -> "s" + row).toList();
            assertEquals(retained, training.recentSongs(last.id(), List.of("ignored")),
                    "the continuation starts from the playlist's retained songs");
        }
    }

    @ParameterizedTest
    @EnumSource(SgnsConfig.Mode.class)
    void hogwildTrainingWithOneBusyWorkerIsTheReferenceTrainer(SgnsConfig.Mode mode) {
        SgnsConfig cfg = IncrementalTrainingTest.config(mode);
        int threads = 3;
        int worker = 1;
        List<Playlist> playlists = playlists(ids(60, threads, worker)); // all on one worker
        SgnsModel expected = IncrementalTrainingTest.newModel(cfg);
        Map<String, PlaylistContext> expectedContexts = reference(expected, SEED * 31 + worker, playlists);

        SgnsModel model = IncrementalTrainingTest.newModel(cfg);
        StoredContexts contexts = new StoredContexts();
        AtomicInteger trained = new AtomicInteger();
        try (TrainingStrategy training = TrainingStrategy.create(model, threads, SEED, "test", contexts)) {
            assertInstanceOf(HogwildTraining.class, training);
            int events = feed(training, mode, playlists, trained);
            assertTrue(contexts.stored.isEmpty(), "contexts stay in flight until the strategy settles");

            training.settle();
            assertEquals(events, trained.get(), "every event trained once settled");
            assertSameContexts(expectedContexts, contexts);
            assertArrayEquals(expected.syn0, model.syn0);
            assertArrayEquals(expected.syn1neg, model.syn1neg);
            assertEquals(expected.tokens(), model.tokens());
            assertEquals(0, training.unsyncedTokens());
        }
    }

    @Test
    void hogwildTrainingOnSeveralWorkersTrainsEveryEventOnItsPlaylistsWorker() {
        // no subsampling: which songs are kept then does not depend on the order the workers count them in
        SgnsConfig cfg = SgnsConfig.builder().mode(SgnsConfig.Mode.CBOW).dim(8).window(4).negative(3).alpha(0.05f)
                .sample(0).minCount(1).capacity(64).seed(3).build();
        List<Playlist> playlists = playlists(ids(200, 1, -1));
        Map<String, PlaylistContext> expectedContexts = reference(IncrementalTrainingTest.newModel(cfg), SEED, playlists);

        SgnsModel model = IncrementalTrainingTest.newModel(cfg);
        StoredContexts contexts = new StoredContexts();
        Map<String, Set<String>> threadsByPlaylist = new ConcurrentHashMap<>();
        AtomicInteger trained = new AtomicInteger();
        try (HogwildTraining training = new HogwildTraining(model, 4, SEED, "test", contexts)) {
            Random rnd = new Random(3);
            int events = 0;
            long songs = 0;
            for (Playlist p : playlists) {
                for (int off = 0; off < p.rows().length; ) {
                    int len = Math.min(p.rows().length - off, 1 + rnd.nextInt(3));
                    boolean last = off + len == p.rows().length;
                    String id = p.id();
                    boolean waiting = training.train(id, Arrays.copyOfRange(p.rows(), off, off + len), len,
                            last && p.complete(), () -> {
                                threadsByPlaylist.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet())
                                        .add(Thread.currentThread().getName());
                                trained.incrementAndGet();
                            });
                    assertEquals(!(last && p.complete()), waiting, "CBOW songs may wait until the playlist completes");
                    events++;
                    off += len;
                }
                songs += p.rows().length;
                if (!p.complete()) {
                    training.flush(p.id());
                }
            }
            List<String> eventSongs = List.of("a", "b", "c", "d", "e", "f");
            assertEquals(List.of("c", "d", "e", "f"), training.recentSongs("p0", eventSongs),
                    "while the context trains, the continuation starts from the event's last window songs");

            training.settle();
            assertEquals(events, trained.get());
            assertEquals(songs, model.tokens(), "every song counted once settled");
            Set<String> threads = new HashSet<>();
            threadsByPlaylist.forEach((id, names) -> {
                assertEquals(1, names.size(), id + " trained on one thread: " + names);
                threads.addAll(names);
            });
            assertEquals(4, threads.size(), "all workers busy: " + threads);
            assertTrue(threads.stream().allMatch(name -> name.startsWith("test-trainer-")), threads.toString());
            for (Playlist p : playlists) {
                PlaylistContext expected = expectedContexts.get(p.id());
                PlaylistContext actual = contexts.get(p.id());
                assertEquals(expected.rawPosition(), actual.rawPosition(), p.id());
                assertEquals(expected.keptPosition(), actual.keptPosition(), p.id());
                assertEquals(expected.trainedUpTo(), actual.trainedUpTo(), p.id() + ": flushed");
            }
            int[][] dirty = training.drainDirtyRows();
            assertTrue(dirty[0].length > 0 && dirty[1].length > 0);
            assertTrue(Arrays.stream(dirty[0]).allMatch(row -> row < IncrementalTrainingTest.VOCAB));
        }
    }

    @Test
    void settlingRethrowsAWorkersFailure() {
        SgnsModel model = IncrementalTrainingTest.newModel(IncrementalTrainingTest.config(SgnsConfig.Mode.CBOW));
        try (TrainingStrategy training = TrainingStrategy.create(model, 2, SEED, "test", new StoredContexts())) {
            training.train("p", new int[] {1, 2, 3}, 3, true, () -> {
                throw new IllegalArgumentException("boom");
            });
            IllegalStateException e = assertThrows(IllegalStateException.class, training::settle);
            assertInstanceOf(IllegalArgumentException.class, e.getCause());
            training.settle(); // the failure is reported once
        }
    }
}
