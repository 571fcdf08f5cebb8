package io.streamvec.song2vec.model;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernels behind {@link VecOps}. Only loaded when {@code jdk.incubator.vector} is in the
 * boot layer. 256-bit lanes measured as fast as or faster than 512-bit at dim 32 on AVX-512 hardware;
 * {@code -Dsong2vec.vectorBits=128|256|512|preferred} overrides.
 */
final class SimdOps {
    private SimdOps() {}

    static final VectorSpecies<Float> S = species(System.getProperty("song2vec.vectorBits", "256"));

    private static VectorSpecies<Float> species(String bits) {
        return switch (bits) {
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> FloatVector.SPECIES_PREFERRED;
        };
    }

    static String describe() {
        return "vector(" + S.vectorBitSize() + " bit)";
    }

    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        for (; i < bound; i += S.length()) {
            acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    static void axpy(float g, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        FloatVector gv = FloatVector.broadcast(S, g);
        for (; i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).fma(gv, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += g * x[xo + i];
        }
    }

    static void axpyBoth(float g, float[] row, int ro, float[] acc, int ao, float[] x, int xo, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        FloatVector gv = FloatVector.broadcast(S, g);
        for (; i < bound; i += S.length()) {
            FloatVector r = FloatVector.fromArray(S, row, ro + i);
            r.fma(gv, FloatVector.fromArray(S, acc, ao + i)).intoArray(acc, ao + i);
            FloatVector.fromArray(S, x, xo + i).fma(gv, r).intoArray(row, ro + i);
        }
        for (; i < n; i++) {
            float r = row[ro + i];
            acc[ao + i] += g * r;
            row[ro + i] = r + g * x[xo + i];
        }
    }

    /** True when {@link #negativeUpdates32} applies: 256-bit lanes, so a row of 32 floats is four vectors. */
    static final boolean FUSED_32 = S.length() == 8;

    /**
     * The negative-sampling updates of one hidden vector at dim 32 ({@link VecOps#negativeUpdates}), with the
     * hidden vector and the accumulated error held in registers across the targets: each output row is loaded
     * once and stored once. The operations and their order are those of {@link #dot} then {@link #axpyBoth}
     * per target, so the results are the same bit for bit.
     */
    static void negativeUpdates32(float[] out, int[] targets, int n, float[] in, int io, float[] acc,
                                  float alpha, boolean exactSigmoid) {
        final VectorSpecies<Float> s = S;
        FloatVector h0 = FloatVector.fromArray(s, in, io);
        FloatVector h1 = FloatVector.fromArray(s, in, io + 8);
        FloatVector h2 = FloatVector.fromArray(s, in, io + 16);
        FloatVector h3 = FloatVector.fromArray(s, in, io + 24);
        FloatVector e0 = FloatVector.fromArray(s, acc, 0);
        FloatVector e1 = FloatVector.fromArray(s, acc, 8);
        FloatVector e2 = FloatVector.fromArray(s, acc, 16);
        FloatVector e3 = FloatVector.fromArray(s, acc, 24);
        FloatVector zero = FloatVector.zero(s);
        for (int k = 0; k < n; k++) {
            int o = targets[k] * 32;
            FloatVector r0 = FloatVector.fromArray(s, out, o);
            FloatVector r1 = FloatVector.fromArray(s, out, o + 8);
            FloatVector r2 = FloatVector.fromArray(s, out, o + 16);
            FloatVector r3 = FloatVector.fromArray(s, out, o + 24);
            FloatVector d = h0.fma(r0, zero);
            d = h1.fma(r1, d);
            d = h2.fma(r2, d);
            d = h3.fma(r3, d);
            float f = d.reduceLanes(VectorOperators.ADD);
            float label = k == 0 ? 1f : 0f;
            float g = (label - (exactSigmoid ? Sigmoid.exact(f) : Sigmoid.fast(f))) * alpha;
            FloatVector gv = FloatVector.broadcast(s, g);
            e0 = r0.fma(gv, e0);
            e1 = r1.fma(gv, e1);
            e2 = r2.fma(gv, e2);
            e3 = r3.fma(gv, e3);
            h0.fma(gv, r0).intoArray(out, o);
            h1.fma(gv, r1).intoArray(out, o + 8);
            h2.fma(gv, r2).intoArray(out, o + 16);
            h3.fma(gv, r3).intoArray(out, o + 24);
        }
        e0.intoArray(acc, 0);
        e1.intoArray(acc, 8);
        e2.intoArray(acc, 16);
        e3.intoArray(acc, 24);
    }

    static void sumRows(float[] m, int[] rows, int count, int n, float[] out) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector acc = FloatVector.zero(S);
            for (int r = 0; r < count; r++) {
                acc = acc.add(FloatVector.fromArray(S, m, rows[r] * n + i));
            }
            acc.intoArray(out, i);
        }
        for (; i < n; i++) {
            float acc = 0f;
            for (int r = 0; r < count; r++) {
                acc += m[rows[r] * n + i];
            }
            out[i] = acc;
        }
    }

    static void add(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).add(FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += x[xo + i];
        }
    }

    /**
     * Offers every row of {@link TopK}'s block-transposed matrix (blocks of {@code S.length()} rows) except
     * {@code exclude} to {@code best}, scored against q[qo..qo+dim): per block one accumulator of the lanes'
     * multiply-adds in component order, eight blocks at a time (eight independent chains of multiply-adds keep
     * both FMA units busy); a block none of whose rows reaches the heap's threshold costs one comparison. Only
     * the blocks {@code [fromBlock, toBlock)}: a scan may be cut into ranges taken in any order (a row that ties
     * the worst kept is offered, and the heap decides by row).
     */
    static void scan(float[] q, int qo, float[] blocks, int rows, int dim, int exclude, TopK.Heap best,
                     int fromBlock, int toBlock) {
        int lanes = S.length();
        int stride = dim * lanes;
        float[] lane = new float[lanes];
        float threshold = best.threshold();
        int b = fromBlock;
        for (; b + 8 <= toBlock; b += 8) {
            FloatVector s0 = FloatVector.zero(S);
            FloatVector s1 = FloatVector.zero(S);
            FloatVector s2 = FloatVector.zero(S);
            FloatVector s3 = FloatVector.zero(S);
            FloatVector s4 = FloatVector.zero(S);
            FloatVector s5 = FloatVector.zero(S);
            FloatVector s6 = FloatVector.zero(S);
            FloatVector s7 = FloatVector.zero(S);
            int o = b * stride;
            for (int d = 0; d < dim; d++, o += lanes) {
                FloatVector x = FloatVector.broadcast(S, q[qo + d]);
                s0 = x.fma(FloatVector.fromArray(S, blocks, o), s0);
                s1 = x.fma(FloatVector.fromArray(S, blocks, o + stride), s1);
                s2 = x.fma(FloatVector.fromArray(S, blocks, o + 2 * stride), s2);
                s3 = x.fma(FloatVector.fromArray(S, blocks, o + 3 * stride), s3);
                s4 = x.fma(FloatVector.fromArray(S, blocks, o + 4 * stride), s4);
                s5 = x.fma(FloatVector.fromArray(S, blocks, o + 5 * stride), s5);
                s6 = x.fma(FloatVector.fromArray(S, blocks, o + 6 * stride), s6);
                s7 = x.fma(FloatVector.fromArray(S, blocks, o + 7 * stride), s7);
            }
            if (s0.compare(VectorOperators.GE, threshold).anyTrue()) {
                s0.intoArray(lane, 0);
                threshold = offer(lane, b + 0, rows, exclude, best);
            }
            if (s1.compare(VectorOperators.GE, threshold).anyTrue()) {
                s1.intoArray(lane, 0);
                threshold = offer(lane, b + 1, rows, exclude, best);
            }
            if (s2.compare(VectorOperators.GE, threshold).anyTrue()) {
                s2.intoArray(lane, 0);
                threshold = offer(lane, b + 2, rows, exclude, best);
            }
            if (s3.compare(VectorOperators.GE, threshold).anyTrue()) {
                s3.intoArray(lane, 0);
                threshold = offer(lane, b + 3, rows, exclude, best);
            }
            if (s4.compare(VectorOperators.GE, threshold).anyTrue()) {
                s4.intoArray(lane, 0);
                threshold = offer(lane, b + 4, rows, exclude, best);
            }
            if (s5.compare(VectorOperators.GE, threshold).anyTrue()) {
                s5.intoArray(lane, 0);
                threshold = offer(lane, b + 5, rows, exclude, best);
            }
            if (s6.compare(VectorOperators.GE, threshold).anyTrue()) {
                s6.intoArray(lane, 0);
                threshold = offer(lane, b + 6, rows, exclude, best);
            }
            if (s7.compare(VectorOperators.GE, threshold).anyTrue()) {
                s7.intoArray(lane, 0);
                threshold = offer(lane, b + 7, rows, exclude, best);
            }
        }
        for (; b < toBlock; b++) {
            FloatVector s = FloatVector.zero(S);
            int o = b * stride;
            for (int d = 0; d < dim; d++, o += lanes) {
                s = FloatVector.broadcast(S, q[qo + d]).fma(FloatVector.fromArray(S, blocks, o), s);
            }
            if (s.compare(VectorOperators.GE, threshold).anyTrue()) {
                s.intoArray(lane, 0);
                threshold = offer(lane, b, rows, exclude, best);
            }
        }
    }

    /**
     * {@link #scan} for {@code n} queries at once: query j is q[j][qo[j]..qo[j]+dim), excluding row exclude[j],
     * offered to best[j]. Four blocks are scored against four queries at a time (sixteen accumulators; the queries
     * left over two or one at a time): each
     * block's loads serve four queries, and the four blocks (4 x dim x lanes floats) stay in the L1 cache while
     * every query of the batch goes over them. Every (row, query) score is the same chain of multiply-adds in
     * component order as {@link #scan}'s, and every row that may belong is offered to its query's heap, so each
     * heap ends exactly as a scan of its query alone would leave it. Only the blocks {@code [fromBlock, toBlock)}.
     */
    static void scanBatch(float[][] q, int[] qo, int n, float[] blocks, int rows, int dim, int[] exclude,
                          TopK.Heap[] best, int fromBlock, int toBlock) {
        int lanes = S.length();
        int stride = dim * lanes;
        float[] tile = new float[16 * lanes];
        float[] th = new float[n];
        for (int j = 0; j < n; j++) {
            th[j] = best[j].threshold();
        }
        int b = fromBlock;
        for (; b + 4 <= toBlock; b += 4) {
            int start = b * stride;
            int j = 0;
            for (; j + 4 <= n; j += 4) {
                float[] q0 = q[j];
                float[] q1 = q[j + 1];
                float[] q2 = q[j + 2];
                float[] q3 = q[j + 3];
                int p0 = qo[j];
                int p1 = qo[j + 1];
                int p2 = qo[j + 2];
                int p3 = qo[j + 3];
                FloatVector a00 = FloatVector.zero(S);
                FloatVector a01 = FloatVector.zero(S);
                FloatVector a02 = FloatVector.zero(S);
                FloatVector a03 = FloatVector.zero(S);
                FloatVector a10 = FloatVector.zero(S);
                FloatVector a11 = FloatVector.zero(S);
                FloatVector a12 = FloatVector.zero(S);
                FloatVector a13 = FloatVector.zero(S);
                FloatVector a20 = FloatVector.zero(S);
                FloatVector a21 = FloatVector.zero(S);
                FloatVector a22 = FloatVector.zero(S);
                FloatVector a23 = FloatVector.zero(S);
                FloatVector a30 = FloatVector.zero(S);
                FloatVector a31 = FloatVector.zero(S);
                FloatVector a32 = FloatVector.zero(S);
                FloatVector a33 = FloatVector.zero(S);
                for (int d = 0, o = start; d < dim; d++, o += lanes) {
                    FloatVector x0 = FloatVector.fromArray(S, blocks, o);
                    FloatVector x1 = FloatVector.fromArray(S, blocks, o + stride);
                    FloatVector x2 = FloatVector.fromArray(S, blocks, o + 2 * stride);
                    FloatVector x3 = FloatVector.fromArray(S, blocks, o + 3 * stride);
                    FloatVector y0 = FloatVector.broadcast(S, q0[p0 + d]);
                    a00 = y0.fma(x0, a00);
                    a01 = y0.fma(x1, a01);
                    a02 = y0.fma(x2, a02);
                    a03 = y0.fma(x3, a03);
                    FloatVector y1 = FloatVector.broadcast(S, q1[p1 + d]);
                    a10 = y1.fma(x0, a10);
                    a11 = y1.fma(x1, a11);
                    a12 = y1.fma(x2, a12);
                    a13 = y1.fma(x3, a13);
                    FloatVector y2 = FloatVector.broadcast(S, q2[p2 + d]);
                    a20 = y2.fma(x0, a20);
                    a21 = y2.fma(x1, a21);
                    a22 = y2.fma(x2, a22);
                    a23 = y2.fma(x3, a23);
                    FloatVector y3 = FloatVector.broadcast(S, q3[p3 + d]);
                    a30 = y3.fma(x0, a30);
                    a31 = y3.fma(x1, a31);
                    a32 = y3.fma(x2, a32);
                    a33 = y3.fma(x3, a33);
                }
                a00.intoArray(tile, 0 * lanes);
                a01.intoArray(tile, 1 * lanes);
                a02.intoArray(tile, 2 * lanes);
                a03.intoArray(tile, 3 * lanes);
                a10.intoArray(tile, 4 * lanes);
                a11.intoArray(tile, 5 * lanes);
                a12.intoArray(tile, 6 * lanes);
                a13.intoArray(tile, 7 * lanes);
                a20.intoArray(tile, 8 * lanes);
                a21.intoArray(tile, 9 * lanes);
                a22.intoArray(tile, 10 * lanes);
                a23.intoArray(tile, 11 * lanes);
                a30.intoArray(tile, 12 * lanes);
                a31.intoArray(tile, 13 * lanes);
                a32.intoArray(tile, 14 * lanes);
                a33.intoArray(tile, 15 * lanes);
                offerTile(tile, 4, j, 4, b, lanes, rows, exclude, best, th);
            }
            if (j + 2 <= n) { // two queries left over: four blocks, two queries
                float[] q0 = q[j];
                float[] q1 = q[j + 1];
                int p0 = qo[j];
                int p1 = qo[j + 1];
                FloatVector a00 = FloatVector.zero(S);
                FloatVector a01 = FloatVector.zero(S);
                FloatVector a02 = FloatVector.zero(S);
                FloatVector a03 = FloatVector.zero(S);
                FloatVector a10 = FloatVector.zero(S);
                FloatVector a11 = FloatVector.zero(S);
                FloatVector a12 = FloatVector.zero(S);
                FloatVector a13 = FloatVector.zero(S);
                for (int d = 0, o = start; d < dim; d++, o += lanes) {
                    FloatVector x0 = FloatVector.fromArray(S, blocks, o);
                    FloatVector x1 = FloatVector.fromArray(S, blocks, o + stride);
                    FloatVector x2 = FloatVector.fromArray(S, blocks, o + 2 * stride);
                    FloatVector x3 = FloatVector.fromArray(S, blocks, o + 3 * stride);
                    FloatVector y0 = FloatVector.broadcast(S, q0[p0 + d]);
                    a00 = y0.fma(x0, a00);
                    a01 = y0.fma(x1, a01);
                    a02 = y0.fma(x2, a02);
                    a03 = y0.fma(x3, a03);
                    FloatVector y1 = FloatVector.broadcast(S, q1[p1 + d]);
                    a10 = y1.fma(x0, a10);
                    a11 = y1.fma(x1, a11);
                    a12 = y1.fma(x2, a12);
                    a13 = y1.fma(x3, a13);
                }
                a00.intoArray(tile, 0);
                a01.intoArray(tile, lanes);
                a02.intoArray(tile, 2 * lanes);
                a03.intoArray(tile, 3 * lanes);
                a10.intoArray(tile, 4 * lanes);
                a11.intoArray(tile, 5 * lanes);
                a12.intoArray(tile, 6 * lanes);
                a13.intoArray(tile, 7 * lanes);
                offerTile(tile, 2, j, 4, b, lanes, rows, exclude, best, th);
                j += 2;
            }
            for (; j < n; j++) { // one query left over: four blocks, one query
                float[] q0 = q[j];
                int p0 = qo[j];
                FloatVector s0 = FloatVector.zero(S);
                FloatVector s1 = FloatVector.zero(S);
                FloatVector s2 = FloatVector.zero(S);
                FloatVector s3 = FloatVector.zero(S);
                for (int d = 0, o = start; d < dim; d++, o += lanes) {
                    FloatVector x = FloatVector.broadcast(S, q0[p0 + d]);
                    s0 = x.fma(FloatVector.fromArray(S, blocks, o), s0);
                    s1 = x.fma(FloatVector.fromArray(S, blocks, o + stride), s1);
                    s2 = x.fma(FloatVector.fromArray(S, blocks, o + 2 * stride), s2);
                    s3 = x.fma(FloatVector.fromArray(S, blocks, o + 3 * stride), s3);
                }
                s0.intoArray(tile, 0);
                s1.intoArray(tile, lanes);
                s2.intoArray(tile, 2 * lanes);
                s3.intoArray(tile, 3 * lanes);
                offerTile(tile, 1, j, 4, b, lanes, rows, exclude, best, th);
            }
        }
        for (; b < toBlock; b++) { // the blocks left over: one at a time, every query
            int start = b * stride;
            for (int j = 0; j < n; j++) {
                float[] q0 = q[j];
                int p0 = qo[j];
                FloatVector s = FloatVector.zero(S);
                for (int d = 0, o = start; d < dim; d++, o += lanes) {
                    s = FloatVector.broadcast(S, q0[p0 + d]).fma(FloatVector.fromArray(S, blocks, o), s);
                }
                s.intoArray(tile, 0);
                offerTile(tile, 1, j, 1, b, lanes, rows, exclude, best, th);
            }
        }
    }

    /**
     * Offers a tile of scores to the heaps: {@code queries} queries from {@code firstQuery} against {@code blocks}
     * blocks from {@code firstBlock}, query jj's scores of block bb at {@code (jj * blocks + bb) * lanes}; each
     * query's blocks in ascending order, a block only when one of its scores beats the query's threshold. A method
     * of its own that takes the scores in an array, not as vectors: a vector passed to a call the compiler does not
     * inline is boxed, an allocation per call.
     */
    private static void offerTile(float[] tile, int queries, int firstQuery, int blocks, int firstBlock, int lanes,
                                  int rows, int[] exclude, TopK.Heap[] best, float[] th) {
        for (int jj = 0; jj < queries; jj++) {
            int j = firstQuery + jj;
            float threshold = th[j];
            for (int bb = 0; bb < blocks; bb++) {
                int at = (jj * blocks + bb) * lanes;
                if (FloatVector.fromArray(S, tile, at).compare(VectorOperators.GE, threshold).anyTrue()) {
                    threshold = offer(tile, at, lanes, firstBlock + bb, rows, exclude[j], best[j]);
                }
            }
            th[j] = threshold;
        }
    }

    /** Offers the rows of block {@code block} (scores at scores[from..from+lanes)) that beat the heap's threshold. */
    private static float offer(float[] scores, int from, int lanes, int block, int rows, int exclude, TopK.Heap best) {
        int first = block * lanes;
        int end = Math.min(lanes, rows - first); // the last block's padding is no row
        for (int j = 0; j < end; j++) {
            if (first + j != exclude && scores[from + j] >= best.threshold()) {
                best.offer(scores[from + j], first + j);
            }
        }
        return best.threshold();
    }

    /** Offers the block's rows that beat the heap's threshold; returns the new threshold. */
    private static float offer(float[] lane, int block, int rows, int exclude, TopK.Heap best) {
        int first = block * lane.length;
        int end = Math.min(lane.length, rows - first); // the last block's padding is no row
        for (int j = 0; j < end; j++) {
            if (first + j != exclude && lane[j] >= best.threshold()) {
                best.offer(lane[j], first + j);
            }
        }
        return best.threshold();
    }

    /**
     * True when fewer than {@code k} rows other than {@code a} and {@code b} score above {@code threshold}
     * against q (scored as {@link #scan} scores them, on the same lanes); stops counting at k.
     */
    static boolean fewerAbove(float[] q, int qo, float[] blocks, int rows, int dim, float threshold, int a, int b,
                              int k) {
        int lanes = S.length();
        int stride = dim * lanes;
        int blockCount = (rows + lanes - 1) / lanes;
        int above = 0;
        int block = 0;
        for (; block + 4 <= blockCount; block += 4) {
            FloatVector s0 = FloatVector.zero(S);
            FloatVector s1 = FloatVector.zero(S);
            FloatVector s2 = FloatVector.zero(S);
            FloatVector s3 = FloatVector.zero(S);
            int o = block * stride;
            for (int d = 0; d < dim; d++, o += lanes) {
                FloatVector x = FloatVector.broadcast(S, q[qo + d]);
                s0 = x.fma(FloatVector.fromArray(S, blocks, o), s0);
                s1 = x.fma(FloatVector.fromArray(S, blocks, o + stride), s1);
                s2 = x.fma(FloatVector.fromArray(S, blocks, o + 2 * stride), s2);
                s3 = x.fma(FloatVector.fromArray(S, blocks, o + 3 * stride), s3);
            }
            above += count(s0.compare(VectorOperators.GT, threshold).toLong(), block, lanes, rows, a, b)
                    + count(s1.compare(VectorOperators.GT, threshold).toLong(), block + 1, lanes, rows, a, b)
                    + count(s2.compare(VectorOperators.GT, threshold).toLong(), block + 2, lanes, rows, a, b)
                    + count(s3.compare(VectorOperators.GT, threshold).toLong(), block + 3, lanes, rows, a, b);
            if (above >= k) {
                return false;
            }
        }
        for (; block < blockCount; block++) {
            FloatVector s = FloatVector.zero(S);
            for (int d = 0, o = block * stride; d < dim; d++, o += lanes) {
                s = FloatVector.broadcast(S, q[qo + d]).fma(FloatVector.fromArray(S, blocks, o), s);
            }
            above += count(s.compare(VectorOperators.GT, threshold).toLong(), block, lanes, rows, a, b);
            if (above >= k) {
                return false;
            }
        }
        return true;
    }

    /** The rows of a block's lane mask, less rows a and b and the padding. */
    private static int count(long mask, int block, int lanes, int rows, int a, int b) {
        int n = 0;
        for (; mask != 0; mask &= mask - 1) {
            int r = block * lanes + Long.numberOfTrailingZeros(mask);
            if (r < rows && r != a && r != b) {
                n++;
            }
        }
        return n;
    }
}
