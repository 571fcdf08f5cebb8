package io.streamvec.song2vec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Batched nearest-neighbour queries against the single-query scan: the same rows in the same order with bitwise
 * the same scores, for many random queries (different k, exclusions or none, offsets into a larger array), on
 * the vector kernel and on the scalar loop, over rows with many exactly equal scores (repeated directions, rows
 * never trained) and over sizes that do and do not fill whole blocks and groups of blocks; and the
 * {@link QueryCombiner} in front of it under concurrent callers.
 */
class TopKBatchTest {

    private static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private static float[] gaussian(Random random, int n) {
        float[] m = new float[n];
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) random.nextGaussian();
        }
        return m;
    }

    /** Rows drawn from a few directions (exact ties), some rows zero (never trained), some random. */
    private static float[] withTies(Random random, int rows, int dim) {
        float[] directions = gaussian(random, 6 * dim);
        float[] m = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            int kind = random.nextInt(10);
            if (kind < 5) {
                System.arraycopy(directions, random.nextInt(6) * dim, m, r * dim, dim);
            } else if (kind < 7) {
                continue; // a zero row: scores 0 against everything
            } else {
                for (int d = 0; d < dim; d++) {
                    m[r * dim + d] = (float) random.nextGaussian();
                }
            }
        }
        return m;
    }

    /** One query: where its vector lies, k, the excluded row. */
    private record Query(float[] vec, int off, int k, int exclude) {}

    private static List<Query> queries(Random random, TopK topK, int rows, int dim, int count) {
        List<Query> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int k = switch (random.nextInt(5)) {
                case 0 -> 1;
                case 1 -> 10;
                case 2 -> 1 + random.nextInt(Math.max(1, rows));
                case 3 -> rows + random.nextInt(3); // more than there are rows
                default -> random.nextInt(3) == 0 ? 0 : 11;
            };
            int exclude = switch (random.nextInt(4)) {
                case 0 -> -1;
                case 1 -> rows + 3; // no such row: nothing left out
                default -> random.nextInt(rows);
            };
            int off = random.nextInt(3) * 5;
            float[] vec = new float[off + dim + 2];
            if (random.nextBoolean() && exclude >= 0 && exclude < rows) {
                // a row's own unit vector, as the similar route asks
                System.arraycopy(topK.unitRow(exclude, new float[dim]), 0, vec, off, dim);
            } else {
                System.arraycopy(gaussian(random, dim), 0, vec, off, dim);
            }
            out.add(new Query(vec, off, k, exclude));
        }
        return out;
    }

    /** The batch's answers against each query alone, on the same path and across paths. */
    private static void checkBatches(TopK topK, List<Query> queries, Random random, boolean simd, String what) {
        int at = 0;
        while (at < queries.size()) {
            int n = Math.min(queries.size() - at, 1 + random.nextInt(19));
            float[][] vecs = new float[n][];
            int[] offs = new int[n];
            int[] ks = new int[n];
            int[] excludes = new int[n];
            float[][] scores = new float[n][];
            for (int i = 0; i < n; i++) {
                Query q = queries.get(at + i);
                vecs[i] = q.vec();
                offs[i] = q.off();
                ks[i] = q.k();
                excludes[i] = q.exclude();
                scores[i] = i % 5 == 4 ? null : new float[Math.max(0, q.k())];
            }
            int[][] batched = topK.nearest(vecs, offs, ks, excludes, scores, n, simd);
            assertEquals(n, batched.length);
            for (int i = 0; i < n; i++) {
                Query q = queries.get(at + i);
                String where = what + ", batch of " + n + ", query " + i + " (k " + q.k() + ", exclude " + q.exclude() + ")";
                float[] aloneScores = new float[Math.max(0, q.k())];
                int[] alone = topK.nearest(q.vec(), q.off(), q.k(), q.exclude(), aloneScores, simd);
                assertArrayEquals(alone, batched[i], where);
                if (scores[i] != null) {
                    assertArrayEquals(aloneScores, scores[i], 0f, where + ": scores");
                }
                if (VECTOR_API) { // the other path ranks and scores alike
                    float[] otherScores = new float[Math.max(0, q.k())];
                    assertArrayEquals(alone, topK.nearest(q.vec(), q.off(), q.k(), q.exclude(), otherScores, !simd),
                            where + ": vector against scalar");
                    assertArrayEquals(aloneScores, otherScores, 0f, where + ": vector against scalar scores");
                }
                for (int row : batched[i]) {
                    assertTrue(row != q.exclude(), where + ": the excluded row came back");
                }
            }
            at += n;
        }
    }

    @Test
    void batchesAnswerExactlyAsSingleQueriesOnTheVectorKernel() {
        assumeTrue(VECTOR_API, "the Vector API module is not in the boot layer");
        everySize(true);
    }

    @Test
    void batchesAnswerExactlyAsSingleQueriesOnTheScalarLoop() {
        everySize(false);
    }

    private static void everySize(boolean simd) {
        for (int dim : new int[] {1, 7, 32}) {
            // 8 and 16 lanes: sizes around whole blocks and whole groups of four blocks
            for (int rows : new int[] {1, 5, 8, 31, 32, 33, 64, 65, 129, 500, 1003}) {
                Random random = new Random(17L * dim + rows);
                for (boolean ties : new boolean[] {false, true}) {
                    float[] matrix = ties ? withTies(random, rows, dim) : gaussian(random, rows * dim);
                    TopK topK = TopK.of(matrix, rows, dim);
                    checkBatches(topK, queries(random, topK, rows, dim, 60), random, simd,
                            (simd ? "vector" : "scalar") + ", dim " + dim + ", rows " + rows + (ties ? ", ties" : ""));
                }
            }
        }
    }

    @Test
    void theSameQueryManyTimesInOneBatchGetsTheSameAnswerEachTime() {
        int rows = 777;
        int dim = 32;
        TopK topK = TopK.of(withTies(new Random(9), rows, dim), rows, dim);
        float[] q = topK.unitRow(3, new float[dim]);
        int n = 16;
        float[][] vecs = new float[n][];
        int[] offs = new int[n];
        int[] ks = new int[n];
        int[] excludes = new int[n];
        float[][] scores = new float[n][];
        for (int i = 0; i < n; i++) {
            vecs[i] = q;
            ks[i] = 25;
            excludes[i] = 3;
            scores[i] = new float[25];
        }
        float[] alone = new float[25];
        int[] expected = topK.nearest(q, 0, 25, 3, alone);
        int[][] batched = topK.nearest(vecs, offs, ks, excludes, scores, n);
        for (int i = 0; i < n; i++) {
            assertArrayEquals(expected, batched[i], "query " + i);
            assertArrayEquals(alone, scores[i], 0f, "query " + i);
        }
    }

    @Test
    void theCombinerAnswersConcurrentCallersExactlyAsSingleQueries() throws Exception {
        int rows = 5_003;
        int dim = 32;
        Random random = new Random(23);
        TopK topK = TopK.of(withTies(random, rows, dim), rows, dim);
        QueryCombiner combiner = new QueryCombiner(topK, 8);
        askAtOnceAndCompareWithSingleScans(combiner, topK, queries(random, topK, rows, dim, 800), 12);
    }

    /**
     * {@code threads} callers ask the combiner the queries at once (caller t asks queries t, t + threads, ...),
     * each answer compared with the query scanned alone: the same rows, order and scores.
     */
    private static void askAtOnceAndCompareWithSingleScans(QueryCombiner combiner, TopK topK, List<Query> queries,
                                                           int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                done.add(pool.submit(() -> {
                    start.await();
                    int checked = 0;
                    for (int i = first; i < queries.size(); i += threads) {
                        Query q = queries.get(i);
                        float[] scores = new float[Math.max(0, q.k())];
                        int[] found = combiner.nearest(q.vec(), q.off(), q.k(), q.exclude(), scores);
                        float[] aloneScores = new float[Math.max(0, q.k())];
                        int[] alone = topK.nearest(q.vec(), q.off(), q.k(), q.exclude(), aloneScores);
                        assertArrayEquals(alone, found, "query " + i);
                        assertArrayEquals(aloneScores, scores, 0f, "query " + i);
                        checked++;
                    }
                    return checked;
                }));
            }
            start.countDown();
            int checked = 0;
            for (Future<Integer> f : done) {
                checked += f.get(2, TimeUnit.MINUTES);
            }
            assertEquals(queries.size(), checked);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void blocksOfferedInAnyOrderLeaveEachHeapAsTheScanInOrderWould() {
        int dim = 32;
        Random random = new Random(31);
        for (int rows : new int[] {1, 7, 300, 4_099}) {
            TopK topK = TopK.of(withTies(random, rows, dim), rows, dim);
            List<Query> queries = queries(random, topK, rows, dim, 60);
            int blocks = topK.blockCount();
            for (int at = 0; at < queries.size(); at += 5) {
                int n = Math.min(5, queries.size() - at);
                float[][] vecs = new float[n][];
                int[] offs = new int[n];
                int[] excludes = new int[n];
                TopK.Heap[] heaps = new TopK.Heap[n];
                int live = 0;
                for (int i = 0; i < n; i++) {
                    Query q = queries.get(at + i);
                    if (topK.rowsFor(q.k(), q.exclude()) > 0) {
                        vecs[live] = q.vec();
                        offs[live] = q.off();
                        excludes[live] = q.exclude();
                        heaps[live++] = new TopK.Heap(topK.rowsFor(q.k(), q.exclude()));
                    }
                }
                // the blocks in ranges of random length, from a random block round to the one before it
                int start = random.nextInt(blocks);
                int done = 0;
                while (done < blocks) {
                    int from = (start + done) % blocks;
                    int length = Math.min(blocks - done, 1 + random.nextInt(Math.max(1, blocks / 3)));
                    int to = Math.min(blocks, from + length);
                    topK.scanBlocks(vecs, offs, live, excludes, heaps, from, to);
                    done += to - from;
                }
                for (int i = 0, j = 0; i < n; i++) {
                    Query q = queries.get(at + i);
                    if (topK.rowsFor(q.k(), q.exclude()) == 0) continue;
                    float[] scores = new float[topK.rowsFor(q.k(), q.exclude())];
                    float[] aloneScores = new float[scores.length];
                    int[] rotated = heaps[j++].drain(scores);
                    String where = rows + " rows from block " + start + ", query " + (at + i);
                    assertArrayEquals(topK.nearest(q.vec(), q.off(), q.k(), q.exclude(), aloneScores), rotated, where);
                    assertArrayEquals(aloneScores, scores, 0f, where);
                }
            }
        }
    }

    @Test
    void queriesThatJoinTheScanMidwayRideRoundAndAreAnsweredExactly() throws Exception {
        // 40,000 rows are many chunks: callers join a scan under way and ride it past the last row to the first
        int rows = 40_000;
        int dim = 32;
        Random random = new Random(47);
        TopK topK = TopK.of(withTies(random, rows, dim), rows, dim);
        assertTrue(topK.blockCount() > 4 * QueryCombiner.CHUNK_BLOCKS, "a round of several chunks");
        QueryCombiner combiner = new QueryCombiner(topK, 16);
        askAtOnceAndCompareWithSingleScans(combiner, topK, queries(random, topK, rows, dim, 600), 16);
        // Sixteen callers asking back to back share rounds: fewer rounds than queries scanned.
        assertTrue(combiner.scans() < combiner.scanned(),
                combiner.scans() + " rounds for " + combiner.scanned() + " queries");
    }

    @Test
    void aLoneCallerIsScannedAtOnceAloneAndNeverWaitsForCompany() {
        int rows = 300;
        int dim = 32;
        TopK topK = TopK.of(gaussian(new Random(8), rows * dim), rows, dim);
        QueryCombiner combiner = new QueryCombiner(topK, 16);
        for (int i = 0; i < 40; i++) {
            float[] q = topK.unitRow(i, new float[dim]);
            assertArrayEquals(topK.nearest(q, 0, 5, i, null), combiner.nearest(q, 0, 5, i, null), "query " + i);
            assertEquals(i + 1, combiner.scans(), "one scan per query when nobody else asks");
            assertEquals(i + 1, combiner.scanned());
        }
        QueryCombiner off = new QueryCombiner(topK, 1);
        float[] q = topK.unitRow(0, new float[dim]);
        assertArrayEquals(topK.nearest(q, 0, 5, 0, null), off.nearest(q, 0, 5, 0, null));
    }

    @Test
    void aBadQueryFailsAloneAndTheOthersOfItsBatchAreAnswered() throws Exception {
        int rows = 2_000;
        int dim = 32;
        TopK topK = TopK.of(gaussian(new Random(4), rows * dim), rows, dim);
        QueryCombiner combiner = new QueryCombiner(topK, 16);
        float[] good = topK.unitRow(7, new float[dim]);
        int[] expected = topK.nearest(good, 0, 10, 7, null);
        float[] tooShort = new float[dim - 1];
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<int[]>> answers = new ArrayList<>();
            List<Future<?>> failures = new ArrayList<>();
            for (int round = 0; round < 50; round++) {
                for (int t = 0; t < 6; t++) {
                    answers.add(pool.submit(() -> combiner.nearest(good, 0, 10, 7, null)));
                }
                failures.add(pool.submit(() -> combiner.nearest(tooShort, 0, 10, -1, null)));
            }
            for (Future<int[]> answer : answers) {
                assertArrayEquals(expected, answer.get(1, TimeUnit.MINUTES));
            }
            for (Future<?> failure : failures) {
                var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> failure.get(1, TimeUnit.MINUTES));
                assertTrue(e.getCause() instanceof IndexOutOfBoundsException, e.getCause().toString());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThrows(IllegalArgumentException.class, () -> new QueryCombiner(topK, 0));
    }
}
