package io.streamvec.song2vec.model;

/** Precomputed logistic function on [-MAX, MAX], saturating outside (word2vec C semantics). */
public final class Sigmoid {
    private Sigmoid() {}

    public static final float MAX = 6f;
    private static final int SIZE = 4096;
    private static final float SCALE = SIZE / (2 * MAX);
    private static final float[] TABLE = new float[SIZE + 1];
    static {
        for (int i = 0; i <= SIZE; i++) {
            double x = (i / (double) SIZE) * 2 * MAX - MAX;
            TABLE[i] = (float) (1.0 / (1.0 + Math.exp(-x)));
        }
    }

    /** Table lookup with rounding to the nearest of 4097 points; |error| < 1e-3. */
    public static float fast(float x) {
        if (x >= MAX) return 1f;
        if (x <= -MAX) return 0f;
        return TABLE[(int) ((x + MAX) * SCALE + 0.5f)];
    }

    public static float exact(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }
}
