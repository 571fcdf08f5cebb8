package io.streamvec.text.model;

/**
 * Symmetric int8 quantization of a vector with one scale per vector: {@code v[i] ~ scale * code[i]}, codes in
 * [-127, 127], the largest magnitude mapped to 127. A unit vector's dot product with a query is then
 * {@code scale * sum q[i] * code[i]}, off by at most {@code scale / 2 * sum |q[i]|}.
 */
final class Int8Codes {
    private Int8Codes() {}

    /** Writes v's codes at {@code codes[off..off+v.length)} and returns the scale (0 for a zero vector). */
    static float encode(float[] v, byte[] codes, int off) {
        float max = 0f;
        for (float x : v) {
            max = Math.max(max, Math.abs(x));
        }
        if (max == 0f) {
            java.util.Arrays.fill(codes, off, off + v.length, (byte) 0);
            return 0f;
        }
        float inv = 127f / max;
        for (int i = 0; i < v.length; i++) {
            codes[off + i] = (byte) Math.max(-127, Math.min(127, Math.round(v[i] * inv)));
        }
        return max / 127f;
    }

    /** The vector the codes stand for. */
    static float[] decode(byte[] codes, int off, int dim, float scale) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) {
            v[i] = codes[off + i] * scale;
        }
        return v;
    }
}
