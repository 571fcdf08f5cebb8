package io.streamvec.text.stream;

import io.streamvec.text.model.EmbeddingWorkers;
import io.streamvec.text.model.HashingTestEmbedder;
import io.streamvec.text.model.TextEmbedder;
import io.streamvec.text.model.TextTokenizer;
import io.streamvec.text.model.Tokens;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamvec.avro.PendingEmbedding;
import io.streamvec.avro.TextEmbedding;
import io.streamvec.avro.TextEvent;
import io.streamvec.avro.TokenEmbeddings;
import io.streamvec.avro.TokenizedText;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import org.apache.avro.specific.SpecificRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EmbedProcessorTest {

    private static final Duration LONG = Duration.ofHours(1);
    private static TextTokenizer tokenizer;
    private HashingTestEmbedder embedder;
    private MockProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, PendingEmbedding> store;
    private final List<EmbeddingWorkers> workers = new ArrayList<>();
    private long offset;
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    @BeforeAll
    static void load() {
        tokenizer = TextTokenizer.bundled(16);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @BeforeEach
    void init() {
        embedder = new HashingTestEmbedder(tokenizer);
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(777L);
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(EmbedProcessor.STORE), Serdes.String(),
                new AvroSerde<>(PendingEmbedding.class, EmbeddedSchemaRegistry.bundled()))
                .withLoggingDisabled().withCachingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
    }

    @AfterEach
    void stopWorkers() {
        workers.forEach(EmbeddingWorkers::close);
    }

    private EmbeddingWorkers workers(TextEmbedder model, int threads, int batchSize, Duration linger) {
        EmbeddingWorkers w = new EmbeddingWorkers(model, new EmbeddingWorkers.Settings(threads, 0, batchSize, linger),
                metrics);
        workers.add(w);
        return w;
    }

    private EmbedProcessor processor(EmbeddingWorkers w, MockProcessorContext<String, SpecificRecord> ctx) {
        EmbedProcessor processor = new EmbedProcessor(() -> w, metrics);
        processor.init(ctx);
        return processor;
    }

    private void send(EmbedProcessor processor, MockProcessorContext<String, SpecificRecord> ctx, String id,
                      String text) {
        ctx.setRecordMetadata("text-events", 0, offset++);
        TextEvent event = TextEvent.newBuilder().setId(id).setText(text).setTimestampMs(1000 + offset).build();
        Tokens tokens = tokenizer.tokenize(text); // as the tokenize step forwards it
        processor.process(new Record<>(id, new TokenizedEvent(event, tokenizer.name(), tokens, tokens), 1000 + offset));
    }

    private void send(EmbedProcessor processor, String id, String text) {
        send(processor, context, id, text);
    }

    /** Waits for the workers, then runs the task's punctuator as the stream thread would. */
    private static void settleAndPunctuate(EmbeddingWorkers w, MockProcessorContext<String, SpecificRecord> ctx)
            throws InterruptedException {
        assertTrue(w.awaitIdle(Duration.ofSeconds(30)), "the workers finished");
        CapturedPunctuator punctuator = ctx.scheduledPunctuators().get(0);
        punctuator.getPunctuator().punctuate(ctx.currentSystemTimeMs());
    }

    private List<String> forwardedKeys(MockProcessorContext<String, SpecificRecord> ctx) {
        return ctx.forwarded().stream().map(f -> (String) f.record().key()).toList();
    }

    @Test
    void aFullBatchIsEmbeddedAndForwardedInArrivalOrder() throws InterruptedException {
        EmbeddingWorkers w = workers(embedder, 1, 3, LONG);
        EmbedProcessor processor = processor(w, context);
        CapturedPunctuator punctuator = context.scheduledPunctuators().get(0);
        assertEquals(PunctuationType.WALL_CLOCK_TIME, punctuator.getType());
        assertEquals(EmbedProcessor.FORWARD_INTERVAL, punctuator.getInterval());
        send(processor, "a", "first text");
        send(processor, "b", "second text");
        assertEquals(2, store.approximateNumEntries(), "submitted texts wait in the store");
        send(processor, "c", "third text is longer than the maximum of sixteen tokens for sure, yes indeed");
        settleAndPunctuate(w, context);

        assertEquals(List.of(3), embedder.batchSizes);
        assertEquals(List.of("a", "b", "c"), forwardedKeys(context));
        TextEmbedding c = (TextEmbedding) context.forwarded().get(2).record().value();
        assertEquals("hashing-test", c.getModel());
        assertEquals(HashingTestEmbedder.DIMENSION, c.getDimension());
        assertEquals(16, c.getTokenCount());
        assertTrue(c.getTruncated());
        assertEquals(777L, c.getProcessingTimestampMs());
        assertEquals(1003L, c.getEventTimestampMs());
        float[] expected = HashingTestEmbedder.vectorOf(tokenizer.tokenize("first text").ids());
        float[] actual = new float[expected.length];
        for (int i = 0; i < actual.length; i++) {
            actual[i] = ((TextEmbedding) context.forwarded().get(0).record().value()).getVector().get(i);
        }
        assertArrayEquals(expected, actual);
        assertEquals(0, store.approximateNumEntries(), "forwarded texts leave the store");
        assertEquals(1, metrics.get("streamvec.embedding.batch").timer().count());
        assertEquals(3.0, metrics.get("streamvec.embedding.batch.size").summary().totalAmount());
        assertEquals(3.0, metrics.get("streamvec.records.out").counter().count());
    }

    @Test
    void finishedEmbeddingsAreForwardedOnTheNextRecordToo() throws InterruptedException {
        EmbeddingWorkers w = workers(embedder, 1, 2, LONG);
        EmbedProcessor processor = processor(w, context);
        send(processor, "a", "one");
        send(processor, "b", "two");
        assertTrue(w.awaitIdle(Duration.ofSeconds(30)));
        assertTrue(context.forwarded().isEmpty(), "nothing is forwarded outside the task's own turn");
        send(processor, "c", "three");
        assertEquals(List.of("a", "b"), forwardedKeys(context));
        assertEquals(1, store.approximateNumEntries(), "c still waits");
    }

    @Test
    void resultsKeepArrivalOrderWhenALaterBatchFinishesFirst() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        long[] a = tokenizer.tokenize("one").ids();
        HashingTestEmbedder slowFirst = new HashingTestEmbedder(tokenizer) {
            @Override
            public float[][] embed(List<long[]> tokenIds) {
                if (tokenIds.stream().anyMatch(ids -> java.util.Arrays.equals(ids, a))) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.embed(tokenIds);
            }
        };
        EmbeddingWorkers w = workers(slowFirst, 2, 2, LONG);
        EmbedProcessor processor = processor(w, context);
        send(processor, "a", "one");
        send(processor, "b", "two");
        send(processor, "c", "three");
        send(processor, "d", "four");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (w.outstanding() > 2 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        try {
            assertEquals(2, w.outstanding(), "the second worker finished c and d while a and b are held");
            context.scheduledPunctuators().get(0).getPunctuator().punctuate(777L);
            assertTrue(context.forwarded().isEmpty(), "c and d wait for a and b");
        } finally {
            release.countDown();
        }
        settleAndPunctuate(w, context);
        assertEquals(List.of("a", "b", "c", "d"), forwardedKeys(context));
    }

    @Test
    void aFailingModelFailsTheTaskAndKeepsTheStore() throws InterruptedException {
        TextEmbedder broken = new HashingTestEmbedder(tokenizer) {
            @Override
            public float[][] embed(List<long[]> tokenIds) {
                throw new IllegalStateException("CUDA out of memory");
            }
        };
        EmbeddingWorkers w = workers(broken, 1, 2, LONG);
        EmbedProcessor processor = processor(w, context);
        send(processor, "a", "one");
        send(processor, "b", "two");
        assertTrue(w.awaitIdle(Duration.ofSeconds(30)));
        EmbedProcessor.EmbeddingFailedException e = assertThrows(EmbedProcessor.EmbeddingFailedException.class,
                () -> context.scheduledPunctuators().get(0).getPunctuator().punctuate(777L));
        assertTrue(e.getMessage().contains("CUDA out of memory"), e.getMessage());
        assertEquals(2, store.approximateNumEntries(), "nothing leaves the store: the task retries after restart");
        assertTrue(context.forwarded().isEmpty());
    }

    @Test
    void closedWorkersFailTheTaskInsteadOfDeadLetteringTheText() {
        EmbeddingWorkers w = workers(embedder, 1, 2, LONG);
        EmbedProcessor processor = processor(w, context);
        w.close();
        EmbedProcessor.EmbeddingFailedException e = assertThrows(EmbedProcessor.EmbeddingFailedException.class,
                () -> send(processor, "a", "one"));
        assertTrue(e.getMessage().contains("embedding workers"), e.getMessage());
    }

    @Test
    void aRestartedTaskSubmitsWhatTheRestoredStoreHolds() throws InterruptedException {
        EmbeddingWorkers w = workers(embedder, 1, 3, LONG);
        EmbedProcessor before = processor(w, context);
        send(before, "a", "one");
        send(before, "b", "two");
        before.close();
        assertEquals(0, w.outstanding(), "a closed task's queued texts leave the workers");
        assertTrue(context.forwarded().isEmpty());
        assertEquals(2, store.approximateNumEntries());

        // Same store (as restored from its changelog), new processor instance, as after a restart.
        MockProcessorContext<String, SpecificRecord> fresh = new MockProcessorContext<>();
        fresh.setCurrentSystemTimeMs(777L);
        fresh.addStateStore(store);
        EmbedProcessor after = processor(w, fresh);
        send(after, fresh, "c", "three");
        settleAndPunctuate(w, fresh);

        assertEquals(List.of("a", "b", "c"), forwardedKeys(fresh), "the restored texts come first, in order");
        assertEquals(List.of(3), embedder.batchSizes, "and count toward the batch");
        assertEquals(0, store.approximateNumEntries());
    }

    @Test
    void textsOfSeveralTasksShareOneBatch() throws InterruptedException {
        EmbeddingWorkers w = workers(embedder, 1, 4, LONG);
        MockProcessorContext<String, SpecificRecord> other = new MockProcessorContext<>();
        other.setCurrentSystemTimeMs(777L);
        KeyValueStore<String, PendingEmbedding> otherStore = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(EmbedProcessor.STORE), Serdes.String(),
                        new AvroSerde<>(PendingEmbedding.class, EmbeddedSchemaRegistry.bundled()))
                .withLoggingDisabled().withCachingDisabled().build();
        otherStore.init(other.getStateStoreContext(), otherStore);
        other.addStateStore(otherStore);
        EmbedProcessor first = processor(w, context);
        EmbedProcessor second = processor(w, other);
        send(first, "a", "one");
        send(second, other, "x", "ten");
        send(first, "b", "two");
        send(second, other, "y", "eleven");
        settleAndPunctuate(w, context);
        settleAndPunctuate(w, other);
        assertEquals(List.of(4), embedder.batchSizes, "one batch for both tasks");
        assertEquals(List.of("a", "b"), forwardedKeys(context), "each task forwards its own texts");
        assertEquals(List.of("x", "y"), forwardedKeys(other));
    }

    @Test
    void bufferKeysAreZeroPaddedSoTheStoreIteratesInArrivalOrder() {
        assertEquals(String.format("%019d", 0L), EmbedProcessor.zeroPadded(0L, 19));
        assertEquals(String.format("%019d", 1234567L), EmbedProcessor.zeroPadded(1234567L, 19));
        assertEquals(String.valueOf(Long.MAX_VALUE), EmbedProcessor.zeroPadded(Long.MAX_VALUE, 19));
        assertTrue(EmbedProcessor.zeroPadded(99L, 19).compareTo(EmbedProcessor.zeroPadded(100L, 19)) < 0);
    }

    private KeyValueStore<String, TokenizedText> tokenStore(MockProcessorContext<String, SpecificRecord> ctx) {
        KeyValueStore<String, TokenizedText> tokens = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(EmbedProcessor.TOKENS_STORE), Serdes.String(),
                        new AvroSerde<>(TokenizedText.class, EmbeddedSchemaRegistry.bundled()))
                .withLoggingDisabled().withCachingDisabled().build();
        tokens.init(ctx.getStateStoreContext(), tokens);
        ctx.addStateStore(tokens);
        return tokens;
    }

    @Test
    void withTokenVectorsBothRecordsGoOutInOneStepToTheirSinksAndBothStoresEmpty() throws InterruptedException {
        KeyValueStore<String, TokenizedText> tokens = tokenStore(context);
        EmbeddingWorkers w = workers(embedder, 1, 2, LONG);
        EmbedProcessor processor = new EmbedProcessor(() -> w, metrics, true);
        processor.init(context);
        send(processor, "a", "first text");
        assertEquals(1, tokens.approximateNumEntries(), "the model's pieces and spans wait beside the ids");
        send(processor, "b", "second");
        settleAndPunctuate(w, context);

        List<MockProcessorContext.CapturedForward<? extends String, ? extends SpecificRecord>> out = context.forwarded();
        assertEquals(4, out.size());
        assertEquals(List.of(EmbedProcessor.EMBEDDINGS_CHILD, EmbedProcessor.TOKEN_EMBEDDINGS_CHILD,
                        EmbedProcessor.EMBEDDINGS_CHILD, EmbedProcessor.TOKEN_EMBEDDINGS_CHILD),
                out.stream().map(f -> f.childName().orElseThrow()).toList(), "each text's two records together");
        TokenEmbeddings a = (TokenEmbeddings) out.get(1).record().value();
        Tokens expected = tokenizer.tokenize("first text");
        assertEquals(List.of(expected.pieces()), a.getTokens());
        assertEquals(expected.size() * HashingTestEmbedder.DIMENSION, a.getVectors().size());
        assertEquals(HashingTestEmbedder.tokenVectorOf(expected.ids()[1])[0], a.getVectors().get(HashingTestEmbedder.DIMENSION));
        assertEquals(0, store.approximateNumEntries());
        assertEquals(0, tokens.approximateNumEntries());
    }

    @Test
    void aRestartedTaskGivesTokenVectorsToRestoredTextsThatHaveTokensAndOnlySentencesToOlderOnes()
            throws InterruptedException {
        // "old" was buffered before token vectors were turned on: no tokens stored for it
        EmbeddingWorkers w = workers(embedder, 1, 3, LONG);
        EmbedProcessor before = processor(w, context);
        send(before, "old", "buffered before");
        before.close();
        MockProcessorContext<String, SpecificRecord> on = new MockProcessorContext<>();
        on.setCurrentSystemTimeMs(777L);
        on.addStateStore(store);
        KeyValueStore<String, TokenizedText> tokens = tokenStore(on);
        EmbedProcessor second = new EmbedProcessor(() -> w, metrics, true);
        second.init(on);
        send(second, on, "new", "buffered after");
        second.close();
        assertEquals(2, store.approximateNumEntries());
        assertEquals(1, tokens.approximateNumEntries());

        MockProcessorContext<String, SpecificRecord> restarted = new MockProcessorContext<>();
        restarted.setCurrentSystemTimeMs(777L);
        restarted.addStateStore(store);
        restarted.addStateStore(tokens);
        EmbedProcessor after = new EmbedProcessor(() -> w, metrics, true);
        after.init(restarted);
        send(after, restarted, "last", "third");
        settleAndPunctuate(w, restarted);

        assertEquals(List.of("old", "new", "new", "last", "last"), forwardedKeys(restarted));
        assertEquals(List.of(EmbedProcessor.EMBEDDINGS_CHILD, EmbedProcessor.EMBEDDINGS_CHILD,
                        EmbedProcessor.TOKEN_EMBEDDINGS_CHILD, EmbedProcessor.EMBEDDINGS_CHILD,
                        EmbedProcessor.TOKEN_EMBEDDINGS_CHILD),
                restarted.forwarded().stream().map(f -> f.childName().orElseThrow()).toList());
        assertEquals(0, store.approximateNumEntries());
        assertEquals(0, tokens.approximateNumEntries());
    }
}
