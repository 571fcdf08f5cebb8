package io.streamvec.song2vec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.song2vec.data.SyntheticPlaylists;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The queries of several songs: gensim's most_similar, the continuation of any list, the most trained songs. */
class NeighborIndexQueriesTest {

    private static final List<String> PLANE_IDS = List.of("a", "b", "c", "d", "e");
    /** a = x, b = y, c = (x+y), d = (x-y), e = -x (lengths differ: only directions count). */
    private static final float[] PLANE = {2, 0, 0, 3, 1, 1, 5, -5, -1, 0};

    private static NeighborIndex plane() {
        return NeighborIndex.of(PLANE_IDS, new long[] {5, 4, 3, 2, 1}, PLANE, 2);
    }

    private static List<String> ids(List<SongModelView.Neighbor> neighbors) {
        return neighbors.stream().map(SongModelView.Neighbor::songId).toList();
    }

    @Test
    void positivesAddAndNegativesSubtractUnitVectors() {
        NeighborIndex index = plane();
        // a - b points along (1, -1): d exactly, then c (orthogonal, 0) before e (-0.707); a and b are left out.
        SongModelView.Answer answer = index.mostSimilar(List.of("a"), List.of("b"), 10).orElseThrow();
        assertEquals(List.of("d", "c", "e"), ids(answer.neighbors()));
        assertEquals(1.0, answer.neighbors().get(0).score(), 1e-6);
        assertEquals(0.0, answer.neighbors().get(1).score(), 1e-6);
        assertEquals(-Math.sqrt(0.5), answer.neighbors().get(2).score(), 1e-6);
        assertEquals(List.of(), answer.unknown());
        // a + b: along c.
        assertEquals("c", ids(index.mostSimilar(List.of("a", "b"), List.of(), 1).orElseThrow().neighbors()).get(0));
        // A song listed twice counts twice: 2a - b = (2, -1), nearer d than c; the answer leaves a and b out.
        List<SongModelView.Neighbor> twice = index.mostSimilar(List.of("a", "a"), List.of("b"), 2).orElseThrow().neighbors();
        assertEquals(List.of("d", "c"), ids(twice));
        assertEquals((2 + 1) / Math.sqrt(5) / Math.sqrt(2), twice.get(0).score(), 1e-6);
    }

    @Test
    void unknownSongsAreReportedAndOnlyKnownPositivesAnswer() {
        NeighborIndex index = plane();
        SongModelView.Answer answer = index.mostSimilar(List.of("x", "a", "x"), List.of("y", "b"), 3).orElseThrow();
        assertEquals(List.of("x", "y"), answer.unknown(), "each unknown song once, in the order given");
        assertEquals(List.of("d", "c", "e"), ids(answer.neighbors()));
        assertTrue(index.mostSimilar(List.of("x"), List.of("a"), 3).isEmpty(), "no known positive: no answer");
        assertTrue(index.mostSimilar(List.of("x"), List.of(), 3).isEmpty());
        assertTrue(index.continuationOf(List.of("x", "y"), 3).isEmpty());
        assertEquals(List.of("x"), index.continuationOf(List.of("x", "a"), 3).orElseThrow().unknown());
    }

    @Test
    void oneSongIsWhatSimilarAnswers() {
        NeighborIndex index = randomIndex(300, 16, 1);
        for (String song : List.of("s0", "s17", "s299")) {
            List<SongModelView.Neighbor> similar = index.similar(song, 10).orElseThrow();
            List<SongModelView.Neighbor> most = index.mostSimilar(List.of(song), List.of(), 10).orElseThrow().neighbors();
            assertEquals(ids(similar), ids(most), song);
            for (int i = 0; i < 10; i++) {
                assertEquals(similar.get(i).score(), most.get(i).score(), 1e-6, song + " rank " + i);
            }
        }
    }

    @Test
    void mostSimilarMatchesABruteForceInDoubles() {
        int n = 500;
        int dim = 24;
        Random random = new Random(3);
        float[] vectors = gaussian(random, n * dim);
        List<String> songIds = IntStream.range(0, n).mapToObj(i -> "s" + i).toList();
        NeighborIndex index = NeighborIndex.of(songIds, new long[n], vectors, dim);
        for (int query = 0; query < 20; query++) {
            List<Integer> positive = List.of(random.nextInt(n), random.nextInt(n), random.nextInt(n));
            List<Integer> negative = query % 2 == 0 ? List.of() : List.of(random.nextInt(n), random.nextInt(n));
            double[] mean = new double[dim];
            for (int p : positive) {
                addUnit(vectors, p, dim, mean, 1);
            }
            for (int q : negative) {
                addUnit(vectors, q, dim, mean, -1);
            }
            double[] scores = new double[n];
            for (int r = 0; r < n; r++) {
                double[] unit = new double[dim];
                addUnit(vectors, r, dim, unit, 1);
                scores[r] = cosine(mean, unit);
            }
            List<Integer> expected = IntStream.range(0, n).boxed()
                    .filter(r -> !positive.contains(r) && !negative.contains(r))
                    .sorted(Comparator.comparingDouble(r -> -scores[r])).limit(10).toList();
            List<SongModelView.Neighbor> answer = index.mostSimilar(
                    positive.stream().map(songIds::get).toList(), negative.stream().map(songIds::get).toList(), 10)
                    .orElseThrow().neighbors();
            assertEquals(10, answer.size());
            for (int i = 0; i < 10; i++) {
                int row = Integer.parseInt(answer.get(i).songId().substring(1));
                assertEquals(scores[expected.get(i)], answer.get(i).score(), 1e-5, "query " + query + " rank " + i);
                assertEquals(scores[expected.get(i)], scores[row], 1e-5, "query " + query + " rank " + i + ": same song up to ties");
            }
        }
    }

