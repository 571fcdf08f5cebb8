package io.streamvec.text.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The dense in-memory working copy of one task's text index: cosine search over unit vectors, keyed by source id.
 * A put of an id already held replaces its entry. Vectors are normalised on insert, so a query's score is the
 * cosine whether or not the query is unit.
 *
 * <p>Search ({@link SearchMode}): {@code EXACT} scans fp32 rows with {@link SearchKernels} (Vector API), a batch of
 * queries in one pass over the rows; {@code INT8} scans int8 rows (a scale per vector) for the best
 * {@link #RERANK_CANDIDATES} and re-scores those exactly from {@link ExactVectors}.
 *
 * <p>Thread safety: one writer (the stream thread that owns the task) and any number of searching threads
 * (HTTP); searches see every put or remove that returned before they started.
 *
 * <p>Storage: rows in one row-major array, a removed row filled by the last one, so the scan touches live rows
 * only.
 */
public final class TextVectorIndex {

    /** The rows an int8 scan keeps for the exact re-rank. */
    public static final int RERANK_CANDIDATES = 512;

    /** What one text leaves in the index. */
    public record Entry(String id, String text, float[] vector, long timestampMs) {}

    /** One search result: the stored text and its cosine score against the query. */
    public record Hit(String id, String text, float score, long timestampMs) {}

    /**
     * Where an {@code INT8} index reads a text's fp32 vector for the re-rank (the durable store): the vector put
     * last under this id, or null if none is held. Called from searching threads.
     */
    @FunctionalInterface
    public interface ExactVectors {
        float[] vector(String id);
    }

    private final int dim;
    private final SearchMode mode;
    private final ExactVectors exact;
    private final int rerankCandidates;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Integer> rowOf = new HashMap<>();
    private final List<String> ids = new ArrayList<>();
    private final List<String> texts = new ArrayList<>();
    private long[] timestamps = new long[64];
    /** EXACT: the unit vectors. */
    private float[] rows;
    /** INT8: the codes and one scale a row. */
    private byte[] codes;
    private float[] scales;

    /** An {@code EXACT} index. */
    public TextVectorIndex(int dim) {
        this(dim, SearchMode.EXACT, null);
    }

    /** An index searched in this mode; {@code exact} is required for {@code INT8} (and unused for {@code EXACT}). */
    public TextVectorIndex(int dim, SearchMode mode, ExactVectors exact) {
        this(dim, mode, exact, RERANK_CANDIDATES);
    }

    /** With another number of int8 candidates than {@link #RERANK_CANDIDATES} (tests, benchmarks). */
    public TextVectorIndex(int dim, SearchMode mode, ExactVectors exact, int rerankCandidates) {
        if (rerankCandidates < 1) throw new IllegalArgumentException("rerank candidates must be positive");
        this.rerankCandidates = rerankCandidates;
        if (dim <= 0) throw new IllegalArgumentException("dim must be positive: " + dim);
        if (mode == SearchMode.INT8 && exact == null) {
            throw new IllegalArgumentException("an int8 index needs the exact vectors to re-rank from");
        }
        this.dim = dim;
        this.mode = mode;
        this.exact = exact;
        if (mode == SearchMode.EXACT) {
            rows = new float[64 * dim];
        } else {
            codes = new byte[64 * dim];
            scales = new float[64];
        }
    }

    public int dim() {
        return dim;
    }

    public SearchMode mode() {
        return mode;
    }

    public int size() {
        lock.readLock().lock();
        try {
            return ids.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Adds the entry, or replaces the entry of the same id. */
    public void put(Entry entry) {
        if (entry.vector().length != dim) {
            throw new IllegalArgumentException("vector has " + entry.vector().length + " dimensions, index " + dim);
        }
        float[] unit = unit(entry.vector());
        lock.writeLock().lock();
        try {
            Integer row = rowOf.get(entry.id());
            int r;
            if (row != null) {
                r = row;
                texts.set(r, entry.text());
            } else {
                r = ids.size();
                grow(r + 1);
                ids.add(entry.id());
                texts.add(entry.text());
                rowOf.put(entry.id(), r);
            }
            if (mode == SearchMode.EXACT) {
                System.arraycopy(unit, 0, rows, r * dim, dim);
            } else {
                scales[r] = Int8Codes.encode(unit, codes, r * dim);
            }
            timestamps[r] = entry.timestampMs();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Removes the entry of this id; false if none was held. */
    public boolean remove(String id) {
        lock.writeLock().lock();
        try {
            Integer row = rowOf.remove(id);
            if (row == null) return false;
            int r = row;
            int last = ids.size() - 1;
            if (r != last) {
                String moved = ids.get(last);
                ids.set(r, moved);
                texts.set(r, texts.get(last));
                timestamps[r] = timestamps[last];
                if (mode == SearchMode.EXACT) {
                    System.arraycopy(rows, last * dim, rows, r * dim, dim);
                } else {
                    System.arraycopy(codes, last * dim, codes, r * dim, dim);
                    scales[r] = scales[last];
                }
                rowOf.put(moved, r);
            }
            ids.remove(last);
            texts.remove(last);
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * The k entries stamped latest, newest first (of equal stamps the later-inserted row first), as hits of score 0.
     */
    public List<Hit> newest(int k) {
        lock.readLock().lock();
        try {
            int n = ids.size();
            java.util.PriorityQueue<Integer> kept = new java.util.PriorityQueue<>(
                    (a, b) -> timestamps[a] != timestamps[b] ? Long.compare(timestamps[a], timestamps[b]) : Integer.compare(a, b));
            for (int r = 0; r < n; r++) {
                kept.add(r);
                if (kept.size() > k) {
                    kept.poll();
                }
            }
            List<Hit> out = new ArrayList<>(kept.size());
            while (!kept.isEmpty()) {
                int r = kept.poll();
                out.add(new Hit(ids.get(r), texts.get(r), 0f, timestamps[r]));
            }
            java.util.Collections.reverse(out);
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The entry of this id, its vector unit, if held. */
    public Optional<Entry> get(String id) {
        lock.readLock().lock();
        try {
            Integer row = rowOf.get(id);
            if (row == null) return Optional.empty();
            int r = row;
            return Optional.of(new Entry(id, texts.get(r), exactVector(r), timestamps[r]));
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The k entries most cosine-similar to {@code query}, best first, among those stamped at or after
     * {@code sinceMs} ({@link Long#MIN_VALUE} for all), without {@code excludeId} (null for none). Of equal
     * scores the earlier-inserted row comes first.
     */
    public List<Hit> search(float[] query, int k, long sinceMs, String excludeId) {
        return searchBatch(new float[][] {query}, k, sinceMs, excludeId == null ? null : new String[] {excludeId})
                .get(0);
    }

    /**
     * {@link #search} for several queries at once, in one pass over the rows; {@code excludeIds} is null or one id
     * (or null) per query.
     */
    public List<List<Hit>> searchBatch(float[][] queries, int k, long sinceMs, String[] excludeIds) {
        if (k <= 0) throw new IllegalArgumentException("k must be positive: " + k);
        for (float[] q : queries) {
            if (q.length != dim) {
                throw new IllegalArgumentException("query has " + q.length + " dimensions, index " + dim);
            }
        }
        int nq = queries.length;
        List<List<Hit>> out = new ArrayList<>(nq);
        lock.readLock().lock();
        try {
            int[] skip = new int[nq];
            for (int qi = 0; qi < nq; qi++) {
                Integer excluded = excludeIds == null || excludeIds[qi] == null ? null : rowOf.get(excludeIds[qi]);
                skip[qi] = excluded == null ? -1 : excluded;
            }
            int n = ids.size();
            int keep = mode == SearchMode.EXACT ? k : Math.max(k, rerankCandidates);
            TopK[] tops = new TopK[nq];
            for (int qi = 0; qi < nq; qi++) {
                tops[qi] = new TopK(Math.min(keep, Math.max(1, n)));
            }
            if (mode == SearchMode.EXACT) {
                scanExact(queries, n, sinceMs, skip, tops);
            } else {
                scanInt8(queries, n, sinceMs, skip, tops);
            }
            int[] bestRows = new int[Math.max(1, Math.min(keep, n))];
            float[] bestScores = new float[bestRows.length];
            for (int qi = 0; qi < nq; qi++) {
                int kept = tops[qi].drainBestFirst(bestRows, bestScores);
                if (mode == SearchMode.INT8) {
                    kept = rerank(queries[qi], k, bestRows, bestScores, kept);
                }
                float qn = (float) Math.sqrt(dot(queries[qi], queries[qi]));
                float scale = qn > 0 ? 1f / qn : 0f;
                List<Hit> hits = new ArrayList<>(Math.min(k, kept));
                for (int i = 0; i < Math.min(k, kept); i++) {
                    int r = bestRows[i];
                    hits.add(new Hit(ids.get(r), texts.get(r), bestScores[i] * scale, timestamps[r]));
                }
                out.add(hits);
            }
        } finally {
            lock.readLock().unlock();
        }
        return out;
    }

    private void scanExact(float[][] queries, int n, long sinceMs, int[] skip, TopK[] tops) {
        for (int r = 0; r < n; r++) {
            if (timestamps[r] < sinceMs) continue;
            int base = r * dim;
            for (int qi = 0; qi < queries.length; qi++) {
                if (r == skip[qi]) continue;
                float s = SearchKernels.dot(queries[qi], rows, base);
                if (s > tops[qi].threshold()) tops[qi].offer(r, s);
            }
        }
    }

    private void scanInt8(float[][] queries, int n, long sinceMs, int[] skip, TopK[] tops) {
        for (int r = 0; r < n; r++) {
            if (timestamps[r] < sinceMs) continue;
            int base = r * dim;
            float scale = scales[r];
            for (int qi = 0; qi < queries.length; qi++) {
                if (r == skip[qi]) continue;
                float s = scale * SearchKernels.dotInt8(queries[qi], codes, base);
                if (s > tops[qi].threshold()) tops[qi].offer(r, s);
            }
        }
    }

    /** Re-scores the int8 candidates exactly and leaves the best k of them, best first, in the arrays. */
    private int rerank(float[] query, int k, int[] candidates, float[] scores, int count) {
        TopK top = new TopK(Math.max(1, Math.min(k, count)));
        for (int i = 0; i < count; i++) {
            int r = candidates[i];
            float[] v = exact.vector(ids.get(r));
            float s;
            if (v == null || v.length != dim) { // not expected: what the codes stand for
                s = SearchKernels.dot(query, Int8Codes.decode(codes, r * dim, dim, scales[r]), 0);
            } else {
                float norm = (float) Math.sqrt(SearchKernels.dot(v, v, 0));
                s = norm > 0 ? SearchKernels.dot(query, v, 0) / norm : 0f;
            }
            top.offer(r, s);
        }
        return top.drainBestFirst(candidates, scores);
    }

    /** Row r's unit fp32 vector: the row itself (EXACT), or the exact vector normalised (INT8). */
    private float[] exactVector(int r) {
        if (mode == SearchMode.EXACT) {
            return Arrays.copyOfRange(rows, r * dim, (r + 1) * dim);
        }
        float[] v = exact.vector(ids.get(r));
        if (v == null || v.length != dim) { // not expected: fall back to what the codes stand for
            return Int8Codes.decode(codes, r * dim, dim, scales[r]);
        }
        return unit(v);
    }

    /** Bytes the working copy holds for its search: the vectors (and scales) and timestamps, not the ids and texts. */
    public long searchBytes() {
        lock.readLock().lock();
        try {
            return (long) ids.size() * bytesPerRow();
        } finally {
            lock.readLock().unlock();
        }
    }

    private long bytesPerRow() {
        return mode == SearchMode.EXACT ? (long) dim * Float.BYTES + Long.BYTES : dim + Float.BYTES + Long.BYTES;
    }

    private void grow(int rowsNeeded) {
        int capacity = timestamps.length;
        if (rowsNeeded > capacity) {
            // 1.5x: while the copy is made both arrays are live, and the index may be most of the heap
            capacity = Math.max(rowsNeeded, capacity + (capacity >> 1) + 16);
            timestamps = Arrays.copyOf(timestamps, capacity);
            if (mode == SearchMode.EXACT) {
                rows = Arrays.copyOf(rows, capacity * dim);
            } else {
                codes = Arrays.copyOf(codes, capacity * dim);
                scales = Arrays.copyOf(scales, capacity);
            }
        }
    }

    private static float[] unit(float[] v) {
        float n = (float) Math.sqrt(dot(v, v));
        float[] u = v.clone();
        if (n > 0) {
            for (int i = 0; i < u.length; i++) u[i] /= n;
        }
        return u;
    }

    private static float dot(float[] a, float[] b) {
        float s = 0f;
        for (int i = 0; i < a.length; i++) s = Math.fma(a[i], b[i], s);
        return s;
    }
}
