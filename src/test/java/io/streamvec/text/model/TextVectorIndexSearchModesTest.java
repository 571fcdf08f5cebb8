package io.streamvec.text.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The two search modes against a scalar double-precision reference: exact mode returns the reference's ranking
 * (Vector API kernels, batched or not), int8 mode keeps recall@10 >= 0.99 on clustered vectors with far fewer
 * candidates than texts, and its scores are the exact ones.
 */
class TextVectorIndexSearchModesTest {

    private static final int DIM = 96;

    /** Unit vectors around {@code clusters} random centres, within-cluster cosine about 0.6 (like sentence embeddings). */
    private static float[][] clustered(int n, int clusters, long seed) {
        Random rnd = new Random(seed);
        float[][] centres = new float[clusters][DIM];
        for (float[] c : centres) {
            for (int d = 0; d < DIM; d++) c[d] = (float) rnd.nextGaussian();
            normalise(c);
        }
        float[][] out = new float[n][DIM];
        for (int i = 0; i < n; i++) {
            float[] c = centres[rnd.nextInt(clusters)];
            for (int d = 0; d < DIM; d++) out[i][d] = c[d] + 0.8f * (float) rnd.nextGaussian() / (float) Math.sqrt(DIM);
            normalise(out[i]);
        }
        return out;
    }

    private static void normalise(float[] v) {
        double s = 0;
        for (float x : v) s += x * x;
        float inv = (float) (1 / Math.sqrt(s));
        for (int d = 0; d < v.length; d++) v[d] *= inv;
    }

    /** Ids of the k best rows by a scalar double dot product, ties to the earlier row. */
    private static List<String> reference(float[][] rows, float[] q, int k) {
        Integer[] order = new Integer[rows.length];
        double[] scores = new double[rows.length];
        for (int r = 0; r < rows.length; r++) {
            order[r] = r;
            for (int d = 0; d < DIM; d++) scores[r] += (double) q[d] * rows[r][d];
        }
        java.util.Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Double.compare(scores[b], scores[a]) : a - b);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < k; i++) ids.add("t" + order[i]);
        return ids;
    }

    private static TextVectorIndex filled(SearchMode mode, float[][] rows, int candidates) {
        Map<String, float[]> exact = new HashMap<>();
        TextVectorIndex index = new TextVectorIndex(DIM, mode, exact::get, candidates);
        for (int r = 0; r < rows.length; r++) {
            exact.put("t" + r, rows[r]);
            index.put(new TextVectorIndex.Entry("t" + r, "text " + r, rows[r], r));
        }
        return index;
    }

    @Test
    void exactModeRanksLikeTheScalarReferenceBatchedOrNot() {
        float[][] rows = clustered(3000, 30, 1);
        float[][] queries = clustered(40, 30, 2);
        TextVectorIndex index = filled(SearchMode.EXACT, rows, 1);
        List<List<TextVectorIndex.Hit>> batch = index.searchBatch(queries, 10, Long.MIN_VALUE, null);
        for (int q = 0; q < queries.length; q++) {
            List<String> expected = reference(rows, queries[q], 10);
            List<TextVectorIndex.Hit> single = index.search(queries[q], 10, Long.MIN_VALUE, null);
            for (int i = 0; i < 10; i++) {
                assertEquals(expected.get(i), single.get(i).id(), "rank " + i + " of query " + q);
                assertEquals(single.get(i), batch.get(q).get(i), "batched rank " + i + " of query " + q);
            }
        }
    }

    @Test
    void int8ModeKeepsRecallAt10AndReturnsExactScores() {
        float[][] rows = clustered(20_000, 200, 3);
        float[][] queries = clustered(100, 200, 4);
        TextVectorIndex exact = filled(SearchMode.EXACT, rows, 1);
        TextVectorIndex int8 = filled(SearchMode.INT8, rows, 200); // 1% of the texts re-ranked
        List<List<TextVectorIndex.Hit>> approx = int8.searchBatch(queries, 10, Long.MIN_VALUE, null);
        int found = 0;
        for (int q = 0; q < queries.length; q++) {
            Map<String, Float> truth = new HashMap<>();
            exact.search(queries[q], 10, Long.MIN_VALUE, null).forEach(h -> truth.put(h.id(), h.score()));
            for (TextVectorIndex.Hit hit : approx.get(q)) {
                if (truth.containsKey(hit.id())) {
                    found++;
                    assertEquals(truth.get(hit.id()), hit.score(), 1e-5, "re-ranked scores are the exact ones");
                }
            }
        }
        double recall = found / (10.0 * queries.length);
        assertTrue(recall >= 0.99, "int8 recall@10 " + recall);
        assertEquals((long) rows.length * (DIM + 4 + 8), int8.searchBytes());
        assertEquals((long) rows.length * (4 * DIM + 8), exact.searchBytes());
    }

    @Test
    void int8ModeFiltersExcludesAndRemovesLikeExactMode() {
        float[][] rows = clustered(500, 5, 5);
        TextVectorIndex exact = filled(SearchMode.EXACT, rows, 1);
        TextVectorIndex int8 = filled(SearchMode.INT8, rows, 500);
        for (int r = 0; r < 500; r += 3) {
            exact.remove("t" + r);
            int8.remove("t" + r);
        }
        float[] q = rows[1];
        List<TextVectorIndex.Hit> a = exact.search(q, 20, 250, "t1");
        List<TextVectorIndex.Hit> b = int8.search(q, 20, 250, "t1");
        assertEquals(a.stream().map(TextVectorIndex.Hit::id).toList(), b.stream().map(TextVectorIndex.Hit::id).toList());
        Set<String> seen = new HashSet<>();
        for (TextVectorIndex.Hit hit : b) {
            assertTrue(hit.timestampMs() >= 250 && !hit.id().equals("t1") && seen.add(hit.id()), hit.toString());
        }
        assertEquals(exact.get("t2").orElseThrow().vector()[0], int8.get("t2").orElseThrow().vector()[0], 1e-6);
        assertThrows(IllegalArgumentException.class, () -> new TextVectorIndex(DIM, SearchMode.INT8, null));
    }

    @Test
    void theConfigValuesParse() {
        assertEquals(SearchMode.INT8, SearchMode.parse("int8"));
        assertEquals(SearchMode.EXACT, SearchMode.parse(SearchMode.EXACT.configValue()));
        assertThrows(IllegalArgumentException.class, () -> SearchMode.parse("hnsw"));
    }
}
