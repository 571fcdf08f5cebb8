package io.streamvec.text.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.StreamvecApp;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.TextEmbedding;
import io.streamvec.kafka.KafkaBroker;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
 * Nothing buffered for embedding is lost when streamvec stops before the flush: stop with every text
 * still in the buffer, restart on an empty state directory (so the buffer must come back from its
 * changelog, as after a crash that lost the disk), and every text is embedded exactly once.
 */
class EmbeddingBufferIntegrationTest {

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    private static StreamvecConfig config(Path stateDir, int batchSize, long lingerMs) {
        Map<String, Object> properties =
                StreamvecConfig.local(KAFKA.bootstrapServers(), "streamvec-buffer-it", stateDir);
        properties.put(StreamvecConfig.EMBEDDING_BATCH_SIZE, batchSize);
        properties.put(StreamvecConfig.EMBEDDING_LINGER_MS, lingerMs);
        return new StreamvecConfig(properties);
    }

    @Test
    void bufferedTextsSurviveAStopAndAreEmbeddedExactlyOnce(@TempDir Path firstState, @TempDir Path secondState)
            throws Exception {
        int texts = 40;
        try (StreamvecApp app = new StreamvecApp(config(firstState, 1000, 3_600_000L)).start()) {
            app.awaitRunning(Duration.ofSeconds(60));
            produce(texts);
            ReadOnlyKeyValueStore<String, ?> buffer = app.streams().store(StoreQueryParameters.fromNameAndType(
                    EmbedProcessor.STORE, QueryableStoreTypes.keyValueStore()));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (buffer.approximateNumEntries() < texts && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(texts, buffer.approximateNumEntries(), "every text waits in the buffer");
            Thread.sleep(500); // let the exactly-once commit (100 ms) take the buffer and the offsets
        }
        assertTrue(readEmbeddings(Duration.ofSeconds(2)).isEmpty(), "nothing was embedded before the stop");

        try (StreamvecApp app = new StreamvecApp(config(secondState, 16, 100L)).start()) {
            app.awaitRunning(Duration.ofSeconds(60));
            List<ConsumerRecord<String, TextEmbedding>> out = readUntil(texts, Duration.ofSeconds(120));
            Map<String, Integer> counts = new HashMap<>();
            out.forEach(r -> counts.merge(r.key(), 1, Integer::sum));
            assertEquals(texts, counts.size(), "every buffered text was embedded after the restart");
            assertTrue(counts.values().stream().allMatch(c -> c == 1), "and exactly once: " + counts);
            for (ConsumerRecord<String, TextEmbedding> record : out) {
                assertEquals(record.value().getDimension(), record.value().getVector().size());
            }
        }
    }

    private static void produce(int texts) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < texts; i++) {
                producer.send(new ProducerRecord<>(Topics.TEXT_EVENTS, "text-" + i,
                        ("buffered text number " + i).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    private static List<ConsumerRecord<String, TextEmbedding>> readEmbeddings(Duration forAtLeast) {
        return read(Integer.MAX_VALUE, forAtLeast);
    }

    private static List<ConsumerRecord<String, TextEmbedding>> readUntil(int count, Duration timeout) {
        List<ConsumerRecord<String, TextEmbedding>> out = read(count, timeout);
        // keep reading briefly to catch any duplicate
        out.addAll(read(Integer.MAX_VALUE, Duration.ofSeconds(1), out.size()));
        return out;
    }

    private static List<ConsumerRecord<String, TextEmbedding>> read(int count, Duration timeout) {
        return read(count, timeout, 0);
    }

    private static List<ConsumerRecord<String, TextEmbedding>> read(int count, Duration timeout, int skip) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "buffer-it-reader-" + System.nanoTime());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, TextEmbedding>> out = new java.util.ArrayList<>();
        int seen = 0;
        try (KafkaConsumer<String, TextEmbedding> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new AvroSerde<>(TextEmbedding.class, EmbeddedSchemaRegistry.bundled()).deserializer())) {
            consumer.subscribe(List.of(Topics.TEXT_EMBEDDINGS));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, TextEmbedding> record : consumer.poll(Duration.ofMillis(100))) {
                    if (seen++ >= skip) {
                        out.add(record);
                    }
                }
            }
        }
        return out;
    }
}
