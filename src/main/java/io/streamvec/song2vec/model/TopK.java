package io.streamvec.song2vec.model;

/**
 * Exact (brute-force) cosine nearest neighbours over a snapshot of L2-normalised rows. Zero rows (never
 * trained) score 0.
 *
 * <p>The rows are stored in blocks of {@link #LANES} rows, transposed: a block holds component 0 of its rows,
 * then component 1, and so on. One vector register then accumulates the scores of a whole block, with no
 * horizontal sum per row, and eight blocks are scored at once so that the fused multiply-adds do not wait on
 * each other ({@link SimdOps#scan}). A block whose scores all fall at or below the current k-th best is
 * dismissed with one comparison; the others offer their rows to a bounded heap of the k best. A row's score is
 * the multiply-adds of its components in order 0..dim-1, the same in the vector lanes and in the scalar loops
 * ({@link Math#fma}), so every path ranks alike. Results are best first; of rows with equal scores the lower
 * row comes first.
 */
public final class TopK {

    /**
     * Rows per block: the vector width in floats (8 for the scalar loops). The same lanes as training's: a JVM
     * that runs Vector API code of two widths slows both down (the library's shared code sees two vector classes
     * and is no longer compiled to vector instructions: a batch of queries ran 20x slower after 256-bit training
     * kernels had run beside a 512-bit scan).
     */
    static final int LANES = VecOps.SCALAR ? 8 : SimdOps.S.length();

    private final int rows;
    private final int dim;
    /** Row r's component d at {@code (r / LANES) * dim * LANES + d * LANES + r % LANES}; the last block zero-padded. */
    private final float[] blocks;

    private TopK(float[] blocks, int rows, int dim) {
        this.blocks = blocks;
        this.rows = rows;
        this.dim = dim;
    }

