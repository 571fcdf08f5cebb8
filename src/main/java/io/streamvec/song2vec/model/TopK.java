package io.streamvec.song2vec.model;

/**
 * Brute-force cosine nearest neighbours over a snapshot of L2-normalised rows (75k x 32 is ~10 MB and a full
 * scan is ~2.4 MFLOP, well under a millisecond with the vector kernels). Zero rows (never trained) score 0.
 */
public final class TopK {
    private final int rows;
    private final int dim;
    private final float[] unit;

    private TopK(float[] unit, int rows, int dim) {
        this.unit = unit;
        this.rows = rows;
        this.dim = dim;
    }

    /** Snapshot of the first {@code rows} rows of a row-major matrix, normalised. */
    public static TopK of(float[] matrix, int rows, int dim) {
        float[] u = new float[rows * dim];
        System.arraycopy(matrix, 0, u, 0, rows * dim);
        for (int r = 0; r < rows; r++) {
            int off = r * dim;
            float n = (float) Math.sqrt(VecOps.dot(u, off, u, off, dim));
            if (n > 0) VecOps.scale(1f / n, u, off, dim);
        }
        return new TopK(u, rows, dim);
    }

    public int rows() { return rows; }

    /** Copies normalised row {@code r} into {@code out} and returns it. */
    public float[] unitRow(int r, float[] out) {
        System.arraycopy(unit, r * dim, out, 0, dim);
        return out;
    }

    public float cosine(int a, int b) {
        return VecOps.dot(unit, a * dim, unit, b * dim, dim);
    }

    /** The k rows most cosine-similar to row {@code q}, excluding q itself, best first. */
    public int[] nearest(int q, int k) {
        return nearest(unit, q * dim, k, q, null);
    }

    /**
     * The k rows most similar to the (not necessarily normalised) vector at vec[off..off+dim), excluding
     * row {@code exclude} (-1 for none). Scores (cosine if vec is unit) go to {@code scoresOut} if non-null.
     */
    public int[] nearest(float[] vec, int off, int k, int exclude, float[] scoresOut) {
        k = Math.min(k, rows - (exclude >= 0 && exclude < rows ? 1 : 0));
        if (k <= 0) return new int[0];
        int[] idx = new int[k];
        float[] sc = new float[k];
        int n = 0;
        float worst = Float.NEGATIVE_INFINITY;
        for (int r = 0; r < rows; r++) {
            if (r == exclude) continue;
            float s = VecOps.dot(vec, off, unit, r * dim, dim);
            if (n < k) {
                int p = n++;
                while (p > 0 && sc[p - 1] < s) { sc[p] = sc[p - 1]; idx[p] = idx[p - 1]; p--; }
                sc[p] = s; idx[p] = r;
                worst = sc[n - 1];
            } else if (s > worst) {
                int p = k - 1;
                while (p > 0 && sc[p - 1] < s) { sc[p] = sc[p - 1]; idx[p] = idx[p - 1]; p--; }
                sc[p] = s; idx[p] = r;
                worst = sc[k - 1];
            }
        }
        if (scoresOut != null) System.arraycopy(sc, 0, scoresOut, 0, k);
        return idx;
    }

    /**
     * True iff b is among the k rows most similar to a (excluding a): counts rows strictly closer than b
     * and stops at k, so the common miss case exits early. Equivalent to nearest(a, k) containing b up to ties.
     */
    public boolean inTopK(int a, int b, int k) {
        if (a == b) return false;
        int aoff = a * dim;
        float sb = VecOps.dot(unit, aoff, unit, b * dim, dim);
        int better = 0;
        for (int r = 0; r < rows; r++) {
            if (r == a || r == b) continue;
            if (VecOps.dot(unit, aoff, unit, r * dim, dim) > sb && ++better >= k) return false;
        }
        return true;
    }
}
