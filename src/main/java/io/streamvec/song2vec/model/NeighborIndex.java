package io.streamvec.song2vec.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * An immutable snapshot of a model for queries: the normalised song vectors ({@link TopK}) for
 * nearest-neighbour queries, the raw input vectors and counts as trained (for {@link #vector}), the
 * row-to-song mapping and the events trained at the time of the snapshot, refreshed every
 * {@code song2vec.index.refresh.ms}. With one training thread the snapshot is taken between events; with
 * {@code song2vec.threads > 1} it is copied while trainers write (Hogwild), so a row may mix two updates.
 *
 * <p>The same queries answer over vectors read from a word2vec file ({@link #of(List, long[], float[], int)}),
 * as gensim's {@code KeyedVectors} does.
 */
public final class NeighborIndex {

    /** Queries at most this many scanned together by default ({@link QueryCombiner}). */
    public static final int DEFAULT_QUERY_BATCH = 16;

    /**
     * Rows (with their scores) that a snapshot keeps of its similar-song searches, at most: 8 bytes each, so
     * 2,000,000 are 16 MB ({@code -Dsong2vec.query.cache.entries}; 0: none kept).
     */
    public static final long CACHE_ENTRIES = Long.getLong("song2vec.query.cache.entries", 2_000_000L);

    /** The last {@link #sequence} given. */
    private static final AtomicLong SEQUENCES = new AtomicLong();

    /** A similar-song search of one row as scanned: the first {@code asked} rows (or all there were), best first. */
    private record Scanned(int asked, int[] rows, float[] scores) {}

    private final TopK topK;
    /** The nearest-neighbour searches of concurrent queries, scanned together. */
    private final QueryCombiner search;
    /**
     * Per row, its longest similar-song search so far. A snapshot never changes, so a search for k rows is the
     * first k of any longer search of the same row (the order is total: score, then row), and a repeated query
     * is answered without a scan, exactly as the scan would answer it. Kept until {@link #CACHE_ENTRIES} rows
     * are kept; the next snapshot starts empty.
     */
    private final AtomicReferenceArray<Scanned> scannedRows;
    private final AtomicLong cachedEntries = new AtomicLong();
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder cacheMisses = new LongAdder();
    private final float[] raw;
    private final long[] counts;
    private final String[] ids;
    private final Map<String, Integer> rows;
    private final int dim;
    /** At most this many of the most recent known songs of a list make a continuation (what a playlist retains). */
    private final int recentSongs;
    private final long events;
    public final long builtAtMs;
    /** This snapshot's number: every snapshot built in this JVM gets a larger one than all before it. */
    public final long sequence = SEQUENCES.incrementAndGet();

    private NeighborIndex(TopK topK, int queryBatch, float[] raw, long[] counts, String[] ids,
                          Map<String, Integer> rows, int dim, int recentSongs, long events, long builtAtMs) {
        this.topK = topK;
        this.search = new QueryCombiner(topK, queryBatch);
        this.scannedRows = new AtomicReferenceArray<>(CACHE_ENTRIES > 0 ? topK.rows() : 0);
        this.raw = raw;
        this.counts = counts;
        this.ids = ids;
        this.rows = rows;
        this.dim = dim;
        this.recentSongs = recentSongs;
        this.events = events;
        this.builtAtMs = builtAtMs;
    }

    /** A snapshot of {@code model}, which has trained {@code events} playlist events. */
    public static NeighborIndex of(SgnsModel model, long events, long nowMs) {
        return of(model, events, nowMs, DEFAULT_QUERY_BATCH);
    }

    /**
     * A snapshot of {@code model}, which has trained {@code events} playlist events, whose concurrent queries
     * are scanned together, at most {@code queryBatch} at a time ({@code song2vec.query.batch.max}).
     */
    public static NeighborIndex of(SgnsModel model, long events, long nowMs, int queryBatch) {
        int n = model.vocab.size();
        int dim = model.config.dim;
        String[] ids = new String[n];
        long[] counts = new long[n];
        Map<String, Integer> rows = new HashMap<>(n * 2);
        for (int r = 0; r < n; r++) {
            ids[r] = model.vocab.id(r);
            counts[r] = model.vocab.count(r);
            if (ids[r] != null && counts[r] >= model.config.minCount) {
                rows.put(ids[r], r);
            }
        }
        float[] raw = Arrays.copyOf(model.syn0, n * dim);
        return new NeighborIndex(TopK.of(raw, n, dim), queryBatch, raw, counts, ids, rows, dim,
                PlaylistContext.retained(model.config.window), events, nowMs);
    }

    /**
     * An index over fixed vectors (row {@code r} is {@code vectors[r*dim, (r+1)*dim)}), for instance those of a
     * word2vec file; a repeated id keeps its first row, as gensim does. A continuation uses every song it is given.
     */
    public static NeighborIndex of(List<String> songIds, long[] counts, float[] vectors, int dim) {
        int n = songIds.size();
        if (counts.length != n || vectors.length != n * dim) {
            throw new IllegalArgumentException(n + " songs but " + counts.length + " counts and "
                    + vectors.length + " floats of dimension " + dim);
        }
        Map<String, Integer> rows = new HashMap<>(n * 2);
        for (int r = 0; r < n; r++) {
            rows.putIfAbsent(songIds.get(r), r);
        }
        float[] raw = vectors.clone();
        return new NeighborIndex(TopK.of(raw, n, dim), DEFAULT_QUERY_BATCH, raw, counts.clone(), songIds.toArray(new String[0]), rows,
                dim, Integer.MAX_VALUE, 0, System.currentTimeMillis());
    }

    public int size() {
        return rows.size();
    }

    public int dim() {
        return dim;
    }

    /** The song's input vector (a copy) and count as of the snapshot; empty when the snapshot does not know it. */
    public Optional<SongModelView.SongVector> vector(String songId) {
        Integer row = rows.get(songId);
        if (row == null) {
            return Optional.empty();
        }
        float[] vector = Arrays.copyOfRange(raw, row * dim, (row + 1) * dim);
        return Optional.of(new SongModelView.SongVector(songId, counts[row], vector, events));
    }

    /** How often the model had seen the song when the snapshot was taken; 0 when it does not know it. */
    public long count(String songId) {
        Integer row = rows.get(songId);
        return row == null ? 0 : counts[row];
    }

    public Optional<List<SongModelView.Neighbor>> similar(String songId, int k) {
        Integer row = rows.get(songId);
        if (row == null) {
            return Optional.empty();
        }
        Scanned scanned = scanned(row, k + 1);
        return Optional.of(collect(scanned.rows(), scanned.scores(), k, Set.of(row)));
    }

    /** The first {@code wanted} rows nearest to row {@code row} (itself left out): kept ones, or a scan. */
    private Scanned scanned(int row, int wanted) {
        Scanned kept = CACHE_ENTRIES > 0 ? scannedRows.get(row) : null;
        if (kept != null && kept.asked() >= wanted) {
            cacheHits.increment();
            int n = Math.min(wanted, kept.rows().length);
            return n == kept.rows().length ? kept : new Scanned(wanted, Arrays.copyOf(kept.rows(), n),
                    Arrays.copyOf(kept.scores(), n));
        }
        cacheMisses.increment();
        float[] scores = new float[wanted];
        int[] best = search.nearest(topK.unitRow(row, new float[dim]), 0, wanted, row, scores);
        Scanned fresh = new Scanned(wanted, best, best.length == wanted ? scores : Arrays.copyOf(scores, best.length));
        if (CACHE_ENTRIES > 0 && cachedEntries.addAndGet(best.length) <= CACHE_ENTRIES) {
            scannedRows.set(row, fresh); // a concurrent search of the same row may replace it: either is exact
        }
        return fresh;
    }

    /** Similar-song queries answered from this snapshot's kept searches so far. */
    public long cacheHits() {
        return cacheHits.sum();
    }

    /** Similar-song queries this snapshot has scanned for so far. */
    public long cacheMisses() {
        return cacheMisses.sum();
    }

    /**
     * gensim's {@code most_similar(positive, negative, topn=k)}: the k songs nearest (by cosine) to the mean of
     * the unit vectors of the known songs, those of {@code positive} weighted +1 and those of {@code negative}
     * -1 (a song listed twice counts twice), the query songs themselves left out. Unknown songs are left out of
     * the mean and reported. Empty when no positive song is known.
     */
    public Optional<SongModelView.Answer> mostSimilar(List<String> positive, List<String> negative, int k) {
        float[] mean = new float[dim];
        float[] unit = new float[dim];
        Set<Integer> exclude = new HashSet<>();
        Set<String> unknown = new LinkedHashSet<>();
        int terms = 0;
        boolean positiveKnown = false;
        for (int list = 0; list < 2; list++) {
            float weight = list == 0 ? 1f : -1f;
            for (String id : list == 0 ? positive : negative) {
                Integer row = rows.get(id);
                if (row == null) {
                    unknown.add(id);
                    continue;
                }
                positiveKnown |= weight > 0;
                exclude.add(row);
                VecOps.axpy(weight, topK.unitRow(row, unit), 0, mean, 0, dim);
                terms++;
            }
        }
        if (!positiveKnown) {
            return Optional.empty();
        }
        VecOps.scale(1f / terms, mean, 0, dim);
        return Optional.of(new SongModelView.Answer(nearestTo(mean, k, exclude), List.copyOf(unknown)));
    }

    /**
     * The k songs that best continue the list {@code songIds} (oldest first), as a stored playlist is continued
     * ({@link #continuation}): nearest to the mean of the unit vectors of its most recent known songs (as many
     * as a playlist's context retains, {@link PlaylistContext#retainedSongs}), every song of the list left
     * out. Unknown songs are reported. Empty when no song of the list is known.
     */
    public Optional<SongModelView.Answer> continuationOf(List<String> songIds, int k) {
        List<String> known = new ArrayList<>(songIds.size());
        Set<String> unknown = new LinkedHashSet<>();
        Set<Integer> exclude = new HashSet<>();
        for (String id : songIds) {
            Integer row = rows.get(id);
            if (row == null) {
                unknown.add(id);
            } else {
                known.add(id);
                exclude.add(row);
            }
        }
        if (known.isEmpty()) {
            return Optional.empty();
        }
        List<String> recent = known.subList(Math.max(0, known.size() - recentSongs), known.size());
        return Optional.of(new SongModelView.Answer(continueFrom(recent, k, exclude), List.copyOf(unknown)));
    }

    public Optional<List<SongModelView.Neighbor>> continuation(List<String> recent, int k) {
        Set<Integer> exclude = new HashSet<>();
        for (String id : recent) {
            Integer row = rows.get(id);
            if (row != null) {
                exclude.add(row);
            }
        }
        return exclude.isEmpty() ? Optional.empty() : Optional.of(continueFrom(recent, k, exclude));
    }

    /** Nearest to the normalised mean of the unit vectors of the known songs of {@code recent}, each once. */
    private List<SongModelView.Neighbor> continueFrom(List<String> recent, int k, Set<Integer> exclude) {
        float[] mean = new float[dim];
        float[] unit = new float[dim];
        Set<Integer> seen = new HashSet<>();
        for (String id : recent) {
            Integer row = rows.get(id);
            if (row != null && seen.add(row)) {
                VecOps.add(topK.unitRow(row, unit), 0, mean, 0, dim);
            }
        }
        return nearestTo(mean, k, exclude);
    }

    /** The k rows nearest to {@code query} (normalised here), rows of {@code exclude} left out. */
    private List<SongModelView.Neighbor> nearestTo(float[] query, int k, Set<Integer> exclude) {
        float norm = (float) Math.sqrt(VecOps.dot(query, 0, query, 0, dim));
        if (norm > 0) {
            VecOps.scale(1f / norm, query, 0, dim);
        }
        float[] scores = new float[k + exclude.size()];
        int[] best = search.nearest(query, 0, k + exclude.size(), -1, scores);
        return collect(best, scores, k, exclude);
    }

    /** The k most trained songs of the snapshot, most trained first (ties: by id). */
    public List<SongModelView.SongCount> top(int k) {
        List<Integer> known = new ArrayList<>(rows.values());
        known.sort((a, b) -> counts[a] != counts[b] ? Long.compare(counts[b], counts[a]) : ids[a].compareTo(ids[b]));
        List<SongModelView.SongCount> out = new ArrayList<>(Math.min(k, known.size()));
        for (int row : known.subList(0, Math.min(k, known.size()))) {
            out.add(new SongModelView.SongCount(ids[row], counts[row]));
        }
        return out;
    }

    private List<SongModelView.Neighbor> collect(int[] best, float[] scores, int k, Set<Integer> exclude) {
        List<SongModelView.Neighbor> out = new ArrayList<>(k);
        for (int i = 0; i < best.length && out.size() < k; i++) {
            int row = best[i];
            Integer current = ids[row] == null ? null : rows.get(ids[row]);
            if (!exclude.contains(row) && current != null && current == row) {
                out.add(new SongModelView.Neighbor(ids[row], scores[i]));
            }
        }
        return out;
    }
}
