package io.streamvec.text.model;

/**
 * The k best (score, row) pairs seen, as a min-heap on primitive arrays: a better pair replaces the worst in
 * log k. Of equal scores the smaller row is better, so a scan in row order keeps the earlier rows.
 */
final class TopK {
    private final int[] rows;
    private final float[] scores;
    private int size;

    TopK(int k) {
        rows = new int[k];
        scores = new float[k];
    }

    int size() {
        return size;
    }

    /** The score a pair must beat to enter once the heap is full ({@code -Infinity} before). */
    float threshold() {
        return size < rows.length ? Float.NEGATIVE_INFINITY : scores[0];
    }

    void offer(int row, float score) {
        if (size < rows.length) {
            int i = size++;
            rows[i] = row;
            scores[i] = score;
            up(i);
        } else if (better(score, row, scores[0], rows[0])) {
            rows[0] = row;
            scores[0] = score;
            down(0);
        }
    }

    /** Writes the pairs kept into {@code outRows} and {@code outScores}, best first; returns their count and empties the heap. */
    int drainBestFirst(int[] outRows, float[] outScores) {
        int n = size;
        for (int i = n - 1; i >= 0; i--) {
            outRows[i] = rows[0];
            outScores[i] = scores[0];
            size--;
            if (size > 0) {
                rows[0] = rows[size];
                scores[0] = scores[size];
                down(0);
            }
        }
        return n;
    }

    private static boolean better(float s, int r, float s2, int r2) {
        return s > s2 || (s == s2 && r < r2);
    }

    private void up(int i) {
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (!better(scores[p], rows[p], scores[i], rows[i])) {
                return;
            }
            swap(i, p);
            i = p;
        }
    }

    private void down(int i) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int worst = l;
            int r = l + 1;
            if (r < size && better(scores[l], rows[l], scores[r], rows[r])) {
                worst = r;
            }
            if (!better(scores[i], rows[i], scores[worst], rows[worst])) {
                return;
            }
            swap(i, worst);
            i = worst;
        }
    }

    private void swap(int a, int b) {
        int tr = rows[a];
        rows[a] = rows[b];
        rows[b] = tr;
        float ts = scores[a];
        scores[a] = scores[b];
        scores[b] = ts;
    }
}
