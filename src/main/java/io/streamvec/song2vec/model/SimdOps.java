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
     * both FMA units busy); a block none of whose rows beats the heap's threshold costs one comparison. Rows are
     * offered in ascending order.
     */
    static void scan(float[] q, int qo, float[] blocks, int rows, int dim, int exclude, TopK.Heap best) {
        int lanes = S.length();
        int stride = dim * lanes;
        int blockCount = (rows + lanes - 1) / lanes;
        float[] lane = new float[lanes];
        float threshold = best.threshold();
        int b = 0;
        for (; b + 8 <= blockCount; b += 8) {
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
            if (s0.compare(VectorOperators.GT, threshold).anyTrue()) {
                s0.intoArray(lane, 0);
                threshold = offer(lane, b + 0, rows, exclude, best);
            }
            if (s1.compare(VectorOperators.GT, threshold).anyTrue()) {
                s1.intoArray(lane, 0);
                threshold = offer(lane, b + 1, rows, exclude, best);
            }
            if (s2.compare(VectorOperators.GT, threshold).anyTrue()) {
                s2.intoArray(lane, 0);
                threshold = offer(lane, b + 2, rows, exclude, best);
            }
            if (s3.compare(VectorOperators.GT, threshold).anyTrue()) {
                s3.intoArray(lane, 0);
                threshold = offer(lane, b + 3, rows, exclude, best);
            }
            if (s4.compare(VectorOperators.GT, threshold).anyTrue()) {
                s4.intoArray(lane, 0);
                threshold = offer(lane, b + 4, rows, exclude, best);
            }
            if (s5.compare(VectorOperators.GT, threshold).anyTrue()) {
                s5.intoArray(lane, 0);
                threshold = offer(lane, b + 5, rows, exclude, best);
            }
            if (s6.compare(VectorOperators.GT, threshold).anyTrue()) {
                s6.intoArray(lane, 0);
                threshold = offer(lane, b + 6, rows, exclude, best);
            }
            if (s7.compare(VectorOperators.GT, threshold).anyTrue()) {
                s7.intoArray(lane, 0);
                threshold = offer(lane, b + 7, rows, exclude, best);
            }
        }
        for (; b < blockCount; b++) {
            FloatVector s = FloatVector.zero(S);
            int o = b * stride;
            for (int d = 0; d < dim; d++, o += lanes) {
                s = FloatVector.broadcast(S, q[qo + d]).fma(FloatVector.fromArray(S, blocks, o), s);
            }
            if (s.compare(VectorOperators.GT, threshold).anyTrue()) {
                s.intoArray(lane, 0);
                threshold = offer(lane, b, rows, exclude, best);
            }
        }
    }

    /** Offers the block's rows that beat the heap's threshold; returns the new threshold. */
    private static float offer(float[] lane, int block, int rows, int exclude, TopK.Heap best) {
        int first = block * lane.length;
        int end = Math.min(lane.length, rows - first); // the last block's padding is no row
        for (int j = 0; j < end; j++) {
            if (first + j != exclude && lane[j] > best.threshold()) {
                best.offer(lane[j], first + j);
            }
        }
        return best.threshold();
    }

    /**
     * True when fewer than {@code k} rows other than {@code a} and {@code b} score above {@code threshold}
     * against q (scored as {@link #scan} scores them); stops counting at k.
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
