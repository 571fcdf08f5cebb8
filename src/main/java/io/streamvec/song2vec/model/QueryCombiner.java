package io.streamvec.song2vec.model;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Concurrent nearest-neighbour queries on one {@link TopK} answered together: a query that arrives while a
 * scan is running waits for the next one, which answers up to {@code maxBatch} waiting queries in one pass
 * over the rows ({@link TopK#nearest(float[][], int[], int[], int[], float[][], int)}).
 *
 * <p>Flat combining with hand-off: every caller queues its query; the caller that finds no scan running
 * becomes the combiner, takes up to {@code maxBatch} queued queries (its own among them unless more than
 * {@code maxBatch} were ahead of it), scans once, hands each caller its answer and wakes it, and on leaving
 * wakes the first caller still queued, which combines the next batch. Nobody waits on a timer: a query that
 * finds no scan running is scanned at once, alone, on the single-query path, so a lone query pays only the
 * queueing (a few tens of nanoseconds). Answers are exactly those of {@link TopK#nearest(float[], int, int,
 * int, float[])}.
 */
public final class QueryCombiner {

    /** One caller's query and, once scanned, its answer. */
    private static final class Query {
        final float[] vec;
        final int off;
        final int k;
        final int exclude;
        final float[] scoresOut;
        final Thread caller = Thread.currentThread();
        volatile int[] answer;
        volatile Throwable failure;

        Query(float[] vec, int off, int k, int exclude, float[] scoresOut) {
            this.vec = vec;
            this.off = off;
            this.k = k;
            this.exclude = exclude;
            this.scoresOut = scoresOut;
        }
    }

    private final TopK topK;
    private final int maxBatch;
    private final ConcurrentLinkedQueue<Query> queued = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scanning = new AtomicBoolean();
    /**
     * Scans run and the queries they answered: written by the combiner only (one at a time; the scanning flag
     * orders one combiner's writes before the next one's), read without a lock as statistics.
     */
    private long scans;
    private long scanned;

    /** Queries on {@code topK}, at most {@code maxBatch} (>= 1; 1: each alone) answered by one scan. */
    public QueryCombiner(TopK topK, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, not " + maxBatch);
        }
        this.topK = topK;
        this.maxBatch = maxBatch;
    }

    public TopK topK() {
        return topK;
    }

    public int maxBatch() {
        return maxBatch;
    }

    /** Scans run so far (each answered one or more queries); with maxBatch 1, 0. */
    public long scans() {
        return scans;
    }

    /** Queries the scans have answered so far: {@code scanned() / scans()} is the mean batch. */
    public long scanned() {
        return scanned;
    }

    /** {@link TopK#nearest(float[], int, int, int, float[])}, scanned together with the queries that wait beside it. */
    public int[] nearest(float[] vec, int off, int k, int exclude, float[] scoresOut) {
        if (maxBatch == 1) {
            return topK.nearest(vec, off, k, exclude, scoresOut);
        }
        Query mine = new Query(vec, off, k, exclude, scoresOut);
        queued.add(mine);
        while (mine.answer == null && mine.failure == null) {
            if (scanning.compareAndSet(false, true)) {
                try {
                    combine(mine);
                } finally {
                    scanning.set(false);
                }
                // A caller that queued while this scan ran may have found it running and parked: wake the first
                // one still queued to combine the next batch (it sees no scan running when it wakes).
                Query next = queued.peek();
                if (next != null) {
                    LockSupport.unpark(next.caller);
                }
            } else {
                LockSupport.park(this); // woken with its answer, or to combine; spurious wake-ups loop
            }
        }
        if (mine.failure instanceof RuntimeException e) {
            throw e;
        }
        if (mine.failure instanceof Error e) {
            throw e;
        }
        return mine.answer;
    }

    /** Scans up to maxBatch queued queries at once and hands each its answer. */
    private void combine(Query mine) {
        Query[] batch = new Query[maxBatch];
        int n = 0;
        Query query;
        while (n < maxBatch && (query = queued.poll()) != null) {
            batch[n++] = query;
        }
        if (n == 0) {
            return; // another combiner took ours meanwhile
        }
        scans++; // only the combiner writes: no lost update
        scanned += n;
        try {
            if (n == 1) {
                Query only = batch[0];
                only.answer = topK.nearest(only.vec, only.off, only.k, only.exclude, only.scoresOut);
            } else {
                float[][] vecs = new float[n][];
                int[] offs = new int[n];
                int[] ks = new int[n];
                int[] excludes = new int[n];
                float[][] scores = new float[n][];
                for (int i = 0; i < n; i++) {
                    vecs[i] = batch[i].vec;
                    offs[i] = batch[i].off;
                    ks[i] = batch[i].k;
                    excludes[i] = batch[i].exclude;
                    scores[i] = batch[i].scoresOut;
                }
                int[][] answers = topK.nearest(vecs, offs, ks, excludes, scores, n);
                for (int i = 0; i < n; i++) {
                    batch[i].answer = answers[i];
                }
            }
        } catch (RuntimeException e) {
            // One bad query must not fail the others: each is scanned again alone, and only its own failure is its.
            for (int i = 0; i < n; i++) {
                Query q = batch[i];
                if (q.answer == null) {
                    try {
                        q.answer = topK.nearest(q.vec, q.off, q.k, q.exclude, q.scoresOut);
                    } catch (RuntimeException alone) {
                        q.failure = alone;
                    }
                }
            }
        } catch (Error e) {
            for (int i = 0; i < n; i++) {
                if (batch[i].answer == null) {
                    batch[i].failure = e;
                }
            }
        } finally {
            for (int i = 0; i < n; i++) {
                if (batch[i] != mine) {
                    LockSupport.unpark(batch[i].caller);
                }
            }
        }
    }
}
