package io.streamvec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.avro.TextEmbedding;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads text-embeddings (read_committed) in the background and counts the records per source id, for
 * tests that check every text {@code text-0 .. text-(n-1)} is embedded exactly once.
 */
final class EmbeddingReader implements AutoCloseable {
    private final KafkaConsumer<String, TextEmbedding> consumer;
    private final Map<String, AtomicInteger> perSource = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean running = true;

    EmbeddingReader(String bootstrapServers) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "embedding-reader-" + System.nanoTime());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new AvroSerde<>(TextEmbedding.class, EmbeddedSchemaRegistry.bundled()).deserializer());
        thread = new Thread(this::run, "embedding-reader");
    }

    void start() {
        consumer.subscribe(List.of(Topics.TEXT_EMBEDDINGS));
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, TextEmbedding> record : consumer.poll(Duration.ofMillis(100))) {
                    perSource.computeIfAbsent(record.key(), k -> new AtomicInteger()).incrementAndGet();
                    total.incrementAndGet();
                    TextEmbedding value = record.value();
                    if (!record.key().equals(value.getSourceId())
                            || value.getVector().size() != value.getDimension() || value.getDimension() == 0) {
                        problems.add(record.key() + ": " + value.getSourceId() + ", dim " + value.getDimension());
                    }
                }
            }
        } catch (RuntimeException e) {
            problems.add("the reader failed: " + e);
        }
    }

    int total() {
        return total.get();
    }

    int distinct() {
        return perSource.size();
    }

    /** Texts produced to one of {@code partitions} of text-events whose embedding is committed. */
    int committedIn(Set<Integer> partitions, Map<String, Integer> partitionOfText) {
        int n = 0;
        for (String source : perSource.keySet()) {
            Integer partition = partitionOfText.get(source);
            if (partition != null && partitions.contains(partition)) {
                n++;
            }
        }
        return n;
    }

    void assertExactlyOnce(int texts) {
        Map<String, Integer> counts = new TreeMap<>();
        perSource.forEach((k, v) -> counts.put(k, v.get()));
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < texts; i++) {
            if (!counts.containsKey("text-" + i)) {
                missing.add("text-" + i);
            }
        }
        assertTrue(missing.isEmpty(), "texts without an embedding: " + missing);
        Set<String> unknown = new HashSet<>(counts.keySet());
        for (int i = 0; i < texts; i++) {
            unknown.remove("text-" + i);
        }
        assertTrue(unknown.isEmpty(), "embeddings of unknown sources: " + unknown);
        Map<String, Integer> repeated = new TreeMap<>(counts);
        repeated.values().removeIf(c -> c == 1);
        assertTrue(repeated.isEmpty(), "texts embedded more than once: " + repeated);
        assertEquals(texts, total.get());
        assertTrue(problems.isEmpty(), "malformed embeddings: " + problems);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
        consumer.close(Duration.ofSeconds(5));
    }
}
