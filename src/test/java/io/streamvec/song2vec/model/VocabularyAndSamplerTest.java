package io.streamvec.song2vec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VocabularyAndSamplerTest {

    @Test
    void refusePolicyKeepsExistingSongs() {
        Vocabulary v = new Vocabulary(3, Vocabulary.FullPolicy.REFUSE, 4);
        assertEquals(0, v.admit("a"));
        assertEquals(1, v.admit("b"));
        assertEquals(2, v.admit("c"));
        assertEquals(-1, v.admit("d"));
        assertEquals(1, v.admit("b"));
        assertEquals(3, v.size());
    }

    @Test
    void evictionRecyclesTheLeastFrequentSlotAndReinitialisesRows() {
        SgnsConfig cfg = SgnsConfig.builder().capacity(4).dim(4).build();
        // sample size >= capacity: the exact least-frequent slot is chosen
        Vocabulary v = new Vocabulary(4, Vocabulary.FullPolicy.EVICT_LEAST_FREQUENT, 64);
        SgnsModel m = new SgnsModel(cfg, v);
        String[] ids = {"a", "b", "c", "d"};
        int[] counts = {5, 1, 3, 2};
        for (int i = 0; i < 4; i++) {
            int r = m.admit(ids[i]);
            for (int k = 0; k < counts[i]; k++) v.increment(r);
        }
        Arrays.fill(m.syn1neg, 1f);
        int slot = m.admit("e");
        assertEquals(1, slot, "b had the smallest count");
        assertEquals(-1, v.indexOf("b"));
        assertEquals(1, v.indexOf("e"));
        assertEquals(0, v.count(slot));
        for (int i = 0; i < 4; i++) assertEquals(0f, m.syn1neg[slot * 4 + i], "output row zeroed");
        assertEquals(1, v.evictions());
        v.increment(slot);
        // counts decide before recency: "e" (count 1) is still the least frequent, so it goes before d (2)
        assertEquals(slot, m.admit("f"));
    }

    @Test
    void evictionTieBreakPrefersLeastRecentlyAdmitted() {
        Vocabulary v = new Vocabulary(3, Vocabulary.FullPolicy.EVICT_LEAST_FREQUENT, 64);
        for (String s : new String[] {"a", "b", "c"}) v.increment(v.admit(s));
        int x = v.admit("x");           // all count 1: the oldest ("a") goes
        assertEquals(0, x);
        v.increment(x);
        assertEquals(1, v.admit("y"));  // then "b", not the fresh "x"
    }

    private static double[] frequencies(UnigramSampler s, int n, int draws) {
        double[] f = new double[n];
        long r = 1;
        for (int i = 0; i < draws; i++) {
            r = Rng.splitmix(r);
            f[s.sample(r)]++;
        }
        for (int i = 0; i < n; i++) f[i] /= draws;
        return f;
    }

    private static void assertUnigramPow(double[] got, long[] counts, double relTol) {
        double z = 0;
        for (long c : counts) z += Math.pow(c, 0.75);
        for (int i = 0; i < counts.length; i++) {
            double want = Math.pow(counts[i], 0.75) / z;
            assertEquals(want, got[i], relTol * want + 0.002, "row " + i);
        }
    }

    @Test
    void aliasAndReservoirSamplersFollowCountPow075AsCountsChange() {
        Vocabulary v = new Vocabulary(100);
        AliasUnigramSampler alias = new AliasUnigramSampler(v, 0.0, 1);
        ReservoirUnigramSampler res = new ReservoirUnigramSampler(1 << 13, 3);
        int n = 20;
        for (int i = 0; i < n; i++) v.admit("s" + i);
        Random rnd = new Random(1);
        // stream where song i has weight ~ (i+1)^2, interleaved
        List<Integer> stream = new ArrayList<>();
        for (int i = 0; i < n; i++) for (int k = 0; k < 30 * (i + 1) * (i + 1); k++) stream.add(i);
        java.util.Collections.shuffle(stream, rnd);
        long tokens = 0;
        for (int s : stream) {
            long c = v.increment(s);
            alias.onIncrement(s, c);
            res.onIncrement(s, c);
            alias.maintain(++tokens);
        }
        alias.rebuild();
        long[] counts = new long[n];
        for (int i = 0; i < n; i++) counts[i] = v.count(i);
        assertUnigramPow(frequencies(alias, n, 400_000), counts, 0.05);
        // the reservoir table (8192 cells, full: replacement regime) is unbiased but noisy per cell
        assertUnigramPow(frequencies(res, n, 400_000), counts, 0.2);
    }

    @Test
    void dirtyRowsAreTrackedAndDrained() {
        SgnsConfig cfg = SgnsConfig.builder().capacity(64).dim(8).window(2).negative(2).sample(0).build();
        SgnsModel m = new SgnsModel(cfg);
        SgnsTrainer t = new SgnsTrainer(m, 0);
        t.drainDirtyRows();
        PlaylistContext ctx = t.newContext(1);
        t.trainIds(ctx, List.of("a", "b", "c"));
        t.flush(ctx);
        int[][] d = t.drainDirtyRows();
        assertTrue(d[0].length >= 2, "input rows changed");
        assertTrue(d[1].length >= 1, "output rows changed");
        int[][] again = t.drainDirtyRows();
        assertEquals(0, again[0].length);
        assertEquals(0, again[1].length);
        assertNotEquals(0f, m.syn1neg[m.vocab.indexOf("b") * 8] + m.syn1neg[m.vocab.indexOf("a") * 8]);
    }

    @Test
    void topKMatchesSortAndRankTest() {
        Random rnd = new Random(2);
        int n = 500, dim = 32;
        float[] m = new float[n * dim];
        for (int i = 0; i < m.length; i++) m[i] = (float) rnd.nextGaussian();
        TopK t = TopK.of(m, n, dim);
        for (int q = 0; q < 20; q++) {
            int[] nn = t.nearest(q, 10);
            Integer[] all = new Integer[n];
            for (int i = 0; i < n; i++) all[i] = i;
            final int fq = q;
            Arrays.sort(all, (a, b) -> Float.compare(t.cosine(fq, b), t.cosine(fq, a)));
            int k = 0;
            for (int i = 0; i < n && k < 10; i++) if (all[i] != q) assertEquals((int) all[i], nn[k++]);
            for (int b = 0; b < n; b++) {
                boolean in = false;
                for (int x : nn) in |= x == b;
                assertEquals(in, t.inTopK(q, b, 10), "q=" + q + " b=" + b);
            }
        }
    }

    @Test
    void aFullVocabularyNeverRecyclesARowAdmittedButNotYetTrained() {
        Vocabulary vocab = new Vocabulary(64);
        for (int i = 0; i < 64; i++) {
            vocab.increment(vocab.admit("old-" + i));
        }
        java.util.Set<Integer> rows = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) { // one event of 20 new songs, admitted before any is trained
            rows.add(vocab.admit("new-" + i));
        }
        org.junit.jupiter.api.Assertions.assertEquals(20, rows.size(), "20 new songs, 20 distinct rows");
    }
}
