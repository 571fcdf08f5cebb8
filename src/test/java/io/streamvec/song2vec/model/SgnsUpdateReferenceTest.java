package io.streamvec.song2vec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The float SGNS kernels against a direct double-precision transcription of the update rules. */
class SgnsUpdateReferenceTest {

    /** Replays a fixed list of negatives, ignoring the random bits. */
    static final class ScriptedSampler implements UnigramSampler {
        final int[] script;
        int pos;
        ScriptedSampler(int... script) { this.script = script; }
        @Override public void onIncrement(int idx, long newCount) { }
        @Override public void onEvict(int idx) { }
        @Override public int sample(long random) { return script[pos++ % script.length]; }
        @Override public String describe() { return "scripted"; }
    }

    static final int V = 6;

    private static SgnsModel model(int dim, int negative, boolean exact, UnigramSampler sampler) {
        SgnsConfig cfg = SgnsConfig.builder().dim(dim).negative(negative).alpha(0.05f).alphaDecayTokens(0)
                .exactSigmoid(exact).capacity(16).sample(0).build();
        SgnsModel m = new SgnsModel(cfg, new Vocabulary(16), sampler);
        for (int i = 0; i < V; i++) m.admit("s" + i);
        // non-trivial output vectors so that gradients flow both ways
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < V * dim; i++) { m.syn0[i] = (float) (r.nextGaussian() * 0.5); m.syn1neg[i] = (float) (r.nextGaussian() * 0.5); }
        return m;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    private static double sigmoid(double x) { return 1.0 / (1.0 + Math.exp(-x)); }

    /** Reference: input row `ctx` predicts `center`; negatives equal to center are skipped (gensim). */
    static void refSg(double[] syn0, double[] syn1, int dim, double alpha, int center, int ctx, int[] negs) {
        double[] e = new double[dim];
        for (int k = 0; k <= negs.length; k++) {
            int t = k == 0 ? center : negs[k - 1];
            if (k > 0 && t == center) continue;
            double label = k == 0 ? 1 : 0;
            double f = 0;
            for (int i = 0; i < dim; i++) f += syn0[ctx * dim + i] * syn1[t * dim + i];
            double g = (label - sigmoid(f)) * alpha;
            for (int i = 0; i < dim; i++) e[i] += g * syn1[t * dim + i];
            for (int i = 0; i < dim; i++) syn1[t * dim + i] += g * syn0[ctx * dim + i];
        }
        for (int i = 0; i < dim; i++) syn0[ctx * dim + i] += e[i];
    }

    /** Reference CBOW, cbow_mean=1: h = mean of inputs; every context input gets the full error (gensim). */
    static void refCbow(double[] syn0, double[] syn1, int dim, double alpha, int center, int[] ctx, int[] negs) {
        double[] h = new double[dim];
        for (int c : ctx) for (int i = 0; i < dim; i++) h[i] += syn0[c * dim + i];
        for (int i = 0; i < dim; i++) h[i] /= ctx.length;
        double[] e = new double[dim];
        for (int k = 0; k <= negs.length; k++) {
            int t = k == 0 ? center : negs[k - 1];
            if (k > 0 && t == center) continue;
            double label = k == 0 ? 1 : 0;
            double f = 0;
            for (int i = 0; i < dim; i++) f += h[i] * syn1[t * dim + i];
            double g = (label - sigmoid(f)) * alpha;
            for (int i = 0; i < dim; i++) e[i] += g * syn1[t * dim + i];
            for (int i = 0; i < dim; i++) syn1[t * dim + i] += g * h[i];
        }
        for (int c : ctx) for (int i = 0; i < dim; i++) syn0[c * dim + i] += e[i];
    }

    private static void assertClose(double[] ref, float[] got, int n, double tol) {
        for (int i = 0; i < n; i++) assertEquals(ref[i], got[i], tol, "element " + i);
    }

