package io.streamvec.song2vec.model;

/**
 * Dense float kernels on rows of row-major matrices. They use the Vector API ({@link SimdOps}) when the
 * JVM runs with {@code --add-modules jdk.incubator.vector}, and plain scalar loops otherwise (or with
 * {@code -Dsong2vec.scalar=true}). The choice is a static final, so the JIT folds the branch away.
 */
public final class VecOps {
    private VecOps() {}

    /** True when the scalar loops are in use. */
    public static final boolean SCALAR = Boolean.getBoolean("song2vec.scalar")
            || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty();

    public static String describe() {
        return SCALAR ? "scalar" : SimdOps.describe();
    }

    /** sum a[ao+i]*b[bo+i], i < n. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        if (!SCALAR) {
            return SimdOps.dot(a, ao, b, bo, n);
        }
        float s = 0f;
        for (int i = 0; i < n; i++) {
            s += a[ao + i] * b[bo + i];
        }
        return s;
    }

    /** y[yo+i] += g * x[xo+i]. */
    public static void axpy(float g, float[] x, int xo, float[] y, int yo, int n) {
        if (!SCALAR) {
            SimdOps.axpy(g, x, xo, y, yo, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            y[yo + i] += g * x[xo + i];
        }
    }

    /**
     * One output row's negative-sampling update, reading the row once: acc[ao+i] += g * row[ro+i] with the old
     * row, then row[ro+i] += g * x[xo+i]. Same results as {@link #axpy} twice in that order.
     */
    public static void axpyBoth(float g, float[] row, int ro, float[] acc, int ao, float[] x, int xo, int n) {
        if (!SCALAR) {
            SimdOps.axpyBoth(g, row, ro, acc, ao, x, xo, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            float r = row[ro + i];
            acc[ao + i] += g * r;
            row[ro + i] = r + g * x[xo + i];
        }
    }

    /** out[i] = sum over r < count of m[rows[r]*n + i], i < n: the sum of rows of an n-column matrix. */
    public static void sumRows(float[] m, int[] rows, int count, int n, float[] out) {
        if (!SCALAR) {
            SimdOps.sumRows(m, rows, count, n, out);
            return;
        }
        java.util.Arrays.fill(out, 0, n, 0f);
        for (int r = 0; r < count; r++) {
            int base = rows[r] * n;
            for (int i = 0; i < n; i++) {
                out[i] += m[base + i];
            }
        }
    }

    /** y[yo+i] += x[xo+i]. */
    public static void add(float[] x, int xo, float[] y, int yo, int n) {
        if (!SCALAR) {
            SimdOps.add(x, xo, y, yo, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            y[yo + i] += x[xo + i];
        }
    }

    /** x[xo+i] *= g. */
    public static void scale(float g, float[] x, int xo, int n) {
        for (int i = 0; i < n; i++) {
            x[xo + i] *= g;
        }
    }
}
