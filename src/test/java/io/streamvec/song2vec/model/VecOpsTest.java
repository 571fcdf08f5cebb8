package io.streamvec.song2vec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fused kernels against the plain loops they replace, at widths that do and do not fill whole vectors. */
class VecOpsTest {

    @Test
    void sumRowsIsTheSumOfTheListedRowsInOrder() {
        for (int n : new int[] {1, 7, 32, 37, 100}) {
            Random random = new Random(n);
            float[] m = randomFloats(random, 50 * n);
            int[] rows = {3, 41, 3, 0, 49, 17};
            float[] expected = new float[n];
            for (int row : rows) {
                for (int i = 0; i < n; i++) {
                    expected[i] += m[row * n + i];
                }
            }
            float[] out = randomFloats(random, n); // overwritten, not added to
            VecOps.sumRows(m, rows, rows.length, n, out);
            assertArrayEquals(expected, out, 0f, "n=" + n); // same additions in the same order: same rounding
        }
    }

    @Test
    void axpyBothMatchesTwoAxpysInThatOrder() {
        for (int n : new int[] {1, 7, 32, 37, 100}) {
            Random random = new Random(n);
            float[] row = randomFloats(random, 3 * n);
            float[] acc = randomFloats(random, n);
            float[] x = randomFloats(random, 2 * n);
            float[] rowExpected = row.clone();
            float[] accExpected = acc.clone();
            VecOps.axpy(0.37f, rowExpected, n, accExpected, 0, n);
            VecOps.axpy(0.37f, x, n, rowExpected, n, n);
            VecOps.axpyBoth(0.37f, row, n, acc, 0, x, n, n);
            assertArrayEquals(accExpected, acc, 0f, "acc, n=" + n);
            assertArrayEquals(rowExpected, row, 0f, "row, n=" + n);
        }
    }

    @Test
    void negativeUpdatesMatchDotThenAxpyBothPerTargetBitForBit() {
        for (int dim : new int[] {7, 32, 37}) {
            for (boolean exact : new boolean[] {false, true}) {
                Random random = new Random(dim * 31L + (exact ? 1 : 0));
                float[] out = randomFloats(random, 40 * dim);
                float[] in = randomFloats(random, 3 * dim);
                float[] acc = randomFloats(random, dim);
                // the positive first; a target listed twice, and one equal to the positive, see earlier updates
                int[] targets = {5, 17, 39, 17, 0, 5, 22, 9, 17, 31, 2};
                float alpha = 0.025f;
                float[] original = out.clone();
                float[] outExpected = out.clone();
                float[] accExpected = acc.clone();
                for (int k = 0; k < targets.length; k++) {
                    int row = targets[k] * dim;
                    float f = VecOps.dot(in, dim, outExpected, row, dim);
                    float g = ((k == 0 ? 1f : 0f) - (exact ? Sigmoid.exact(f) : Sigmoid.fast(f))) * alpha;
                    VecOps.axpyBoth(g, outExpected, row, accExpected, 0, in, dim, dim);
                }
                VecOps.negativeUpdates(out, targets, targets.length, in, dim, acc, dim, alpha, exact);
                assertArrayEquals(accExpected, acc, 0f, "acc, dim=" + dim + " exact=" + exact);
                assertArrayEquals(outExpected, out, 0f, "rows, dim=" + dim + " exact=" + exact);
                assertFalse(java.util.Arrays.equals(original, out), "the rows were updated");
            }
        }
    }

    private static float[] randomFloats(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }
}
