package io.streamvec.text.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The dense in-memory working copy of one task's text index: exact cosine search over unit vectors, keyed by
 * source id. A put of an id already held replaces its entry. Vectors are normalised on insert, so a query's
 * score is the cosine whether or not the query is unit.
 *
 * <p>Thread safety: one writer (the stream thread that owns the task) and any number of searching threads
 * (HTTP); searches see every put or remove that returned before they started.
 *
 * <p>Storage: rows in one row-major {@code float[]}, a removed row filled by the last one, so the scan touches
 * live rows only.
 */
public final class TextVectorIndex {

    /** What one text leaves in the index. */
    public record Entry(String id, String text, float[] vector, long timestampMs) {}

    /** One search result: the stored text and its cosine score against the query. */
    public record Hit(String id, String text, float score, long timestampMs) {}

    private final int dim;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, Integer> rowOf = new HashMap<>();
    private final List<String> ids = new ArrayList<>();
    private final List<String> texts = new ArrayList<>();
    private long[] timestamps = new long[64];
    private float[] rows;

    public TextVectorIndex(int dim) {
        if (dim <= 0) throw new IllegalArgumentException("dim must be positive: " + dim);
        this.dim = dim;
        this.rows = new float[64 * dim];
    }

    public int dim() {
        return dim;
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
            System.arraycopy(unit, 0, rows, r * dim, dim);
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
                System.arraycopy(rows, last * dim, rows, r * dim, dim);
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
            float[] v = new float[dim];
            System.arraycopy(rows, r * dim, v, 0, dim);
            return Optional.of(new Entry(id, texts.get(r), v, timestamps[r]));
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

    /** {@link #search} for several queries at once; {@code excludeIds} is null or one id (or null) per query. */
    public List<List<Hit>> searchBatch(float[][] queries, int k, long sinceMs, String[] excludeIds) {
        if (k <= 0) throw new IllegalArgumentException("k must be positive: " + k);
        List<List<Hit>> out = new ArrayList<>(queries.length);
        lock.readLock().lock();
        try {
            for (int qi = 0; qi < queries.length; qi++) {
                float[] q = queries[qi];
                if (q.length != dim) {
                    throw new IllegalArgumentException("query has " + q.length + " dimensions, index " + dim);
                }
                Integer excluded = excludeIds == null || excludeIds[qi] == null ? null : rowOf.get(excludeIds[qi]);
                int skip = excluded == null ? -1 : excluded;
                int n = ids.size();
                int[] bestRows = new int[k];
                float[] bestScores = new float[k];
                int kept = 0;
                for (int r = 0; r < n; r++) {
                    if (r == skip || timestamps[r] < sinceMs) continue;
                    float s = 0f;
                    int base = r * dim;
                    for (int d = 0; d < dim; d++) s = Math.fma(q[d], rows[base + d], s);
                    if (kept < k || s > bestScores[kept - 1]) { // insertion into a sorted list: k is small
                        int i = kept < k ? kept++ : kept - 1;
                        while (i > 0 && bestScores[i - 1] < s) {
                            bestScores[i] = bestScores[i - 1];
                            bestRows[i] = bestRows[i - 1];
                            i--;
                        }
                        bestScores[i] = s;
                        bestRows[i] = r;
                    }
                }
                float qn = (float) Math.sqrt(dot(q, q));
                float scale = qn > 0 ? 1f / qn : 0f;
                List<Hit> hits = new ArrayList<>(kept);
                for (int i = 0; i < kept; i++) {
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

    /** Bytes the working copy holds for its search: the vectors and timestamps, not the ids and texts. */
    public long searchBytes() {
        lock.readLock().lock();
        try {
            return (long) ids.size() * (dim * Float.BYTES + Long.BYTES);
        } finally {
            lock.readLock().unlock();
        }
    }

    private void grow(int rowsNeeded) {
        if (rowsNeeded * dim > rows.length) {
            int capacity = Math.max(rowsNeeded, rows.length / dim * 2);
            rows = java.util.Arrays.copyOf(rows, capacity * dim);
            timestamps = java.util.Arrays.copyOf(timestamps, capacity);
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
