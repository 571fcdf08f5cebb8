package io.streamvec.bench;

import io.streamvec.song2vec.model.QueryCombiner;
import io.streamvec.song2vec.model.SongModelView;
import io.streamvec.song2vec.model.TopK;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The nearest-neighbour search of the similar route in batches, in-process: a {@link TopK} over the model's
 * vectors (the query snapshot's rows) answering each song's similar query ({@code k + 1} rows, the song itself
 * left out, as {@code NeighborIndex.similar} asks), one thread, {@code B} queries per scan; and many threads
 * calling a {@link QueryCombiner} at once, with batching and without.
 */
public final class SearchBatches {

    /** The per-query cost of each batch size: the median over rounds, and every round's. */
    public record BatchCost(int batch, double medianUs, double[] roundsUs, double medianCpuUs) {}

    /** Queries/s of {@code threads} callers through a combiner of {@code maxBatch}, and its mean batch. */
    public record Concurrent(int maxBatch, double medianQueriesPerSecond, double[] rounds, double meanBatch) {}

    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private final TopK topK;
    private final int dim;
    /** The unit vectors of the queried songs, their rows. */
    private final float[][] queries;
    private final int[] rows;
    private final int k;

    public SearchBatches(SongModelView model, List<String> songIds, int k) {
        List<float[]> vectors = new ArrayList<>();
        Map<String, Integer> rowOf = new HashMap<>();
        model.forEachSong((id, count, vector) -> {
            rowOf.put(id, vectors.size());
            vectors.add(vector);
        });
        this.dim = vectors.isEmpty() ? 0 : vectors.get(0).length;
        float[] matrix = new float[vectors.size() * dim];
        for (int r = 0; r < vectors.size(); r++) {
            System.arraycopy(vectors.get(r), 0, matrix, r * dim, dim);
        }
        this.topK = TopK.of(matrix, vectors.size(), dim);
        List<Integer> known = songIds.stream().map(rowOf::get).filter(r -> r != null).toList();
        this.rows = known.stream().mapToInt(Integer::intValue).toArray();
        this.queries = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            queries[i] = topK.unitRow(rows[i], new float[dim]);
        }
        this.k = k;
    }

    public int songs() {
        return topK.rows();
    }

    public int queries() {
        return rows.length;
    }

    /**
     * {@code count} queries (rounded up to whole batches) per batch size per round, the sizes in a rotated order
     * each round so that none always runs first or last; a round of warm-up first.
     */
    public List<BatchCost> batchCosts(int[] batchSizes, int count, int rounds) {
        double[][] us = new double[batchSizes.length][rounds];
        double[][] cpuUs = new double[batchSizes.length][rounds];
        for (int round = -1; round < rounds; round++) {
            for (int s = 0; s < batchSizes.length; s++) {
                int which = Math.floorMod(s + round, batchSizes.length);
                double[] perQuery = timeBatches(batchSizes[which], count);
                if (round >= 0) {
                    us[which][round] = perQuery[0];
                    cpuUs[which][round] = perQuery[1];
                }
            }
        }
        List<BatchCost> out = new ArrayList<>();
        for (int s = 0; s < batchSizes.length; s++) {
            out.add(new BatchCost(batchSizes[s], median(us[s]), us[s], median(cpuUs[s])));
        }
        return out;
    }

    /**
     * Microseconds per query, wall and this thread's CPU time (on a shared machine the CPU time leaves out the
     * time the thread waited for a core), {@code count} queries in batches of {@code batch}.
     */
    private double[] timeBatches(int batch, int count) {
        int batches = Math.max(1, (count + batch - 1) / batch);
        float[][] vecs = new float[batch][];
        int[] offs = new int[batch];
        int[] ks = new int[batch];
        int[] excludes = new int[batch];
        float[][] scores = new float[batch][];
        for (int i = 0; i < batch; i++) {
            ks[i] = k + 1;
            scores[i] = new float[k + 1];
        }
        long sink = 0;
        int next = 0;
        long started = System.nanoTime();
        long cpuStarted = CPU.getCurrentThreadCpuTime();
        for (int b = 0; b < batches; b++) {
            for (int i = 0; i < batch; i++) {
                int q = next++ % rows.length;
                vecs[i] = queries[q];
                excludes[i] = rows[q];
            }
            if (batch == 1) {
                sink += topK.nearest(vecs[0], 0, k + 1, excludes[0], scores[0])[0];
            } else {
                sink += topK.nearest(vecs, offs, ks, excludes, scores, batch)[batch - 1][0];
            }
        }
        long elapsed = System.nanoTime() - started;
        long cpu = CPU.getCurrentThreadCpuTime() - cpuStarted;
        if (sink == Long.MIN_VALUE) {
            System.out.print(""); // keeps the answers alive
        }
        double queries = (double) batches * batch;
        return new double[] {elapsed / 1e3 / queries, cpu / 1e3 / queries};
    }

    /**
     * {@code threads} callers, each asking similar queries back to back for {@code millis}, through a combiner
     * of each {@code maxBatch} in turn ({@code rounds} rounds, alternating, a warm-up round first).
     */
    public List<Concurrent> concurrent(int threads, int[] maxBatches, long millis, int rounds) throws Exception {
        double[][] qps = new double[maxBatches.length][rounds];
        long[] scans = new long[maxBatches.length];
        long[] scanned = new long[maxBatches.length];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = -1; round < rounds; round++) {
                for (int m = 0; m < maxBatches.length; m++) {
                    int which = Math.floorMod(m + round, maxBatches.length);
                    QueryCombiner combiner = new QueryCombiner(topK, maxBatches[which]);
                    double rate = run(pool, threads, combiner, millis);
                    if (round >= 0) {
                        qps[which][round] = rate;
                        scans[which] += combiner.scans();
                        scanned[which] += combiner.scanned();
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        List<Concurrent> out = new ArrayList<>();
        for (int m = 0; m < maxBatches.length; m++) {
            out.add(new Concurrent(maxBatches[m], median(qps[m]), qps[m],
                    scans[m] == 0 ? 1.0 : (double) scanned[m] / scans[m]));
        }
        return out;
    }

    private double run(ExecutorService pool, int threads, QueryCombiner combiner, long millis) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Long>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t * 7919;
            done.add(pool.submit(() -> {
                float[] scores = new float[k + 1];
                long answered = 0;
                start.await();
                for (int i = first; !stop.get(); i++) {
                    int q = Math.floorMod(i, rows.length);
                    combiner.nearest(queries[q], 0, k + 1, rows[q], scores);
                    answered++;
                }
                return answered;
            }));
        }
        long started = System.nanoTime();
        start.countDown();
        Thread.sleep(millis);
        stop.set(true);
        long answered = 0;
        for (Future<Long> f : done) {
            answered += f.get();
        }
        return answered / ((System.nanoTime() - started) / 1e9);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
