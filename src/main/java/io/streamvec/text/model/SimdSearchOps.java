package io.streamvec.text.model;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernels behind {@link SearchKernels}. Only loaded when {@code jdk.incubator.vector} is in the
 * boot layer. The int8 kernel widens 8, 16 or 32 bytes at a time to floats of the preferred width.
 */
final class SimdSearchOps {
    private SimdSearchOps() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Bytes with as many lanes as {@link #F}. */
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_64.length() == F.length()
            ? ByteVector.SPECIES_64
            : ByteVector.SPECIES_128.length() == F.length() ? ByteVector.SPECIES_128 : ByteVector.SPECIES_256;

    static String describe() {
        return "vector(" + F.vectorBitSize() + " bit)";
    }

    static float dot(float[] q, float[] rows, int ro) {
        int n = q.length;
        int i = 0;
        int step = F.length();
        int bound2 = n - n % (2 * step);
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        for (; i < bound2; i += 2 * step) {
            a0 = FloatVector.fromArray(F, q, i).fma(FloatVector.fromArray(F, rows, ro + i), a0);
            a1 = FloatVector.fromArray(F, q, i + step).fma(FloatVector.fromArray(F, rows, ro + i + step), a1);
        }
        int bound = F.loopBound(n);
        for (; i < bound; i += step) {
            a0 = FloatVector.fromArray(F, q, i).fma(FloatVector.fromArray(F, rows, ro + i), a0);
        }
        float s = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s = Math.fma(q[i], rows[ro + i], s);
        }
        return s;
    }

    static float dotInt8(float[] q, byte[] codes, int co) {
        int n = q.length;
        int i = 0;
        int step = F.length();
        int bound = F.loopBound(n);
        FloatVector a0 = FloatVector.zero(F);
        for (; i < bound; i += step) {
            FloatVector c = (FloatVector) ByteVector.fromArray(B, codes, co + i).castShape(F, 0);
            a0 = FloatVector.fromArray(F, q, i).fma(c, a0);
        }
        float s = a0.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s = Math.fma(q[i], codes[co + i], s);
        }
        return s;
    }
}
