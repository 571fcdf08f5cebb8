package io.streamvec.bench;

import io.streamvec.song2vec.data.Word2vecFile;
import io.streamvec.song2vec.model.Rng;
import io.streamvec.song2vec.model.TopK;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Next-song hit rate: for consecutive songs (a, b) in held-out playlists, is b among the k songs most
 * cosine-similar to a (a excluded)? Pairs whose songs the model does not know count as misses, so models
 * with different vocabularies are compared on the same pairs.
 */
public final class HitRate {

    /** A deterministic split of playlists into training and held-out parts (1 in 10 held out). */
    public record Split(List<List<String>> train, List<List<String>> heldOut) {
        public long trainSongs() {
            return train.stream().mapToLong(List::size).sum();
        }
    }

    private HitRate() {}

    public static Split split(List<List<String>> playlists, long seed) {
        List<List<String>> train = new ArrayList<>();
        List<List<String>> heldOut = new ArrayList<>();
        for (int i = 0; i < playlists.size(); i++) {
            (Rng.below(Rng.hash(seed, i), 10) == 0 ? heldOut : train).add(playlists.get(i));
        }
        return new Split(train, heldOut);
    }

    /** HR@k of these vectors on the held-out playlists. */
    public static double of(Map<String, float[]> vectors, List<List<String>> heldOut, int k) {
        if (vectors.isEmpty()) {
            return 0;
        }
        int dim = vectors.values().iterator().next().length;
        Map<String, Integer> rows = new HashMap<>(vectors.size() * 2);
        float[] matrix = new float[vectors.size() * dim];
        for (Map.Entry<String, float[]> entry : vectors.entrySet()) {
            int row = rows.size();
            rows.put(entry.getKey(), row);
            System.arraycopy(entry.getValue(), 0, matrix, row * dim, dim);
        }
        TopK index = TopK.of(matrix, rows.size(), dim);
        long pairs = 0;
        long hits = 0;
        for (List<String> playlist : heldOut) {
            for (int i = 0; i + 1 < playlist.size(); i++) {
                pairs++;
                Integer a = rows.get(playlist.get(i));
                Integer b = rows.get(playlist.get(i + 1));
                if (a != null && b != null && !a.equals(b) && index.inTopK(a, b, k)) {
                    hits++;
                }
            }
        }
        return pairs == 0 ? 0 : hits / (double) pairs;
    }

    /** Reads a word2vec text or binary file ({@link Word2vecFile}). */
    public static Map<String, float[]> readWord2vec(Path file) throws IOException {
        Word2vecFile.Vectors read = Word2vecFile.read(file);
        Map<String, float[]> vectors = new HashMap<>(read.size() * 2);
        for (int i = 0; i < read.size(); i++) {
            vectors.put(read.ids().get(i), Arrays.copyOfRange(read.values(), i * read.dim(), (i + 1) * read.dim()));
        }
        return vectors;
    }
}
