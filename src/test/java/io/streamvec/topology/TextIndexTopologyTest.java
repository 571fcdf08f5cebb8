package io.streamvec.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.TextEmbedding;
import io.streamvec.avro.TextNeighbors;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import io.streamvec.serde.SchemaRegistry;
import io.streamvec.song2vec.stream.Song2vecSettings;
import io.streamvec.text.model.EmbeddingWorkers;
import io.streamvec.text.model.HashingTestEmbedder;
import io.streamvec.text.model.TextTokenizer;
import io.streamvec.text.model.SearchMode;
import io.streamvec.text.model.TextVectorIndex;
import io.streamvec.text.stream.EmbedProcessor;
import io.streamvec.text.stream.TextIndexSettings;
import io.streamvec.text.stream.TextStores;
import io.streamvec.text.stream.TextIndexStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The text index in the real topology: every embedded text lands in its task's index in the step that emits its
 * embedding, and with {@code text.neighbors.enabled} a text whose earlier texts (in the index, or earlier in the same
 * micro-batch) score at least the minimum gets one {@code text-neighbors} record, best first, itself never included.
 */
class TextIndexTopologyTest {

    private static TextTokenizer tokenizer;
    private final SchemaRegistry registry = EmbeddedSchemaRegistry.bundled();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private EmbeddingWorkers embedding;
    private TestInputTopic<String, byte[]> textEvents;
    private TestOutputTopic<String, TextEmbedding> embeddings;
    private TestOutputTopic<String, TextNeighbors> neighbors;

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

    private void start(TextIndexSettings settings, int batchSize) {
        Properties properties = new StreamvecConfig(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092",
                StreamsConfig.STATE_DIR_CONFIG, stateDir.toString())).streamsProperties();
        embedding = new EmbeddingWorkers(new HashingTestEmbedder(tokenizer),
                new EmbeddingWorkers.Settings(1, 0, batchSize, Duration.ofMillis(20)), metrics);
        StreamvecTopology.Parts parts = new StreamvecTopology.Parts(registry, () -> tokenizer, () -> embedding,
                Song2vecSettings.defaults(), metrics, null, false, settings);
        driver = new TopologyTestDriver(StreamvecTopology.build(parts), properties);
        textEvents = driver.createInputTopic(Topics.TEXT_EVENTS, new StringSerializer(), new ByteArraySerializer());
        embeddings = driver.createOutputTopic(Topics.TEXT_EMBEDDINGS, new StringDeserializer(),
                new AvroSerde<>(TextEmbedding.class, registry).deserializer());
        neighbors = driver.createOutputTopic(Topics.TEXT_NEIGHBORS, new StringDeserializer(),
                new AvroSerde<>(TextNeighbors.class, registry).deserializer());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
        if (embedding != null) {
            embedding.close();
        }
    }

    private void awaitEmbeddings(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int seen = 0;
        while (seen < count && System.nanoTime() < deadline) {
            Thread.sleep(1);
            driver.advanceWallClockTime(EmbedProcessor.FORWARD_INTERVAL);
            seen += embeddings.readValuesToList().size();
        }
        assertEquals(count, seen, "embedded within 30 s");
    }

    private void send(String id, String text) {
        textEvents.pipeInput(id, text.getBytes(StandardCharsets.UTF_8));
    }

    private TextIndexStore index() {
        return (TextIndexStore) driver.getStateStore(TextStores.TEXT_INDEX);
    }

    @Test
    void everyEmbeddedTextIsIndexedAndNoNeighborsAreWrittenByDefault() throws InterruptedException {
        start(TextIndexSettings.defaults(), 4);
        send("a", "the cat sat on the mat");
        send("b", "a completely different sentence about trains");
        send("c", "the cat sat on the mat");
        awaitEmbeddings(3);
        TextIndexStore index = index();
        assertEquals(3, index.size());
        TextVectorIndex.Entry a = index.get("a").orElseThrow();
        assertEquals("the cat sat on the mat", a.text());
        List<TextVectorIndex.Hit> hits = index.search(a.vector(), 3, Long.MIN_VALUE, "a");
        assertEquals("c", hits.get(0).id(), "the same text is the nearest other text");
        assertEquals(1f, hits.get(0).score(), 1e-5f);
        assertTrue(neighbors.isEmpty(), "text-neighbors is off by default");
        assertEquals(3.0, metrics.get("streamvec.text.index.texts").gauge().value());
        assertEquals(3.0 * (4 * a.vector().length + 8), metrics.get("streamvec.text.index.search.bytes").gauge().value(),
                "exact search by default: fp32 vectors and timestamps");
    }

    @ParameterizedTest
    @EnumSource(SearchMode.class)
    void nearDuplicatesOfEarlierTextsGoToTextNeighborsFromTheIndexAndTheSameBatch(SearchMode mode)
            throws InterruptedException {
        start(TextIndexSettings.defaults().withNeighbors(true).withSearch(mode), 64);
        send("first", "breaking news: the river flooded the town");
        awaitEmbeddings(1);
        assertTrue(neighbors.isEmpty(), "nothing earlier to be like");
        // One micro-batch: "second" is like the indexed "first"; "third" like both; "first" re-sent is like
        // "second" and "third" but never like itself.
        send("second", "breaking news: the river flooded the town");
        send("other", "a recipe for lemon cake with fresh berries");
        send("third", "breaking news: the river flooded the town");
        send("first", "breaking news: the river flooded the town");
        awaitEmbeddings(4);
        Map<String, TextNeighbors> out = new java.util.HashMap<>();
        neighbors.readKeyValuesToList().forEach(kv -> out.put(kv.key, kv.value));
        assertEquals(java.util.Set.of("second", "third", "first"), out.keySet(), "the other text has no neighbours");
        assertEquals(List.of("first"), ids(out.get("second")));
        assertEquals(java.util.Set.of("first", "second"), java.util.Set.copyOf(ids(out.get("third"))));
        assertEquals(java.util.Set.of("second", "third"), java.util.Set.copyOf(ids(out.get("first"))));
        for (TextNeighbors record : out.values()) {
            assertEquals("breaking news: the river flooded the town", record.getText());
            record.getNeighbors().forEach(n -> assertTrue(n.getScore() >= 0.9f, "at least the minimum score"));
        }
        assertEquals(4, index().size(), "first, second, other, third: the re-sent first replaced its entry");
        // A search from another thread than the stream's (as HTTP asks): an int8 index re-ranks from the store.
        float[] query = index().get("other").orElseThrow().vector();
        List<TextVectorIndex.Hit> hits = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> index().search(query, 4, Long.MIN_VALUE, null)).join();
        assertEquals("other", hits.get(0).id());
        assertEquals(1f, hits.get(0).score(), 1e-5f);
        assertEquals(4, hits.size());
        double bytesPerText = mode == SearchMode.EXACT ? 4 * query.length + 8 : query.length + 12;
        assertEquals(4 * bytesPerText, metrics.get("streamvec.text.index.search.bytes").gauge().value());
    }

    private static List<String> ids(TextNeighbors record) {
        return record.getNeighbors().stream().map(n -> n.getSourceId()).toList();
    }
}
