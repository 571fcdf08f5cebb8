package io.streamvec.text.model;

import io.streamvec.Cosine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamvec.bench.OnnxRuntimeEmbedder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Per-token vectors (the last hidden state before pooling) against ONNX Runtime, and their relation to the sentence. */
class TokenVectorsTest {

    private static BertSentenceEmbedder embedder;

    @BeforeAll
    static void load() {
        embedder = BertSentenceEmbedder.bundledOnCpu(256);
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    @Test
    void everyTokenVectorMatchesOnnxRuntimesLastHiddenStateOnVariedTexts() {
        List<String> texts = VariedTexts.all();
        List<long[]> ids = embedder.tokenizer().tokenizeAll(texts).stream().map(Tokens::ids).toList();
        EmbeddedText[] embedded = embedder.embedWithTokens(ids); // one call: packed, several attention groups
        float[][] sentences = embedder.embed(ids);
        double min = 1;
        int tokens = 0;
        try (OnnxRuntimeEmbedder onnx = new OnnxRuntimeEmbedder(256, 2, 16)) {
            float[][] expected = onnx.tokenStates(ids);
            for (int t = 0; t < texts.size(); t++) {
                int count = ids.get(t).length;
                assertEquals(count, embedded[t].tokenCount(), "text " + t);
                assertEquals(count * 384, expected[t].length);
                for (int i = 0; i < count; i++) {
                    float[] want = java.util.Arrays.copyOfRange(expected[t], i * 384, (i + 1) * 384);
                    double c = Cosine.of(want, embedded[t].tokenVector(i));
                    assertTrue(c >= 0.99999, "text " + t + " token " + i + ": cosine " + c);
                    min = Math.min(min, c);
                    tokens++;
                }
                // the same forward pass gives the same sentence vector as embed()
                assertTrue(Cosine.of(sentences[t], embedded[t].vector()) >= 0.999999);
                // mean pooling: the mean of the token vectors, normalised, is the sentence vector
                float[] mean = mean(embedded[t]);
                Pooling.normalizeInPlace(mean);
                assertTrue(Cosine.of(mean, embedded[t].vector()) >= 0.999999, "text " + t);
            }
        }
        assertTrue(tokens > 2000, "tokens compared: " + tokens);
        System.out.printf("per-token min cosine vs ONNX Runtime over %d tokens of %d texts: %.9f%n", tokens,
                texts.size(), min);
    }

    @Test
    void theWorkersGiveTokenVectorsOnlyToTicketsThatAskFromOneForwardPass() throws Exception {
        long[] hello = embedder.tokenizer().tokenize("hello").ids();
        long[] world = embedder.tokenizer().tokenize("world of streams").ids();
        try (EmbeddingWorkers workers = new EmbeddingWorkers(embedder,
                new EmbeddingWorkers.Settings(1, 1, 2, Duration.ofSeconds(5)), new SimpleMeterRegistry())) {
            EmbeddingWorkers.Ticket with = workers.submit(hello, true);
            EmbeddingWorkers.Ticket without = workers.submit(world, false);
            assertTrue(workers.awaitIdle(Duration.ofSeconds(30)));
            assertEquals(hello.length * 384, with.tokenVectors().length);
            assertNull(without.tokenVectors());
            EmbeddedText direct = embedder.embedWithTokens(List.of(hello))[0];
            assertTrue(Cosine.of(direct.vector(), with.vector()) >= 0.999999);
            assertTrue(Cosine.of(direct.tokenVectors(), with.tokenVectors()) >= 0.999999);
        }
    }

    private static float[] mean(EmbeddedText text) {
        float[] mean = new float[text.dimension()];
        for (int i = 0; i < text.tokenCount(); i++) {
            float[] v = text.tokenVector(i);
            for (int d = 0; d < v.length; d++) {
                mean[d] += v[d] / text.tokenCount();
            }
        }
        return mean;
    }
}
