package io.streamvec.text.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.StreamvecApp;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.TextEmbedding;
import io.streamvec.avro.TokenEmbeddings;
import io.streamvec.kafka.KafkaBroker;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code embedding.token.vectors.enabled=true} on a broker, exactly once: texts buffered when streamvec
 * stops come back from both stores' changelogs on an empty state directory, and each gets exactly one
 * {@code text-embeddings} and one {@code text-token-embeddings} record (read_committed), from the real model.
 */
class TokenEmbeddingsIntegrationTest {

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    private static StreamvecConfig config(Path stateDir, int batchSize, long lingerMs) {
        Map<String, Object> properties =
                StreamvecConfig.local(KAFKA.bootstrapServers(), "streamvec-token-vectors-it", stateDir);
        properties.put(StreamvecConfig.EMBEDDING_BATCH_SIZE, batchSize);
        properties.put(StreamvecConfig.EMBEDDING_LINGER_MS, lingerMs);
        properties.put(StreamvecConfig.EMBEDDING_TOKEN_VECTORS_ENABLED, true);
        return new StreamvecConfig(properties);
    }

    @Test
    void bufferedTextsGetOneSentenceAndOneTokenRecordEachAfterARestart(@TempDir Path firstState,
                                                                      @TempDir Path secondState) throws Exception {
        int texts = 24;
        try (StreamvecApp app = new StreamvecApp(config(firstState, 1000, 3_600_000L)).start()) {
            app.awaitRunning(Duration.ofSeconds(60));
            produce(texts);
            ReadOnlyKeyValueStore<String, ?> tokens = app.streams().store(StoreQueryParameters.fromNameAndType(
                    EmbedProcessor.TOKENS_STORE, QueryableStoreTypes.keyValueStore()));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (tokens.approximateNumEntries() < texts && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(texts, tokens.approximateNumEntries(), "every text's tokens wait in their store");
            Thread.sleep(500); // let the exactly-once commit take both stores and the offsets
        }

        try (StreamvecApp app = new StreamvecApp(config(secondState, 8, 100L)).start()) {
            app.awaitRunning(Duration.ofSeconds(60));
            List<ConsumerRecord<String, TextEmbedding>> sentences =
                    read(Topics.TEXT_EMBEDDINGS, TextEmbedding.class, texts, Duration.ofSeconds(120));
            List<ConsumerRecord<String, TokenEmbeddings>> perToken =
                    read(Topics.TEXT_TOKEN_EMBEDDINGS, TokenEmbeddings.class, texts, Duration.ofSeconds(30));
            assertEquals(texts, onceEach(sentences).size());
            Map<String, Integer> tokenCounts = onceEach(perToken);
            assertEquals(texts, tokenCounts.size(), "every text got its token vectors after the restart");
            Map<String, TextEmbedding> bySource = new HashMap<>();
            sentences.forEach(r -> bySource.put(r.key(), r.value()));
            for (ConsumerRecord<String, TokenEmbeddings> record : perToken) {
                TokenEmbeddings token = record.value();
                TextEmbedding sentence = bySource.get(record.key());
                assertEquals(384, token.getDimension());
                assertEquals(sentence.getTokenCount(), token.getTokenIds().size());
                assertEquals(token.getTokenIds().size(), token.getTokens().size());
                assertEquals(token.getTokenIds().size() * 384, token.getVectors().size());
                assertEquals("[CLS]", token.getTokens().get(0));
                // mean pooling: the mean of the token vectors points where the sentence vector does
                double dot = 0;
                double norm = 0;
                for (int d = 0; d < 384; d++) {
                    double mean = 0;
                    for (int t = 0; t < token.getTokenIds().size(); t++) {
                        mean += token.getVectors().get(t * 384 + d);
                    }
                    dot += mean * sentence.getVector().get(d);
                    norm += mean * mean;
                }
                assertEquals(1.0, dot / Math.sqrt(norm), 1e-5, record.key());
            }
        }
    }

    private static <T> Map<String, Integer> onceEach(List<ConsumerRecord<String, T>> records) {
        Map<String, Integer> counts = new HashMap<>();
        records.forEach(r -> counts.merge(r.key(), 1, Integer::sum));
        assertTrue(counts.values().stream().allMatch(c -> c == 1), "exactly once: " + counts);
        return counts;
    }

    private static void produce(int texts) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < texts; i++) {
                producer.send(new ProducerRecord<>(Topics.TEXT_EVENTS, "text-" + i,
                        ("buffered text number " + i + " with its token vectors").getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    /** Reads {@code count} records, then a second more to catch any duplicate. */
    private static <T extends SpecificRecord> List<ConsumerRecord<String, T>> read(String topic, Class<T> type,
                                                                                  int count, Duration timeout) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "token-vectors-it-reader-" + System.nanoTime());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, T>> out = new ArrayList<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new AvroSerde<>(type, EmbeddedSchemaRegistry.bundled()).deserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
            }
            long extra = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (System.nanoTime() < extra) {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
            }
        }
        return out;
    }
}
