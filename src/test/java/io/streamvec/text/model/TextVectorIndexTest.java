package io.streamvec.text.model;

import io.streamvec.Cosine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TextVectorIndexTest {

    private static float[] random(Random rnd, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) v[i] = (float) rnd.nextGaussian();
        return v;
    }


    @Test
    void searchMatchesBruteForceCosineAfterPutsReplacesAndRemoves() {
        Random rnd = new Random(7);
        int dim = 24;
        TextVectorIndex index = new TextVectorIndex(dim);
        List<TextVectorIndex.Entry> live = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            TextVectorIndex.Entry e = new TextVectorIndex.Entry("t" + i, "text " + i, random(rnd, dim), 1000 + i);
            index.put(e);
            live.add(e);
        }
        for (int i = 0; i < 300; i += 3) { // remove a third
            assertTrue(index.remove("t" + i));
            int id = i;
            live.removeIf(e -> e.id().equals("t" + id));
        }
        for (int i = 1; i < 300; i += 7) { // replace some with new vectors and timestamps
            TextVectorIndex.Entry e = new TextVectorIndex.Entry("t" + i, "new " + i, random(rnd, dim), 5000 + i);
            if (i % 3 == 0) continue;
            index.put(e);
            int id = i;
            live.removeIf(x -> x.id().equals("t" + id));
            live.add(e);
        }
        assertEquals(live.size(), index.size());
        assertFalse(index.remove("t0"));

        for (int q = 0; q < 20; q++) {
            float[] query = random(rnd, dim);
            long since = q % 2 == 0 ? Long.MIN_VALUE : 1150;
            String exclude = live.get(q).id();
            List<TextVectorIndex.Hit> hits = index.search(query, 10, since, exclude);
            List<TextVectorIndex.Entry> expected = live.stream()
                    .filter(e -> e.timestampMs() >= since && !e.id().equals(exclude))
                    .sorted(Comparator.comparingDouble((TextVectorIndex.Entry e) -> -Cosine.of(query, e.vector())))
                    .limit(10)
                    .toList();
            assertEquals(expected.size(), hits.size());
            for (int i = 0; i < hits.size(); i++) {
                assertEquals(expected.get(i).id(), hits.get(i).id(), "rank " + i + " of query " + q);
                assertEquals(Cosine.of(query, expected.get(i).vector()), hits.get(i).score(), 1e-5);
                assertEquals(expected.get(i).text(), hits.get(i).text());
                assertEquals(expected.get(i).timestampMs(), hits.get(i).timestampMs());
            }
        }
    }

    @Test
    void getReturnsTheUnitVectorAndRejectsWrongDimensions() {
        TextVectorIndex index = new TextVectorIndex(3);
        index.put(new TextVectorIndex.Entry("a", "alpha", new float[] {3, 0, 4}, 9));
        TextVectorIndex.Entry a = index.get("a").orElseThrow();
        assertEquals(0.6f, a.vector()[0], 1e-6);
        assertEquals(0.8f, a.vector()[2], 1e-6);
        assertEquals(9, a.timestampMs());
        assertTrue(index.get("b").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> index.put(new TextVectorIndex.Entry("b", "", new float[2], 0)));
        assertThrows(IllegalArgumentException.class, () -> index.search(new float[2], 1, Long.MIN_VALUE, null));
        assertThrows(IllegalArgumentException.class, () -> index.search(new float[3], 0, Long.MIN_VALUE, null));
    }

    @Test
    void newestAreTheLatestStampedAfterReplacesAndRemoves() {
        TextVectorIndex index = new TextVectorIndex(2);
        for (int i = 0; i < 20; i++) {
            index.put(new TextVectorIndex.Entry("t" + i, "text " + i, new float[] {1, i}, 1000 + (i * 7L) % 20));
        }
        index.put(new TextVectorIndex.Entry("t3", "replaced", new float[] {1, 0}, 5000)); // now the newest
        index.remove("t19");
        List<TextVectorIndex.Hit> newest = index.newest(4);
        List<TextVectorIndex.Hit> expected = new ArrayList<>();
        // By brute force: every held text, newest first, of equal stamps the later row first (none here).
        List<TextVectorIndex.Entry> all = new ArrayList<>();
        for (int i = 0; i < 19; i++) {
            all.add(index.get("t" + i).orElseThrow());
        }
        all.sort(Comparator.comparingLong(TextVectorIndex.Entry::timestampMs).reversed());
        for (TextVectorIndex.Entry e : all.subList(0, 4)) {
            expected.add(new TextVectorIndex.Hit(e.id(), e.text(), 0f, e.timestampMs()));
        }
        assertEquals(expected, newest);
        assertEquals("replaced", newest.get(0).text());
        assertEquals(19, index.newest(100).size());
        assertTrue(new TextVectorIndex(2).newest(3).isEmpty());
    }
}
