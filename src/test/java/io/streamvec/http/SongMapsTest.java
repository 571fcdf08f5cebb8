package io.streamvec.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.avro.Song;
import io.streamvec.song2vec.model.SongModelView;
import io.streamvec.song2vec.model.SongProjection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Test;

/**
 * The explorer's song map is placed once per model snapshot and limit: repeated and concurrent requests on one
 * snapshot reuse one placing (counted at the projector), a new snapshot is placed again, aligned to the map before
 * it, and only the last few maps are kept.
 */
class SongMapsTest {

    private static final int DIM = 8;
    private static final Function<String, Song> NO_METADATA = id -> null;

    /** Counts the placings, and places as the explorer does (one projection, so each map aligns to the last). */
    private final AtomicInteger placings = new AtomicInteger();
    private final SongProjection projection = new SongProjection(StreamsExplorerQueries.MAP_CLUSTERS, 42);
    private final SongMaps maps = new SongMaps(StreamsExplorerQueries.MAP_CLUSTERS, (ids, vectors) -> {
        placings.incrementAndGet();
        return projection.project(ids, vectors);
    });

    @Test
    void repeatedRequestsOnOneSnapshotArePlacedOnceAndANewSnapshotIsPlacedAgainAlignedToTheLast() {
        FakeModel model = new FakeModel(songs(60, new Random(1)), 7);
        Responses.SongMap first = maps.map(model, NO_METADATA, 50);
        assertEquals(1, placings.get());
        assertEquals(50, first.points().size());
        assertEquals(first, maps.map(model, NO_METADATA, 50), "the same answer");
        assertEquals(first, maps.map(model, NO_METADATA, 50));
        assertEquals(1, placings.get(), "an unchanged snapshot is not placed again");

        List<SongModelView.SongVector> trainedOn = nudged(model.songs, new Random(2));
        model.publish(trainedOn, 8);
        Responses.SongMap second = maps.map(model, NO_METADATA, 50);
        assertEquals(2, placings.get(), "a new snapshot is placed again");
        assertEquals(second, maps.map(model, NO_METADATA, 50));
        assertEquals(2, placings.get());

        // Placed as one projection asked twice places them: the second map turned to match the first.
        SongProjection reference = new SongProjection(StreamsExplorerQueries.MAP_CLUSTERS, 42);
        reference.project(ids(songs(60, new Random(1)), 50), vectors(songs(60, new Random(1)), 50));
        List<SongProjection.Point> expected = reference.project(ids(trainedOn, 50), vectors(trainedOn, 50));
        for (int i = 0; i < expected.size(); i++) {
            Responses.MapPoint p = second.points().get(i);
            assertEquals(expected.get(i).songId(), p.id());
            assertEquals(expected.get(i).x(), p.x(), 1e-6);
            assertEquals(expected.get(i).y(), p.y(), 1e-6);
            assertEquals(expected.get(i).cluster(), p.cluster());
        }

        maps.map(model, NO_METADATA, 20);
        assertEquals(3, placings.get(), "another limit is another map");
        maps.map(model, NO_METADATA, 20);
        maps.map(model, NO_METADATA, 50);
        assertEquals(3, placings.get());
    }

    @Test
    void titlesAndArtistsAreLookedUpAtEveryRequest() {
        FakeModel model = new FakeModel(songs(10, new Random(3)), 7);
        Responses.SongMap untitled = maps.map(model, NO_METADATA, 10);
        assertNull(untitled.points().get(0).title());
        String id = untitled.points().get(0).id();
        Responses.SongMap titled = maps.map(model, songId -> songId.equals(id)
                ? Song.newBuilder().setId(songId).setTitle("Title").setArtist("Artist").build() : null, 10);
        assertEquals(1, placings.get());
        Responses.MapPoint point = titled.points().get(0);
        assertEquals("Title", point.title());
        assertEquals("Artist", point.artist());
        Responses.MapPoint before = untitled.points().get(0);
        assertEquals(List.of(before.id(), before.x(), before.y(), before.cluster(), before.count()),
                List.of(point.id(), point.x(), point.y(), point.cluster(), point.count()));
        assertNull(titled.points().get(1).title());
        assertNull(maps.map(model, NO_METADATA, 10).points().get(0).title(), "the title of the request, not kept");
    }

