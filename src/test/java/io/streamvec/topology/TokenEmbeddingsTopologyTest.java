package io.streamvec.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.Span;
import io.streamvec.avro.TextEmbedding;
import io.streamvec.avro.TokenEmbeddings;
import io.streamvec.avro.TokenizedText;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import io.streamvec.serde.SchemaRegistry;
import io.streamvec.song2vec.stream.Song2vecSettings;
import io.streamvec.text.model.EmbeddingWorkers;
import io.streamvec.text.model.HashingTestEmbedder;
import io.streamvec.text.model.TextTokenizer;
import io.streamvec.text.model.Tokens;
import io.streamvec.text.stream.EmbedProcessor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topology with {@code embedding.token.vectors.enabled=true}: text-token-embeddings beside text-embeddings. */
class TokenEmbeddingsTopologyTest {

    private static TextTokenizer tokenizer;
    private final SchemaRegistry registry = EmbeddedSchemaRegistry.bundled();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private EmbeddingWorkers embedding;
    private TestInputTopic<String, byte[]> textEvents;
    private TestOutputTopic<String, TextEmbedding> embeddings;
    private TestOutputTopic<String, TokenEmbeddings> tokenEmbeddings;
    private TestOutputTopic<String, TokenizedText> tokens;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void loadTokenizer() {
        tokenizer = TextTokenizer.bundled(TextTokenizer.DEFAULT_MAX_LENGTH);
    }

    @AfterAll
    static void closeTokenizer() {
        tokenizer.close();
    }

    @BeforeEach
    void start() {
        Properties properties = new StreamvecConfig(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092",
                StreamsConfig.STATE_DIR_CONFIG, stateDir.toString())).streamsProperties();
        embedding = new EmbeddingWorkers(new HashingTestEmbedder(tokenizer),
                new EmbeddingWorkers.Settings(1, 0, 4, Duration.ofMillis(20)), metrics);
        StreamvecTopology.Parts parts = new StreamvecTopology.Parts(registry, () -> tokenizer, () -> embedding,
                Song2vecSettings.defaults(), metrics, null, true);
        driver = new TopologyTestDriver(StreamvecTopology.build(parts), properties);
        textEvents = driver.createInputTopic(Topics.TEXT_EVENTS, new StringSerializer(), new ByteArraySerializer());
        embeddings = driver.createOutputTopic(Topics.TEXT_EMBEDDINGS, new StringDeserializer(),
                new AvroSerde<>(TextEmbedding.class, registry).deserializer());
        tokenEmbeddings = driver.createOutputTopic(Topics.TEXT_TOKEN_EMBEDDINGS, new StringDeserializer(),
                new AvroSerde<>(TokenEmbeddings.class, registry).deserializer());
        tokens = driver.createOutputTopic(Topics.TEXT_TOKENS, new StringDeserializer(),
                new AvroSerde<>(TokenizedText.class, registry).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
        embedding.close();
    }

    private void awaitEmbeddings(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (embeddings.getQueueSize() < count && System.nanoTime() < deadline) {
            Thread.sleep(1);
            driver.advanceWallClockTime(EmbedProcessor.FORWARD_INTERVAL);
        }
    }

