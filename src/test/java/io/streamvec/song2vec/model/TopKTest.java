package io.streamvec.song2vec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The top-k scan against a brute-force reference: every row scored in double precision from the normalised
 * input, sorted best first (lower row first on equal scores), cut at k. Sizes that do and do not fill whole
 * blocks and whole groups of blocks, k from 1 to beyond the row count.
 */
class TopKTest {

    private static final double TOLERANCE = 1e-5; // float against double rounding of a 32-term dot product

    private record Scored(int row, double score) {}

    /** The reference: all rows but {@code exclude}, scored in double, best first, ties by row. */
    private static List<Scored> bruteForce(float[] matrix, int rows, int dim, double[] query, int exclude) {
        List<Scored> all = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            if (r == exclude) {
                continue;
            }
            double norm = 0;
            double dot = 0;
            for (int d = 0; d < dim; d++) {
                norm += (double) matrix[r * dim + d] * matrix[r * dim + d];
                dot += query[d] * matrix[r * dim + d];
            }
            all.add(new Scored(r, norm > 0 ? dot / Math.sqrt(norm) : 0));
        }
        all.sort(Comparator.comparingDouble(Scored::score).reversed().thenComparingInt(Scored::row));
        return all;
    }

    private static float[] gaussian(Random random, int n) {
        float[] m = new float[n];
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) random.nextGaussian();
        }
        return m;
    }

    @Test
    void nearestIsTheBruteForceTopK() {
        for (int dim : new int[] {1, 5, 32, 37}) {
            for (int rows : new int[] {1, 7, 8, 9, 63, 64, 65, 127, 1000, 1003}) {
                Random random = new Random(31L * dim + rows);
                float[] matrix = gaussian(random, rows * dim);
                TopK topK = TopK.of(matrix, rows, dim);
                for (int k : new int[] {1, 10, 50, rows, rows + 5}) {
                    for (int exclude : new int[] {-1, rows / 2}) {
                        float[] query = gaussian(random, dim); // not normalised: scores are dot products
                        double[] exact = new double[dim];
                        for (int d = 0; d < dim; d++) {
                            exact[d] = query[d];
                        }
                        float[] scores = new float[k];
                        int[] found = topK.nearest(query, 0, k, exclude, scores);
                        check(bruteForce(matrix, rows, dim, exact, exclude), found, scores, k,
                                "dim " + dim + ", rows " + rows + ", k " + k + ", exclude " + exclude);
                    }
                }
            }
        }
    }

    /**
     * The same rows, the same scores up to rounding, in the same order; where two reference scores lie within the
     * rounding of each other, either order (and, at the cut, either row) is right.
     */
    private static void check(List<Scored> reference, int[] found, float[] scores, int k, String what) {
        int expected = Math.min(k, reference.size());
        assertEquals(expected, found.length, what);
        for (int i = 0; i < expected; i++) {
            assertEquals(reference.get(i).score(), scores[i], TOLERANCE, what + ", rank " + i);
            if (i > 0) {
                assertTrue(scores[i] <= scores[i - 1], what + ": not best first at rank " + i);
            }
            boolean tied = (i > 0 && reference.get(i - 1).score() - reference.get(i).score() < 2 * TOLERANCE)
                    || (i + 1 < reference.size() && reference.get(i).score() - reference.get(i + 1).score() < 2 * TOLERANCE);
            if (!tied) {
                assertEquals(reference.get(i).row(), found[i], what + ", rank " + i);
            }
        }
        Set<Integer> distinct = new HashSet<>();
        for (int row : found) {
            assertTrue(distinct.add(row), what + ": row " + row + " twice");
        }
    }

    @Test
    void equalScoresComeLowerRowFirstAndTheScoresAreTheCosinesExactly() {
        // Five distinct directions repeated, and rows never trained (zero): many exactly equal scores.
        int rows = 203;
        int dim = 32;
        Random random = new Random(7);
        float[] directions = gaussian(random, 5 * dim);
        float[] matrix = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            if (r % 7 != 3) {
                System.arraycopy(directions, (r % 5) * dim, matrix, r * dim, dim);
            }
        }
        TopK topK = TopK.of(matrix, rows, dim);
        for (int q : new int[] {0, 1, 3, 202}) {
            for (int k : new int[] {1, 5, 40, 100, rows}) {
                Integer[] all = new Integer[rows];
                for (int r = 0; r < rows; r++) {
                    all[r] = r;
                }
                int fq = q;
                java.util.Arrays.sort(all, (a, b) -> {
                    int byScore = Float.compare(topK.cosine(fq, b), topK.cosine(fq, a));
                    return byScore != 0 ? byScore : Integer.compare(a, b);
                });
                int[] expected = java.util.Arrays.stream(all).mapToInt(Integer::intValue).filter(r -> r != fq)
                        .limit(k).toArray();
                float[] scores = new float[k];
                int[] found = topK.nearest(topK.unitRow(q, new float[dim]), 0, k, q, scores);
                assertArrayEquals(expected, found, "q " + q + ", k " + k);
                for (int i = 0; i < found.length; i++) {
                    assertEquals(topK.cosine(q, found[i]), scores[i], 0f, "q " + q + ", rank " + i);
                }
            }
        }
    }

    @Test
    void inTopKAgreesWithNearestOnEveryPair() {
        int rows = 301;
        int dim = 32;
        TopK topK = TopK.of(gaussian(new Random(3), rows * dim), rows, dim);
        for (int a = 0; a < rows; a += 13) {
            for (int k : new int[] {1, 10, 100}) {
                Set<Integer> nearest = new HashSet<>();
                for (int row : topK.nearest(a, k)) {
                    nearest.add(row);
                }
                for (int b = 0; b < rows; b++) {
                    assertEquals(nearest.contains(b), topK.inTopK(a, b, k), "a " + a + ", b " + b + ", k " + k);
                }
            }
        }
    }

    @Test
    void theNormalisedRowsComeBackAsStored() {
        int rows = 11;
        int dim = 37;
        float[] matrix = gaussian(new Random(5), rows * dim);
        TopK topK = TopK.of(matrix, rows, dim);
        for (int r = 0; r < rows; r++) {
            float[] expected = java.util.Arrays.copyOfRange(matrix, r * dim, (r + 1) * dim);
            float norm = (float) Math.sqrt(VecOps.dot(expected, 0, expected, 0, dim));
            VecOps.scale(1f / norm, expected, 0, dim);
            assertArrayEquals(expected, topK.unitRow(r, new float[dim]), 0f, "row " + r);
        }
    }
}
