package io.streamvec.bench;

import io.streamvec.text.TextEmbedder;
import java.util.Arrays;
import java.util.List;

/** Bare embedding throughput: one embedder over a corpus in consecutive batches, tokenization included. */
public final class EmbedThroughput {

    private static volatile float sink;

    private EmbedThroughput() {}

    /** Embeds all of {@code corpus} in consecutive batches of {@code batchSize}; sentences per second. */
    public static double sentencesPerSecond(TextEmbedder embedder, List<String> corpus, int batchSize) {
        if (corpus.isEmpty()) {
            throw new IllegalArgumentException("empty corpus");
        }
        float checksum = 0;
        long started = System.nanoTime();
        for (int start = 0; start < corpus.size(); start += batchSize) {
            float[][] vectors = embedder.embedTexts(corpus.subList(start, Math.min(corpus.size(), start + batchSize)));
            checksum += vectors[0][0];
        }
        long elapsed = System.nanoTime() - started;
        sink = checksum;
        return corpus.size() / (elapsed / 1e9);
    }

    /** Median of {@code values} (mean of the middle two for an even count). */
    public static double median(double... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