    @Test
    void everyTextGetsItsTokenVectorsBesideItsSentenceVectorFromTheSamePass() throws InterruptedException {
        List<String> texts = List.of("Hello world", "Kafka Streams turns events into vectors", "naïve café 😀", "ok",
                "one more text, with punctuation!");
        for (int i = 0; i < texts.size(); i++) {
            textEvents.pipeInput("t" + i, texts.get(i).getBytes(StandardCharsets.UTF_8));
        }
        awaitEmbeddings(texts.size());
        List<TestRecord<String, TextEmbedding>> sentences = embeddings.readRecordsToList();
        List<TestRecord<String, TokenEmbeddings>> perToken = tokenEmbeddings.readRecordsToList();
        assertEquals(texts.size(), sentences.size());
        assertEquals(texts.size(), perToken.size(), "one text-token-embeddings record per text-embeddings record");
        for (int i = 0; i < texts.size(); i++) {
            TextEmbedding sentence = sentences.get(i).value();
            TokenEmbeddings token = perToken.get(i).value();
            Tokens expected = tokenizer.tokenize(texts.get(i));
            assertEquals("t" + i, perToken.get(i).key());
            assertEquals("t" + i, token.getSourceId());
            assertEquals("hashing-test", token.getModel());
            assertEquals(HashingTestEmbedder.DIMENSION, token.getDimension());
            assertEquals(List.of(expected.pieces()), token.getTokens());
            assertEquals(expected.size(), token.getTokenIds().size());
            assertEquals(expected.size(), sentence.getTokenCount());
            assertEquals(expected.size() * HashingTestEmbedder.DIMENSION, token.getVectors().size(),
                    "one float array, tokens x dimension");
            for (int t = 0; t < expected.size(); t++) {
                assertEquals(expected.ids()[t], (long) token.getTokenIds().get(t));
                assertEquals(new Span(expected.starts()[t], expected.ends()[t]), token.getOffsets().get(t));
                float[] vector = HashingTestEmbedder.tokenVectorOf(expected.ids()[t]);
                for (int d = 0; d < vector.length; d++) {
                    assertEquals(vector[d], token.getVectors().get(t * HashingTestEmbedder.DIMENSION + d));
                }
            }
            // the mean of the token vectors, normalised, is the sentence vector (mean pooling)
            double[] mean = new double[HashingTestEmbedder.DIMENSION];
            for (int j = 0; j < token.getVectors().size(); j++) {
                mean[j % mean.length] += token.getVectors().get(j);
            }
            double norm = Math.sqrt(java.util.Arrays.stream(mean).map(x -> x * x).sum());
            for (int d = 0; d < mean.length; d++) {
                assertEquals(mean[d] / norm, sentence.getVector().get(d), 1e-5);
            }
            assertEquals(sentence.getProcessingTimestampMs(), token.getProcessingTimestampMs());
            assertEquals(sentence.getEventTimestampMs(), token.getEventTimestampMs());
            assertEquals(sentences.get(i).timestamp(), perToken.get(i).timestamp());
            assertFalse(token.getTruncated());
        }
        assertEquals(texts.size(), tokens.getQueueSize(), "text-tokens is unchanged");
        KeyValueStore<String, Object> buffer = driver.getKeyValueStore(EmbedProcessor.STORE);
        KeyValueStore<String, Object> tokenBuffer = driver.getKeyValueStore(EmbedProcessor.TOKENS_STORE);
        assertEquals(0, count(buffer), "forwarded texts leave both stores");
        assertEquals(0, count(tokenBuffer));
        assertEquals(texts.size(), metrics.get("streamvec.records.out").tag("topic", "text-token-embeddings")
                .counter().count());
    }

    @Test
    void theTokensOfAWaitingTextWaitInTheirOwnChangeloggedStore() {
        stop();
        // a linger of an hour and batches of 4: one text stays with the workers
        embedding = new EmbeddingWorkers(new HashingTestEmbedder(tokenizer),
                new EmbeddingWorkers.Settings(1, 0, 4, Duration.ofHours(1)), metrics);
        Properties properties = new StreamvecConfig(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092",
                StreamsConfig.STATE_DIR_CONFIG, stateDir.toString())).streamsProperties();
        driver = new TopologyTestDriver(StreamvecTopology.build(new StreamvecTopology.Parts(registry,
                () -> tokenizer, () -> embedding, Song2vecSettings.defaults()).withTokenVectors(true)), properties);
        textEvents = driver.createInputTopic(Topics.TEXT_EVENTS, new StringSerializer(), new ByteArraySerializer());
        textEvents.pipeInput("w", "waiting text".getBytes(StandardCharsets.UTF_8));
        KeyValueStore<String, TokenizedText> tokenBuffer = driver.getKeyValueStore(EmbedProcessor.TOKENS_STORE);
        KeyValueStore<String, Object> buffer = driver.getKeyValueStore(EmbedProcessor.STORE);
        List<KeyValue<String, TokenizedText>> waiting = new java.util.ArrayList<>();
        tokenBuffer.all().forEachRemaining(waiting::add);
        assertEquals(1, waiting.size());
        assertEquals(1, count(buffer));
        assertTrue(buffer.get(waiting.get(0).key) != null, "the same key in both stores");
        assertEquals(List.of("[CLS]", "waiting", "text", "[SEP]"), waiting.get(0).value.getTokens());
        assertEquals(List.of(new Span(0, 0), new Span(0, 7), new Span(8, 12), new Span(0, 0)),
                waiting.get(0).value.getOffsets());
        assertTrue(StreamvecTopology.describe(true).contains("embedding-buffer-tokens"));
        assertFalse(StreamvecTopology.describe().contains("text-token-embeddings"), "off by default");
    }

    private static long count(KeyValueStore<String, ?> store) {
        long n = 0;
        try (var all = store.all()) {
            while (all.hasNext()) {
                all.next();
                n++;
            }
        }
        return n;
    }
}
