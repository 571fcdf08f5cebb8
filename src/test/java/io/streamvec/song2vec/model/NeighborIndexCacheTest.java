package io.streamvec.song2vec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A snapshot keeps its similar-song searches: a repeated query, or one for fewer songs than an earlier one of
 * the same song, is answered without a scan, and exactly as a fresh snapshot's scan answers it.
 */
class NeighborIndexCacheTest {

    @Test
    void keptSearchesAnswerExactlyAsAFreshScan() {
        int songs = 600;
        int dim = 16;
        Random random = new Random(5);
        List<String> ids = new ArrayList<>();
        float[] vectors = new float[songs * dim];
        float[] directions = new float[4 * dim];
        for (int i = 0; i < directions.length; i++) {
            directions[i] = (float) random.nextGaussian();
        }
        for (int r = 0; r < songs; r++) {
            // a repeated id keeps its first row: the later rows are no answer, and a search must look past them
            ids.add(r % 50 == 7 ? "song-" + (r - 1) : "song-" + r);
            if (r % 3 == 0) { // exact ties: the order among equal scores is by row
                System.arraycopy(directions, random.nextInt(4) * dim, vectors, r * dim, dim);
            } else {
                for (int d = 0; d < dim; d++) {
                    vectors[r * dim + d] = (float) random.nextGaussian();
                }
            }
        }
        long[] counts = new long[songs];
        NeighborIndex kept = NeighborIndex.of(ids, counts, vectors, dim);
        for (int query = 0; query < 3_000; query++) {
            String id = ids.get(random.nextInt(songs));
            int k = switch (random.nextInt(4)) {
                case 0 -> 1 + random.nextInt(5);
                case 1 -> 10;
                case 2 -> 1 + random.nextInt(songs + 5);
                default -> 40;
            };
            NeighborIndex fresh = NeighborIndex.of(ids, counts, vectors, dim);
            assertEquals(fresh.similar(id, k), kept.similar(id, k), id + ", k " + k);
        }
        assertTrue(kept.cacheHits() > 1_500, kept.cacheHits() + " of 3,000 answered without a scan");
        assertEquals(3_000, kept.cacheHits() + kept.cacheMisses());
    }
}
