package io.streamvec.http;

import io.streamvec.avro.Song;
import io.streamvec.song2vec.model.SongModelView;
import io.streamvec.song2vec.model.SongProjection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The explorer's song map, placed once per model snapshot and limit. Every open page asks for it every 5 s, and
 * placing the songs (PCA, the alignment to the previous map, k-means: a fraction of a second for thousands of
 * songs) depends on nothing but the model's query snapshot ({@link SongModelView#snapshots()}) and the limit: so
 * the places of the last few (snapshot, limit) pairs are kept, concurrent requests for one pair wait for a single
 * placing, and a new snapshot is placed afresh, aligned to the map placed before it (the {@link Projector} keeps
 * it). Titles and artists are looked up at every request: they come from their own store, which changes apart
 * from the model. Thread-safe.
 */
final class SongMaps {

    /** Places songs (ids and vectors in the same order): {@link SongProjection#project}, or a test's double. */
    @FunctionalInterface
    interface Projector {
        List<SongProjection.Point> project(List<String> ids, List<float[]> vectors);
    }

    /** The (snapshot, limit) pairs whose maps are kept: a few limits on one snapshot, or one and the one before. */
    static final int KEPT = 4;

    private record Key(List<Long> snapshots, int limit) {}

    private final int clusters;
    private final Projector projector;
    /** The maps placed or being placed, without titles and artists, least recently asked first. */
    private final Map<Key, CompletableFuture<Responses.SongMap>> placed =
            new LinkedHashMap<>(KEPT * 2, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Key, CompletableFuture<Responses.SongMap>> eldest) {
                    return size() > KEPT;
                }
            };

    /** {@code clusters}: the clusters the projector colours the map with (the answer names it). */
    SongMaps(int clusters, Projector projector) {
        this.clusters = clusters;
        this.projector = projector;
    }

    /**
     * Up to {@code limit} of the most trained songs of {@code model} placed in 2-D, with the titles and artists
     * {@code metadata} has (null: none) for them.
     */
    Responses.SongMap map(SongModelView model, Function<String, Song> metadata, int limit) {
        Responses.SongMap map = placed(model, limit);
        List<Responses.MapPoint> points = new ArrayList<>(map.points().size());
        for (Responses.MapPoint p : map.points()) {
            Song song = metadata.apply(p.id());
            points.add(song == null ? p
                    : new Responses.MapPoint(p.id(), p.x(), p.y(), p.cluster(), song.getTitle(), song.getArtist(),
                            p.count()));
        }
        return new Responses.SongMap(map.limit(), map.clusters(), map.modelUpdates(), points);
    }

    /** The map of the model's current snapshot: the one kept, the one being placed, or placed now. */
    private Responses.SongMap placed(SongModelView model, int limit) {
        Key key = new Key(model.snapshots(), limit);
        CompletableFuture<Responses.SongMap> mine = new CompletableFuture<>();
        CompletableFuture<Responses.SongMap> theirs;
        synchronized (placed) {
            theirs = placed.putIfAbsent(key, mine);
        }
        if (theirs != null) {
            return await(theirs);
        }
        try {
            // Read after the key: should a newer snapshot answer meanwhile, this map is kept under a key that no
            // later request has, and the next request places the newer snapshot.
            Responses.SongMap map = place(model, limit);
            mine.complete(map);
            return map;
        } catch (RuntimeException | Error e) {
            synchronized (placed) {
                placed.remove(key, mine); // not kept: the next request tries again
            }
            mine.completeExceptionally(e);
            throw e;
        }
    }

    private static Responses.SongMap await(CompletableFuture<Responses.SongMap> map) {
        try {
            return map.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause; // what the placing request failed with (a store not queryable: a 503)
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }

    private Responses.SongMap place(SongModelView model, int limit) {
        List<String> ids = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        Map<String, Long> counts = new HashMap<>();
        long updates = 0;
        for (SongModelView.SongCount top : model.top(limit)) {
            Optional<SongModelView.SongVector> vector = model.vector(top.songId());
            if (vector.isPresent()) {
                ids.add(top.songId());
                vectors.add(vector.get().vector());
                counts.put(top.songId(), vector.get().count());
                updates = Math.max(updates, vector.get().modelUpdates());
            }
        }
        List<Responses.MapPoint> points = new ArrayList<>(ids.size());
        for (SongProjection.Point p : projector.project(ids, vectors)) {
            points.add(new Responses.MapPoint(p.songId(), round(p.x()), round(p.y()), p.cluster(), null, null,
                    counts.get(p.songId())));
        }
        return new Responses.SongMap(limit, clusters, updates, List.copyOf(points));
    }

    /** Six significant decimals are more than a canvas can show, and keep the answer small. */
    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
