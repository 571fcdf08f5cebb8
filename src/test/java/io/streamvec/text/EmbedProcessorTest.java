package io.streamvec.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.avro.PendingEmbedding;
import io.streamvec.avro.TextEmbedding;
import io.streamvec.avro.TextEvent;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EmbedProcessorTest {

    private static TextTokenizer tokenizer;
    private HashingTestEmbedder embedder;
    private MockProcessorContext<String, TextEmbedding> context;
    private KeyValueStore<String, PendingEmbedding> store;
    private long offset;
    private final io.micrometer.core.instrument.simple.SimpleMeterRegistry metrics =
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    private final java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(777L);

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
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(EmbedProcessor.STORE), Serdes.String(),
                new AvroSerde<>(PendingEmbedding.class, EmbeddedSchemaRegistry.bundled()))
                .withLoggingDisabled().withCachingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
    }

    private EmbedProcessor processor(int batchSize) {
        context.setCurrentSystemTimeMs(clock.get());
        EmbedProcessor processor = new EmbedProcessor(() -> embedder, batchSize, Duration.ofMillis(250), metrics);
        processor.init(context);
        return processor;
    }

    private void send(EmbedProcessor processor, String id, String text) {
        context.setRecordMetadata("text-events", 0, offset++);
        context.setCurrentSystemTimeMs(clock.get());
        processor.process(new Record<>(id, TextEvent.newBuilder().setId(id).setText(text).setTimestampMs(1000 + offset)
                .build(), 1000 + offset));
    }

    @Test
    void aFullBufferIsEmbeddedAsOneBatchInArrivalOrder() {
        EmbedProcessor processor = processor(3);
        send(processor, "a", "first text");
        send(processor, "b", "second text");
        assertTrue(context.forwarded().isEmpty(), "waits for the batch to fill");
        assertEquals(2, store.approximateNumEntries());
        send(processor, "c", "third text is longer than the maximum of sixteen tokens for sure, yes indeed");

        assertEquals(List.of(3), embedder.batchSizes);
        assertEquals(List.of("a", "b", "c"), context.forwarded().stream().map(f -> f.record().key()).toList());
        TextEmbedding c = context.forwarded().get(2).record().value();
        assertEquals("hashing-test", c.getModel());
        assertEquals(HashingTestEmbedder.DIMENSION, c.getDimension());
        assertEquals(16, c.getTokenCount());
        assertTrue(c.getTruncated());
        assertEquals(777L, c.getProcessingTimestampMs());
        assertEquals(1003L, c.getEventTimestampMs());
        float[] expected = HashingTestEmbedder.vectorOf(tokenizer.tokenize("first text").ids());
        float[] actual = new float[expected.length];
        for (int i = 0; i < actual.length; i++) {
            actual[i] = context.forwarded().get(0).record().value().getVector().get(i);
        }
        assertArrayEquals(expected, actual);
        assertEquals(0, store.approximateNumEntries(), "embedded texts leave the buffer");
        assertEquals(1, metrics.get("streamvec.embedding.batch").timer().count());
        assertEquals(3.0, metrics.get("streamvec.embedding.batch.size").summary().totalAmount());
        assertEquals(3.0, metrics.get("streamvec.records.out").counter().count());
    }

    @Test
    void aPartialBatchIsFlushedOnceItsOldestTextHasLingered() {
        EmbedProcessor processor = processor(32);
        CapturedPunctuator punctuator = context.scheduledPunctuators().get(0);
        assertEquals(PunctuationType.WALL_CLOCK_TIME, punctuator.getType());
        assertEquals(Duration.ofMillis(250).dividedBy(4), punctuator.getInterval(), "checked four times per linger");
        send(processor, "a", "one");
        clock.addAndGet(200);
        send(processor, "b", "two");

        punctuator.getPunctuator().punctuate(clock.get());
        assertTrue(embedder.batchSizes.isEmpty(), "the oldest text has waited 200 of 250 ms");
        clock.addAndGet(50);
        punctuator.getPunctuator().punctuate(clock.get());
        assertEquals(List.of(2), embedder.batchSizes, "both texts go in one batch once the oldest has lingered");
        assertEquals(2, context.forwarded().size());

        clock.addAndGet(1000);
        punctuator.getPunctuator().punctuate(clock.get());
        assertEquals(1, embedder.calls.get(), "an empty buffer calls no model");
    }

    @Test
    void aFailingModelFailsTheTaskAndKeepsTheBuffer() {
        TextEmbedder broken = new HashingTestEmbedder(tokenizer) {
            @Override
            public float[][] embed(List<long[]> tokenIds) {
                throw new IllegalStateException("CUDA out of memory");
            }
        };
        EmbedProcessor processor = new EmbedProcessor(() -> broken, 2, Duration.ofMillis(250), metrics);
        context.setCurrentSystemTimeMs(clock.get());
        processor.init(context);
        send(processor, "a", "one");
        EmbedProcessor.EmbeddingFailedException e = org.junit.jupiter.api.Assertions.assertThrows(
                EmbedProcessor.EmbeddingFailedException.class, () -> send(processor, "b", "two"));
        assertTrue(e.getMessage().contains("CUDA out of memory"), e.getMessage());
        assertEquals(2, store.approximateNumEntries(), "nothing leaves the buffer: the task retries after restart");
        assertTrue(context.forwarded().isEmpty());
    }

    @Test
    void aRestartedTaskFlushesWhatTheRestoredBufferHolds() {
        EmbedProcessor before = processor(10);
        send(before, "a", "one");
        send(before, "b", "two");
        before.close();
        assertTrue(context.forwarded().isEmpty());

        // Same store (as restored from its changelog), new processor instance, as after a restart.
        MockProcessorContext<String, TextEmbedding> fresh = new MockProcessorContext<>();
        fresh.addStateStore(store);
        fresh.setCurrentSystemTimeMs(clock.get());
        EmbedProcessor after = new EmbedProcessor(() -> embedder, 3, Duration.ofMillis(250), metrics);
        after.init(fresh);
        fresh.setRecordMetadata("text-events", 0, offset++);
        after.process(new Record<>("c", TextEvent.newBuilder().setId("c").setText("three").setTimestampMs(5L).build(), 5L));

        assertEquals(List.of("a", "b", "c"), fresh.forwarded().stream().map(f -> f.record().key()).toList(),
                "the restored texts count toward the batch and keep their order");
        assertEquals(List.of(3), embedder.batchSizes);
    }
}