    @Test
    void skipGramMatchesDoubleReference() {
        for (int dim : new int[] {5, 32, 37}) {
            int[] negs = {3, 1, 4, 1, 5};  // includes the centre (1) twice: must be skipped
            SgnsModel m = model(dim, negs.length, true, new ScriptedSampler(negs));
            double[] r0 = toDouble(m.syn0), r1 = toDouble(m.syn1neg);
            SgnsTrainer t = new SgnsTrainer(m, 0);
            int[][] pairs = {{1, 2}, {2, 1}, {0, 1}, {1, 1}, {5, 0}};
            for (int[] p : pairs) {
                t.trainSgPair(p[0], p[1]);
                refSg(r0, r1, dim, 0.05, p[0], p[1], negs);
            }
            assertClose(r0, m.syn0, V * dim, 1e-5);
            assertClose(r1, m.syn1neg, V * dim, 1e-5);
        }
    }

    @Test
    void cbowMatchesDoubleReference() {
        for (int dim : new int[] {5, 32, 37}) {
            int[] negs = {2, 0, 4, 2};
            SgnsModel m = model(dim, negs.length, true, new ScriptedSampler(negs));
            double[] r0 = toDouble(m.syn0), r1 = toDouble(m.syn1neg);
            SgnsTrainer t = new SgnsTrainer(m, 0);
            int[][] ctxs = {{1, 3, 5}, {0}, {2, 2, 4, 1}};
            int[] centers = {0, 2, 3};
            for (int k = 0; k < centers.length; k++) {
                t.trainCbowCenter(centers[k], ctxs[k], ctxs[k].length);
                refCbow(r0, r1, dim, 0.05, centers[k], ctxs[k], negs);
            }
            assertClose(r0, m.syn0, V * dim, 1e-5);
            assertClose(r1, m.syn1neg, V * dim, 1e-5);
        }
    }

    @Test
    void sigmoidTableIsCloseToExact() {
        int dim = 32;
        int[] negs = {3, 4, 5};
        SgnsModel m = model(dim, negs.length, false, new ScriptedSampler(negs));
        double[] r0 = toDouble(m.syn0), r1 = toDouble(m.syn1neg);
        SgnsTrainer t = new SgnsTrainer(m, 0);
        t.trainSgPair(1, 2);
        refSg(r0, r1, dim, 0.05, 1, 2, negs);
        // table error < 1.5e-3 on sigmoid -> < 1e-4 on each update element here
        assertClose(r0, m.syn0, V * dim, 2e-4);
        assertClose(r1, m.syn1neg, V * dim, 2e-4);
        for (float x = -8; x <= 8; x += 0.001f) assertEquals(Sigmoid.exact(x), Sigmoid.fast(x), 2.5e-3);
    }

    /**
     * gensim 4 starts every input vector uniform in [-1/dim, 1/dim) (KeyedVectors.prep_vectors) and every output
     * vector at zero; at the defaults' small constant alpha the scale decides how soon training leaves the
     * popularity-only regime, so it is the same here.
     */
    @Test
    void initialRowsAreGensimsUniformRangeAndDependOnSeedAndIdOnly() {
        int dim = 32;
        SgnsConfig cfg = SgnsConfig.builder().dim(dim).seed(3).build();
        float[] in = new float[dim];
        float[] out = new float[dim];
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        double sum = 0;
        double sumSquares = 0;
        int n = 0;
        for (int s = 0; s < 2_000; s++) {
            java.util.Arrays.fill(out, 1f);
            SgnsModel.initialRow(cfg, "song-" + s, in, out, 0);
            for (int i = 0; i < dim; i++) {
                assertEquals(0f, out[i], "output vectors start at zero");
                double x = in[i] * dim; // uniform in [-1, 1)
                min = Math.min(min, x);
                max = Math.max(max, x);
                sum += x;
                sumSquares += x * x;
                n++;
            }
        }
        assertTrue(min >= -1 && max < 1, "inside [-1/dim, 1/dim): " + min + ".." + max);
        assertTrue(min < -0.99 && max > 0.99, "spans [-1/dim, 1/dim): " + min + ".." + max);
        assertEquals(0, sum / n, 0.01, "mean");
        assertEquals(1.0 / 3, sumSquares / n, 0.01, "variance of uniform(-1, 1)");

        float[] again = new float[dim];
        SgnsModel.initialRow(cfg, "song-1999", again, out, 0);
        assertArrayEquals(in, again, "a function of the seed and the id");
        SgnsModel.initialRow(SgnsConfig.builder().dim(dim).seed(4).build(), "song-1999", again, out, 0);
        assertFalse(java.util.Arrays.equals(in, again), "another seed, another start");
    }
}
