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

    /**
     * The negative-sampling updates of one hidden vector {@code in[io..io+dim)} against the output rows
     * {@code targets[0..n)} of {@code out}, the first the positive one: for each target in order,
     * f = dot(in, row), g = (label - sigmoid(f)) * alpha (label 1 for the first, 0 after), then
     * acc += g * row (the row before its update) and row += g * in. A target listed twice sees its first update.
     * At dim 32 with the Vector API the hidden vector and acc stay in registers across the targets (each row is
     * loaded and stored once); the results are the same bit for bit as {@link #dot} and {@link #axpyBoth} per target.
     */
    public static void negativeUpdates(float[] out, int[] targets, int n, float[] in, int io, float[] acc, int dim,
                                       float alpha, boolean exactSigmoid) {
        if (!SCALAR && dim == 32 && SimdOps.FUSED_32) {
            SimdOps.negativeUpdates32(out, targets, n, in, io, acc, alpha, exactSigmoid);
            return;
        }
        for (int k = 0; k < n; k++) {
            int row = targets[k] * dim;
            float f = dot(in, io, out, row, dim);
            float label = k == 0 ? 1f : 0f;
            float g = (label - (exactSigmoid ? Sigmoid.exact(f) : Sigmoid.fast(f))) * alpha;
            axpyBoth(g, out, row, acc, 0, in, io, dim);
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
