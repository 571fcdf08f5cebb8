package io.streamvec.bench;

import io.streamvec.text.model.EmbeddingWorkers;
import io.streamvec.text.model.TextEmbedder;
import io.streamvec.text.model.TextTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Bare embedding throughput, tokenization included: one caller over a corpus in consecutive batches, or
 * embedding workers fed from memory.
 */
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

    /**
     * Texts per second through embedding workers fed from memory the way a stream thread feeds them: each
     * text tokenized and submitted in turn (submitting waits while the workers are full), the clock stopping
     * when the last one is embedded.
     */
    public static double sentencesPerSecond(EmbeddingWorkers workers, List<String> corpus) {
        if (corpus.isEmpty()) {
            throw new IllegalArgumentException("empty corpus");
        }
        TextTokenizer tokenizer = workers.embedder().tokenizer();
        List<EmbeddingWorkers.Ticket> tickets = new ArrayList<>(corpus.size());
        long started = System.nanoTime();
        for (String text : corpus) {
            tickets.add(workers.submit(tokenizer.tokenize(text).ids()));
        }
        float checksum = 0;
        try {
            for (EmbeddingWorkers.Ticket ticket : tickets) {
                while (!ticket.isDone()) {
                    Thread.sleep(1);
                }
                checksum += ticket.vector()[0]; // throws a failed batch's error: a failing engine is not fast
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        long elapsed = System.nanoTime() - started;
        sink = checksum;
        return corpus.size() / (elapsed / 1e9);
    }
}
