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
}
