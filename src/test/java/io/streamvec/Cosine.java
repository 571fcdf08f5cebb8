package io.streamvec;

/** The cosine similarity the tests compare vectors with, in double precision. */
public final class Cosine {

    private Cosine() {}

    /** cos(a, b); NaN when either is all zeros. */
    public static double of(float[] a, float[] b) {
        return of(a, 0, b, 0, a.length);
    }

    /** cos of {@code a[aOff, aOff + dim)} and {@code b[bOff, bOff + dim)}. */
    public static double of(float[] a, int aOff, float[] b, int bOff, int dim) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < dim; i++) {
            double x = a[aOff + i];
            double y = b[bOff + i];
            dot += x * y;
            na += x * x;
            nb += y * y;
        }
        return dot / Math.sqrt(na * nb);
    }
}
