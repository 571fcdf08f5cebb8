package io.streamvec.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.InvalidEventException;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.Song;
import io.streamvec.avro.TextEvent;
import io.streamvec.avro.TextEmbedding;
import io.streamvec.avro.TokenizedText;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import io.streamvec.serde.SchemaRegistry;
import io.streamvec.song2vec.stream.Song2vecSettings;
import io.streamvec.text.stream.EmbedProcessor;
import io.streamvec.text.model.EmbeddingWorkers;
import io.streamvec.text.model.HashingTestEmbedder;
import io.streamvec.text.model.TextTokenizer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StreamvecTopologyTest {

    private static final Duration LINGER = Duration.ofSeconds(2);
    private static TextTokenizer tokenizer;
    private final SchemaRegistry registry = EmbeddedSchemaRegistry.bundled();
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> textEvents;
    private TestOutputTopic<String, TokenizedText> tokens;
    private TestOutputTopic<String, TextEmbedding> embeddings;
    private TestOutputTopic<byte[], byte[]> dlq;
    private HashingTestEmbedder embedder;
    private EmbeddingWorkers embedding;

    @BeforeAll
    static void loadTokenizer() {
        tokenizer = TextTokenizer.bundled(TextTokenizer.DEFAULT_MAX_LENGTH);
    }

    @AfterAll
    static void closeTokenizer() {
        tokenizer.close();
    }

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path stateDir;

    @BeforeEach
    void start() {
        start(tokenizer);
    }

    /** Builds the topology with {@code tokensTokenizer} for text-tokens and {@link #tokenizer} for the model. */
    private void start(TextTokenizer tokensTokenizer) {
        Properties properties = new StreamvecConfig(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092",
                StreamsConfig.STATE_DIR_CONFIG, stateDir.toString())).streamsProperties();
        embedder = new HashingTestEmbedder(tokenizer);
        embedding = new EmbeddingWorkers(embedder, new EmbeddingWorkers.Settings(1, 0, 4, LINGER),
                new SimpleMeterRegistry());
        driver = new TopologyTestDriver(StreamvecTopology.build(new StreamvecTopology.Parts(registry, () -> tokensTokenizer,
                () -> embedding, Song2vecSettings.defaults())), properties);
        textEvents = driver.createInputTopic(Topics.TEXT_EVENTS, new StringSerializer(), new ByteArraySerializer());
        tokens = driver.createOutputTopic(Topics.TEXT_TOKENS, new StringDeserializer(),
                new AvroSerde<>(TokenizedText.class, registry).deserializer());
        embeddings = driver.createOutputTopic(Topics.TEXT_EMBEDDINGS, new StringDeserializer(),
                new AvroSerde<>(TextEmbedding.class, registry).deserializer());
        dlq = driver.createOutputTopic(Topics.DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
        embedding.close();
    }

    /**
     * The workers embed on their own thread: lets the driver's wall clock run (each task's punctuator forwards
     * what is finished) until {@code count} embeddings are out, or 30 s have passed.
     */
    private void awaitEmbeddings(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (embeddings.getQueueSize() < count && System.nanoTime() < deadline) {
            Thread.sleep(1);
            driver.advanceWallClockTime(EmbedProcessor.FORWARD_INTERVAL);
        }
    }

    private byte[] avroEvent(String id, String text) {
        return new AvroSerde<>(TextEvent.class, registry).serialize(Topics.TEXT_EVENTS,
                TextEvent.newBuilder().setId(id).setText(text).setTimestampMs(123L).build());
    }

    @Test
    void plainAndAvroTextEventsComeOutAsTokens() {
        textEvents.pipeInput("plain-1", "Hello world".getBytes(StandardCharsets.UTF_8));
        textEvents.pipeInput("ignored-key", avroEvent("avro-1", "Hello world"));

        List<TestRecord<String, TokenizedText>> out = tokens.readRecordsToList();
        assertEquals(2, out.size());
        assertEquals("plain-1", out.get(0).key());
        assertEquals("avro-1", out.get(1).key());
        assertEquals(out.get(0).value().getTokenIds(), out.get(1).value().getTokenIds());
        assertEquals(List.of("[CLS]", "hello", "world", "[SEP]"), out.get(1).value().getTokens());
        assertEquals(123L, out.get(1).value().getEventTimestampMs());
        assertTrue(dlq.isEmpty());
    }

    @Test
    void everyTextIsEmbeddedInMicroBatchesOfTheConfiguredSize() throws InterruptedException {
        long started = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            textEvents.pipeInput("t" + i, ("text number " + i).getBytes(StandardCharsets.UTF_8));
        }
        awaitEmbeddings(8);
        List<Integer> batchesSoFar = List.copyOf(embedder.batchSizes); // read before the clock
        long outSoFar = embeddings.getQueueSize();
        if (System.nanoTime() - started < LINGER.toNanos()) {
            assertEquals(List.of(4, 4), batchesSoFar, "two full batches, two texts still waiting");
            assertEquals(8, outSoFar);
        }
        awaitEmbeddings(10);
        assertTrue(System.nanoTime() - started >= LINGER.toNanos(), "the last two waited for the linger");
        assertEquals(List.of(4, 4, 2), embedder.batchSizes, "the worker took the rest once it had lingered");
        List<TestRecord<String, TextEmbedding>> out = embeddings.readRecordsToList();
        assertEquals(10, out.size());
        for (int i = 0; i < 10; i++) {
            assertEquals("t" + i, out.get(i).key());
            assertEquals("t" + i, out.get(i).value().getSourceId());
            assertEquals(HashingTestEmbedder.DIMENSION, out.get(i).value().getVector().size());
        }
        assertEquals(10, tokens.getQueueSize(), "the tokens branch saw every text too");
    }

    @Test
    void unreadableRecordsAreSkippedAndGoodOnesStillFlow() {
        // (TopologyTestDriver does not forward the deserialization handler's dead-letter records; the
        // handler is tested in DeadLetterDeserializationHandlerTest and end to end in StreamvecIntegrationTest.)
        byte[] unknownId = avroEvent("x", "text");
        unknownId[4] ^= 0x55;
        byte[] truncated = java.util.Arrays.copyOf(avroEvent("x", "some text"), 9);
        byte[] wrongSchema = new AvroSerde<>(Song.class, registry).serialize(Topics.TEXT_EVENTS,
                Song.newBuilder().setId("s").build());
        List<byte[]> unreadable = List.of(
                new byte[] {0},                          // header cut short
                unknownId,                               // unknown schema id
                truncated,                               // truncated Avro
                wrongSchema,                             // a valid record of another schema
                new byte[] {(byte) 0xff, (byte) 0xfe});  // invalid UTF-8
        for (int i = 0; i < unreadable.size(); i++) {
            textEvents.pipeInput("good-" + i, ("good text " + i).getBytes(StandardCharsets.UTF_8));
            textEvents.pipeInput("bad", unreadable.get(i));
        }
        textEvents.pipeInput("last", avroEvent("x", "still fine"));

        List<TestRecord<String, TokenizedText>> out = tokens.readRecordsToList();
        assertEquals(unreadable.size() + 1, out.size(), "every good record still produces its tokens");
        assertEquals("x", out.get(out.size() - 1).key());
    }

    @Test
    void invalidEventsGoToTheDeadLetterQueueWithTheReason() throws InterruptedException {
        textEvents.pipeInput("blank", "  \n ".getBytes(StandardCharsets.UTF_8));
        textEvents.pipeInput("good", "fine".getBytes(StandardCharsets.UTF_8));
        textEvents.pipeInput("empty", new byte[0]);
        textEvents.pipeInput("null", (byte[]) null);

        assertEquals(List.of("good"), tokens.readRecordsToList().stream().map(TestRecord::key).toList());
        awaitEmbeddings(1);
        assertEquals(List.of("good"), embeddings.readRecordsToList().stream().map(TestRecord::key).toList(),
                "an invalid event is dead-lettered once, not once per branch");
        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertEquals(3, dead.size());
        assertEquals(List.of("blank", "empty", "null"),
                dead.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList());
        assertTrue(java.util.Arrays.equals("  \n ".getBytes(StandardCharsets.UTF_8), dead.get(0).value()),
                "the DLQ keeps the raw value");
        for (TestRecord<byte[], byte[]> record : dead) {
            assertEquals(Topics.TEXT_EVENTS, header(record, "__streams.errors.topic"));
            assertEquals(InvalidEventException.class.getName(), header(record, "__streams.errors.exception"));
            assertNotNull(header(record, "__streams.errors.offset"));
            assertNotNull(header(record, "__streams.errors.partition"));
        }
        assertTrue(header(dead.get(0), "__streams.errors.message").contains("whitespace"));
        assertTrue(header(dead.get(2), "__streams.errors.message").contains("null value"));
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aTokenizerOfItsOwnForTextTokensLeavesTheModelsTokensAlone() throws InterruptedException {
        stop();
        try (TextTokenizer shorter = TextTokenizer.bundled(4)) {
            start(shorter);
            String text = "one two three four five";
            textEvents.pipeInput("t", text.getBytes(StandardCharsets.UTF_8));
            TokenizedText out = tokens.readValue();
            assertEquals(shorter.tokenize(text).ids().length, out.getTokenIds().size());
            assertEquals(4, out.getTokenIds().size());
            assertTrue(out.getTruncated());
            awaitEmbeddings(1);
            TextEmbedding embedded = embeddings.readValue();
            long[] modelIds = tokenizer.tokenize(text).ids();
            assertEquals(7, modelIds.length);
            assertEquals(modelIds.length, embedded.getTokenCount());
            assertFalse(embedded.getTruncated());
            float[] expected = HashingTestEmbedder.vectorOf(modelIds);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], embedded.getVector().get(i));
            }
        }
    }
}
