package io.streamvec.song2vec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Feeding a playlist in arbitrary chunks trains exactly the pairs (and updates) of feeding it at once. */
class IncrementalTrainingTest {

    static final int VOCAB = 30;

    static SgnsConfig config(SgnsConfig.Mode mode) {
        // aggressive subsampling (warm-up 0) so that dropped songs are exercised too
        return SgnsConfig.builder().mode(mode).dim(8).window(4).negative(3).alpha(0.05f)
                .sample(0.02).sampleWarmupTokens(0).minCount(1).capacity(64).seed(3).build();
    }

    static SgnsModel newModel(SgnsConfig cfg) {
        SgnsModel m = new SgnsModel(cfg);
        for (int i = 0; i < VOCAB; i++) m.admit("s" + i);
        return m;
    }

    record Pair(long center, long context) {}

    @ParameterizedTest
    @EnumSource(SgnsConfig.Mode.class)
    void chunkedArrivalEqualsWholePlaylist(SgnsConfig.Mode mode) {
        SgnsConfig cfg = config(mode);
        Random rnd = new Random(11);
        List<int[]> playlists = new ArrayList<>();
        for (int p = 0; p < 60; p++) {
            int[] s = new int[rnd.nextInt(40)];
            for (int i = 0; i < s.length; i++) s[i] = rnd.nextInt(VOCAB);
            playlists.add(s);
        }
        SgnsModel whole = newModel(cfg), chunked = newModel(cfg);
        SgnsTrainer tw = new SgnsTrainer(whole, 0), tc = new SgnsTrainer(chunked, 0);
        long dropped = 0;
        for (int p = 0; p < playlists.size(); p++) {
            int[] s = playlists.get(p);
            List<Pair> pw = new ArrayList<>(), pc = new ArrayList<>();
            tw.setPairObserver((c, x, cr, xr) -> pw.add(new Pair(c, x)));
            tc.setPairObserver((c, x, cr, xr) -> pc.add(new Pair(c, x)));

            PlaylistContext cw = tw.newContext(p);
            tw.train(cw, s, 0, s.length);
            tw.flush(cw);

            PlaylistContext cc = tc.newContext(p);
            int off = 0;
            while (off < s.length) {
                int len = Math.min(s.length - off, rnd.nextInt(4));   // chunks of 0..3 songs
                tc.train(cc, s, off, len);
                off += len;
                if (rnd.nextInt(5) == 0) cc = PlaylistContext.fromBytes(cc.toBytes()); // through the state store
            }
            tc.flush(cc);

            assertEquals(pw, pc, "same pairs in the same order, playlist " + p);
            // ... and they are gensim's pair set over the kept songs: |i - j| <= window - b(i), i != j
            Set<Pair> expected = new HashSet<>();
            long kept = cw.keptPosition();
            for (long i = 0; i < kept; i++) {
                int eff = cfg.window - cw.reduction(i);
                for (long j = Math.max(0, i - eff); j <= Math.min(kept - 1, i + eff); j++) {
                    if (j != i) expected.add(new Pair(i, j));
                }
            }
            assertEquals(expected, new HashSet<>(pw), "gensim pair set, playlist " + p);
            assertEquals(expected.size(), pw.size(), "no pair trained twice");
            dropped += s.length - kept;
        }
        assertTrue(dropped > 0, "subsampling was exercised");
        assertArrayEquals(whole.syn0, chunked.syn0);
        assertArrayEquals(whole.syn1neg, chunked.syn1neg);
    }
}