    /** Snapshot of the first {@code rows} rows of a row-major matrix, normalised. */
    public static TopK of(float[] matrix, int rows, int dim) {
        int blockCount = (rows + LANES - 1) / LANES;
        float[] blocks = new float[blockCount * dim * LANES];
        float[] row = new float[dim];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(matrix, r * dim, row, 0, dim);
            float n = (float) Math.sqrt(VecOps.dot(row, 0, row, 0, dim));
            if (n > 0) VecOps.scale(1f / n, row, 0, dim);
            int base = offset(r, dim);
            for (int d = 0; d < dim; d++) {
                blocks[base + d * LANES] = row[d];
            }
        }
        return new TopK(blocks, rows, dim);
    }

    /** Where row r's component 0 is; component d is {@code d * LANES} further. */
    private static int offset(int r, int dim) {
        return (r / LANES) * dim * LANES + r % LANES;
    }

    public int rows() { return rows; }

    public int dim() { return dim; }

    /** The blocks of {@link #LANES} rows a scan goes over: {@link #scanBlocks} takes ranges of them. */
    int blockCount() {
        return (rows + LANES - 1) / LANES;
    }

    /**
     * How many rows a query for k rows excluding {@code exclude} gets: k, or fewer where there are fewer rows
     * (0: none).
     */
    int rowsFor(int k, int exclude) {
        return Math.max(0, Math.min(k, rows - (exclude >= 0 && exclude < rows ? 1 : 0)));
    }

    /**
     * Offers the rows of blocks {@code [fromBlock, toBlock)} to the heaps of {@code n} queries (query j:
     * q[j][qo[j]..qo[j]+dim), excluding row exclude[j], into best[j]). The ranges of one query may come in any
     * order: once every block has been offered, each heap holds what {@link #nearest(float[], int, int, int,
     * float[])} would answer.
     */
    void scanBlocks(float[][] q, int[] qo, int n, int[] exclude, Heap[] best, int fromBlock, int toBlock) {
        scanBlocks(q, qo, n, exclude, best, fromBlock, toBlock, !VecOps.SCALAR);
    }

    /** {@link #scanBlocks} on the vector kernels or the scalar loop (for tests). */
    private void scanBlocks(float[][] q, int[] qo, int n, int[] exclude, Heap[] best, int fromBlock, int toBlock,
                            boolean simd) {
        if (!simd) {
            int end = Math.min(rows, toBlock * LANES);
            for (int r = fromBlock * LANES; r < end; r++) {
                for (int j = 0; j < n; j++) {
                    if (r != exclude[j]) {
                        float s = score(q[j], qo[j], r);
                        if (s >= best[j].threshold()) best[j].offer(s, r);
                    }
                }
            }
        } else if (n == 1) {
            SimdOps.scan(q[0], qo[0], blocks, rows, dim, exclude[0], best[0], fromBlock, toBlock);
        } else {
            SimdOps.scanBatch(q, qo, n, blocks, rows, dim, exclude, best, fromBlock, toBlock);
        }
    }

    /** Copies normalised row {@code r} into {@code out} and returns it. */
    public float[] unitRow(int r, float[] out) {
        int base = offset(r, dim);
        for (int d = 0; d < dim; d++) {
            out[d] = blocks[base + d * LANES];
        }
        return out;
    }

    /** Row r's score against vec[off..off+dim): the multiply-adds in component order, as the scan computes it. */
    private float score(float[] vec, int off, int r) {
        int base = offset(r, dim);
        float s = 0f;
        for (int d = 0; d < dim; d++) {
            s = Math.fma(vec[off + d], blocks[base + d * LANES], s);
        }
        return s;
    }

    public float cosine(int a, int b) {
        return score(unitRow(a, new float[dim]), 0, b);
    }

    /** The k rows most cosine-similar to row {@code q}, excluding q itself, best first. */
    public int[] nearest(int q, int k) {
        return nearest(unitRow(q, new float[dim]), 0, k, q, null);
    }

    /**
     * The k rows most similar to the (not necessarily normalised) vector at vec[off..off+dim), excluding
     * row {@code exclude} (-1 for none). Scores (cosine if vec is unit) go to {@code scoresOut} if non-null.
     */
    public int[] nearest(float[] vec, int off, int k, int exclude, float[] scoresOut) {
        return nearest(vec, off, k, exclude, scoresOut, !VecOps.SCALAR);
    }

    /** {@link #nearest(float[], int, int, int, float[])} on the vector kernel or the scalar loop (for tests). */
    int[] nearest(float[] vec, int off, int k, int exclude, float[] scoresOut, boolean simd) {
        k = rowsFor(k, exclude);
        if (k <= 0) return new int[0];
        Heap best = new Heap(k);
        if (simd) {
            SimdOps.scan(vec, off, blocks, rows, dim, exclude, best, 0, blockCount());
        } else {
            for (int r = 0; r < rows; r++) {
                if (r != exclude) {
                    float s = score(vec, off, r);
                    if (s > best.threshold()) best.offer(s, r);
                }
            }
        }
        return best.drain(scoresOut);
    }

    /**
     * Several queries in one pass over the rows: query {@code i} is
     * {@link #nearest(float[], int, int, int, float[]) nearest(vecs[i], offs[i], ks[i], excludes[i], scoresOut[i])}
     * ({@code scoresOut} or its entries may be null), and its answer is exactly that call's: the same rows in the
     * same order with the same scores. Each block of rows is loaded once for all the queries (each with its own
     * accumulators and its own heap), so a batch costs less than its queries one by one where the scan waits on
     * memory.
     */
    public int[][] nearest(float[][] vecs, int[] offs, int[] ks, int[] excludes, float[][] scoresOut, int count) {
        return nearest(vecs, offs, ks, excludes, scoresOut, count, !VecOps.SCALAR);
    }

    /** The batch on the vector kernel or the scalar loop (for tests). */
    int[][] nearest(float[][] vecs, int[] offs, int[] ks, int[] excludes, float[][] scoresOut, int count,
                    boolean simd) {
        int[][] out = new int[count][];
        Heap[] heaps = new Heap[count];
        int[] active = new int[count]; // the queries that want at least one row
        int n = 0;
        for (int i = 0; i < count; i++) {
            int k = rowsFor(ks[i], excludes[i]);
            if (k <= 0) {
                out[i] = new int[0];
            } else {
                heaps[i] = new Heap(k);
                active[n++] = i;
            }
        }
        if (n == 1) {
            int i = active[0];
            return singleInBatch(out, i, nearest(vecs[i], offs[i], ks[i], excludes[i], scoresOut(scoresOut, i), simd));
        }
        if (n > 0) {
            float[][] q = new float[n][];
            int[] qo = new int[n];
            int[] ex = new int[n];
            Heap[] best = new Heap[n];
            for (int j = 0; j < n; j++) {
                int i = active[j];
                q[j] = vecs[i];
                qo[j] = offs[i];
                ex[j] = excludes[i];
                best[j] = heaps[i];
            }
            scanBlocks(q, qo, n, ex, best, 0, blockCount(), simd);
            for (int j = 0; j < n; j++) {
                int i = active[j];
                out[i] = heaps[i].drain(scoresOut(scoresOut, i));
            }
        }
        return out;
    }

    private static int[][] singleInBatch(int[][] out, int i, int[] found) {
        out[i] = found;
        return out;
    }

    private static float[] scoresOut(float[][] scoresOut, int i) {
        return scoresOut == null ? null : scoresOut[i];
    }

    /**
     * True iff b is among the k rows most similar to a (excluding a): counts rows strictly closer than b
     * and stops at k, so the common miss case exits early. Equivalent to nearest(a, k) containing b up to ties.
     */
    public boolean inTopK(int a, int b, int k) {
        if (a == b) return false;
        float[] q = unitRow(a, new float[dim]);
        float sb = score(q, 0, b);
        if (!VecOps.SCALAR) {
            return SimdOps.fewerAbove(q, 0, blocks, rows, dim, sb, a, b, k);
        }
        int better = 0;
        for (int r = 0; r < rows; r++) {
            if (r != a && r != b && score(q, 0, r) > sb && ++better >= k) return false;
        }
        return true;
    }

    /**
     * The k best (score, row) pairs offered so far, in any order: a min-heap whose root is the worst kept (the
     * lower score; of equal scores the higher row).
     */
    static final class Heap {
        private final int k;
        private final int[] rows;
        private final float[] scores;
        private int n;

        Heap(int k) {
            this.k = k;
            this.rows = new int[k];
            this.scores = new float[k];
        }

        /** What a row must score above to get in: the worst kept, once k are kept. */
        float threshold() {
            return n < k ? Float.NEGATIVE_INFINITY : scores[0];
        }

        /**
         * Offers a row that scores at least {@link #threshold()}: kept if it ranks before the worst kept (a higher
         * score, or the same score and a lower row), or while fewer than k are kept.
         */
        void offer(float score, int row) {
            if (n == k && !worse(scores[0], rows[0], score, row)) {
                return; // a tie with the worst kept, and a later row
            }
            if (n < k) {
                int i = n++;
                while (i > 0) { // sift up
                    int parent = (i - 1) >>> 1;
                    if (!worse(score, row, scores[parent], rows[parent])) break;
                    scores[i] = scores[parent];
                    rows[i] = rows[parent];
                    i = parent;
                }
                scores[i] = score;
                rows[i] = row;
            } else {
                siftDown(0, score, row, k);
            }
        }

        /** Puts (score, row) at {@code i} and moves it down within the first {@code size} entries. */
        private void siftDown(int i, float score, int row, int size) {
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) break;
                if (child + 1 < size && worse(scores[child + 1], rows[child + 1], scores[child], rows[child])) child++;
                if (!worse(scores[child], rows[child], score, row)) break;
                scores[i] = scores[child];
                rows[i] = rows[child];
                i = child;
            }
            scores[i] = score;
            rows[i] = row;
        }

        private static boolean worse(float s1, int r1, float s2, int r2) {
            return s1 < s2 || (s1 == s2 && r1 > r2);
        }

        /** The rows kept, best first (their scores to {@code scoresOut} if non-null); empties the heap. */
        int[] drain(float[] scoresOut) {
            int count = n;
            int[] out = new int[count];
            float[] outScores = new float[count];
            for (int i = count - 1; i >= 0; i--) { // pop the worst into the last free place
                out[i] = rows[0];
                outScores[i] = scores[0];
                n--;
                if (n > 0) siftDown(0, scores[n], rows[n], n);
            }
            if (scoresOut != null) System.arraycopy(outScores, 0, scoresOut, 0, count);
            return out;
        }
    }
}