    @Test
    void concurrentRequestsOnOneSnapshotWaitForOnePlacing() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        SongMaps held = new SongMaps(StreamsExplorerQueries.MAP_CLUSTERS, (ids, vectors) -> {
            placings.incrementAndGet();
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return projection.project(ids, vectors);
        });
        FakeModel model = new FakeModel(songs(40, new Random(4)), 7);
        AtomicReference<Responses.SongMap> firstAnswer = new AtomicReference<>();
        AtomicReference<Responses.SongMap> secondAnswer = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread first = thread(() -> firstAnswer.set(held.map(model, NO_METADATA, 40)), failure);
        first.start();
        entered.await(); // the first request is placing the map
        Thread second = thread(() -> secondAnswer.set(held.map(model, NO_METADATA, 40)), failure);
        second.start();
        // The second request waits: for the first one's placing, or (were it to place the map itself) at the latch.
        while (second.isAlive() && second.getState() != Thread.State.WAITING) {
            Thread.onSpinWait();
        }
        release.countDown();
        first.join();
        second.join();
        assertNull(failure.get());
        assertEquals(1, placings.get(), "one placing for both requests");
        assertEquals(firstAnswer.get(), secondAnswer.get());
        assertEquals(40, firstAnswer.get().points().size());
    }

    @Test
    void aFailedPlacingIsNotKeptAndTheNextRequestPlacesTheMap() {
        InvalidStateStoreException notQueryable = new InvalidStateStoreException("rebalancing");
        SongMaps failingOnce = new SongMaps(StreamsExplorerQueries.MAP_CLUSTERS, (ids, vectors) -> {
            if (placings.incrementAndGet() == 1) {
                throw notQueryable;
            }
            return projection.project(ids, vectors);
        });
        FakeModel model = new FakeModel(songs(10, new Random(5)), 7);
        assertSame(notQueryable, assertThrows(InvalidStateStoreException.class,
                () -> failingOnce.map(model, NO_METADATA, 10)));
        assertEquals(10, failingOnce.map(model, NO_METADATA, 10).points().size());
        assertEquals(2, placings.get());
        failingOnce.map(model, NO_METADATA, 10);
        assertEquals(2, placings.get());
    }

    @Test
    void onlyTheLastFewMapsAreKept() {
        FakeModel model = new FakeModel(songs(20, new Random(6)), 7);
        for (int limit = 1; limit <= SongMaps.KEPT + 1; limit++) {
            maps.map(model, NO_METADATA, limit);
        }
        assertEquals(SongMaps.KEPT + 1, placings.get());
        for (int limit = 2; limit <= SongMaps.KEPT + 1; limit++) {
            maps.map(model, NO_METADATA, limit); // kept
        }
        assertEquals(SongMaps.KEPT + 1, placings.get());
        maps.map(model, NO_METADATA, 1); // the least recently asked went
        assertEquals(SongMaps.KEPT + 2, placings.get());
    }

    @Test
    void aModelWithoutSongsIsAnEmptyMap() {
        FakeModel model = new FakeModel(List.of(), 0);
        Responses.SongMap empty = maps.map(model, NO_METADATA, 100);
        assertTrue(empty.points().isEmpty());
        assertEquals(StreamsExplorerQueries.MAP_CLUSTERS, empty.clusters());
        assertEquals(100, empty.limit());
    }

    private static Thread thread(Runnable request, AtomicReference<Throwable> failure) {
        return new Thread(() -> {
            try {
                request.run();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
    }

    /** Songs of three planted groups, most trained first, as of 100 model updates. */
    private static List<SongModelView.SongVector> songs(int n, Random random) {
        List<SongModelView.SongVector> songs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] v = new float[DIM];
            v[i % 3] = 3f;
            for (int j = 0; j < DIM; j++) {
                v[j] += (float) random.nextGaussian() * 0.3f;
            }
            songs.add(new SongModelView.SongVector("s" + i, 1000 - i, v, 100));
        }
        return songs;
    }

    /** The songs after a little more training. */
    private static List<SongModelView.SongVector> nudged(List<SongModelView.SongVector> songs, Random random) {
        List<SongModelView.SongVector> next = new ArrayList<>();
        for (SongModelView.SongVector s : songs) {
            float[] v = s.vector().clone();
            for (int j = 0; j < DIM; j++) {
                v[j] += (float) random.nextGaussian() * 0.05f;
            }
            next.add(new SongModelView.SongVector(s.songId(), s.count() + 1, v, s.modelUpdates() + 10));
        }
        return next;
    }

    private static List<String> ids(List<SongModelView.SongVector> songs, int limit) {
        return songs.stream().limit(limit).map(SongModelView.SongVector::songId).toList();
    }

    private static List<float[]> vectors(List<SongModelView.SongVector> songs, int limit) {
        return songs.stream().limit(limit).map(SongModelView.SongVector::vector).toList();
    }

    /** A model's query snapshot: its number and its songs, most trained first; a new one is published whole. */
    private static final class FakeModel implements SongModelView {

        private volatile List<SongVector> songs;
        private volatile long snapshot;

        FakeModel(List<SongVector> songs, long snapshot) {
            publish(songs, snapshot);
        }

        void publish(List<SongVector> songs, long snapshot) {
            this.songs = List.copyOf(songs);
            this.snapshot = snapshot;
        }

        @Override
        public List<Long> snapshots() {
            return List.of(snapshot);
        }

        @Override
        public List<SongCount> top(int k) {
            return songs.stream().limit(k).map(s -> new SongCount(s.songId(), s.count())).toList();
        }

        @Override
        public Optional<SongVector> vector(String songId) {
            return songs.stream().filter(s -> s.songId().equals(songId))
                    .map(s -> new SongVector(s.songId(), s.count(), s.vector().clone(), s.modelUpdates()))
                    .findFirst();
        }

        @Override
        public Optional<List<Neighbor>> similar(String songId, int k) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<List<Neighbor>> continuation(List<String> recentSongIds, int k) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Answer> mostSimilar(List<String> positive, List<String> negative, int k) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Answer> continuationOf(List<String> songIds, int k) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long count(String songId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<String> songIds(int[] rows) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void forEachSong(SongVisitor visitor) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int vocabularySize() {
            return songs.size();
        }

        @Override
        public long events() {
            throw new UnsupportedOperationException();
        }
    }
}