    @Test
    void aListIsContinuedLikeAStoredPlaylistFromItsMostRecentSongs() {
        SgnsConfig config = SgnsConfig.builder().dim(16).window(3).alpha(0.025f).sample(0).capacity(1024).seed(5).build();
        SgnsModel model = new SgnsModel(config);
        SgnsTrainer trainer = new SgnsTrainer(model, 1);
        SyntheticPlaylists synthetic = new SyntheticPlaylists(3, 20, 2);
        for (int p = 0; p < 2000; p++) {
            PlaylistContext context = trainer.newContext(p);
            trainer.trainIds(context, synthetic.next(5, 15));
            trainer.flush(context);
        }
        NeighborIndex index = NeighborIndex.of(model, 2000, 0);
        int retained = PlaylistContext.retained(config.window);
        assertEquals(8, retained);

        List<String> shortList = List.of("jazz-1", "jazz-2", "jazz-3");
        assertEquals(index.continuation(shortList, 5).orElseThrow(), index.continuationOf(shortList, 5).orElseThrow().neighbors());

        // A long list: the mean of its last 8 known songs, as a playlist's context retains, none of its songs answered.
        List<String> longList = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            longList.add(SyntheticPlaylists.songId(1, i)); // metal, older
        }
        longList.add("never-played");
        for (int i = 0; i < 8; i++) {
            longList.add(SyntheticPlaylists.songId(0, i)); // jazz, recent
        }
        SongModelView.Answer answer = index.continuationOf(longList, 10).orElseThrow();
        assertEquals(List.of("never-played"), answer.unknown());
        List<String> recent = longList.subList(longList.size() - retained, longList.size());
        List<String> expectedIds = ids(index.continuation(recent, 40).orElseThrow()).stream()
                .filter(id -> !longList.contains(id)).limit(10).toList();
        assertEquals(expectedIds, ids(answer.neighbors()));
        for (String id : ids(answer.neighbors())) {
            assertFalse(longList.contains(id), id);
        }
        assertTrue(ids(answer.neighbors()).stream().filter(id -> id.startsWith("jazz")).count() >= 8,
                "continues the recent jazz, not the older metal: " + answer);
    }

    @Test
    void mostTrainedSongsAndCounts() {
        NeighborIndex index = NeighborIndex.of(List.of("x", "b", "a", "c"), new long[] {2, 7, 7, 1},
                new float[] {1, 0, 0, 1, 1, 1, -1, 0}, 2);
        assertEquals(List.of(new SongModelView.SongCount("a", 7), new SongModelView.SongCount("b", 7),
                new SongModelView.SongCount("x", 2)), index.top(3), "most trained first, ties by id");
        assertEquals(4, index.top(100).size());
        assertEquals(7, index.count("b"));
        assertEquals(0, index.count("nope"));
        assertEquals(4, index.size());
        assertThrows(IllegalArgumentException.class,
                () -> NeighborIndex.of(List.of("x"), new long[] {1}, new float[] {1, 2, 3}, 2));
    }

    private static NeighborIndex randomIndex(int n, int dim, long seed) {
        float[] vectors = gaussian(new Random(seed), n * dim);
        long[] counts = new long[n];
        Arrays.fill(counts, 1);
        return NeighborIndex.of(IntStream.range(0, n).mapToObj(i -> "s" + i).toList(), counts, vectors, dim);
    }

    private static float[] gaussian(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    private static void addUnit(float[] vectors, int row, int dim, double[] into, double weight) {
        double norm = 0;
        for (int i = 0; i < dim; i++) {
            norm += (double) vectors[row * dim + i] * vectors[row * dim + i];
        }
        norm = Math.sqrt(norm);
        for (int i = 0; i < dim; i++) {
            into[i] += weight * vectors[row * dim + i] / norm;
        }
    }

    private static double cosine(double[] a, double[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
