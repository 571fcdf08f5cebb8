package io.streamvec.text.model;

/**
 * The text index's scan kernels: a query's dot product with an fp32 row or with an int8 row. They use the Vector
 * API ({@link SimdSearchOps}) when the JVM runs with {@code --add-modules jdk.incubator.vector}, plain scalar
 * loops otherwise (or with {@code -Dstreamvec.search.scalar=true}). The choice is a static final, so the JIT folds
 * the branch away.
 */
public final class SearchKernels {
    private SearchKernels() {}

    /** True when the scalar loops are in use. */
    public static final boolean SCALAR = Boolean.getBoolean("streamvec.search.scalar")
            || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty();

    public static String describe() {
        return SCALAR ? "scalar" : SimdSearchOps.describe();
    }

    /** sum q[i] * rows[ro + i], i < q.length. */
    static float dot(float[] q, float[] rows, int ro) {
        if (!SCALAR) {
            return SimdSearchOps.dot(q, rows, ro);
        }
        float s = 0f;
        for (int i = 0; i < q.length; i++) {
            s = Math.fma(q[i], rows[ro + i], s);
        }
        return s;
    }

    /** sum q[i] * codes[co + i], i < q.length: the int8 row's dot product before its scale. */
    static float dotInt8(float[] q, byte[] codes, int co) {
        if (!SCALAR) {
            return SimdSearchOps.dotInt8(q, codes, co);
        }
        float s = 0f;
        for (int i = 0; i < q.length; i++) {
            s = Math.fma(q[i], codes[co + i], s);
        }
        return s;
    }
}
