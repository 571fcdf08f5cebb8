package io.streamvec.bench;

import io.streamvec.StreamvecApp;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.TextEmbedding;
import io.streamvec.kafka.EmbeddedKafka;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * End-to-end embedding throughput through Kafka: an in-process KRaft broker, streamvec's whole topology
 * (exactly-once, as deployed), the corpus produced to {@code text-events} as UTF-8 text, and the time
 * from the first send until every {@code text-embeddings} record is read with {@code read_committed}.
 * A warm-up set goes through first (and is not timed), so that start-up and the model's first batches
 * are excluded.
 */
public final class EndToEndThroughput {

    /** One timed run: {@code sentences} embeddings read back in {@code seconds}. */
    public record Result(int sentences, double seconds, int batchSize, long lingerMs, String guarantee) {
        public double sentencesPerSecond() {
            return sentences / seconds;
        }
    }

    private EndToEndThroughput() {}

    public static Result run(List<String> corpus, List<String> warmup, int batchSize, long lingerMs, Duration timeout)
            throws Exception {
        Path stateDir = Files.createTempDirectory("streamvec-bench-state");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Map<String, Object> properties = StreamvecConfig.local(kafka.bootstrapServers(), "streamvec-bench", stateDir);
            properties.put(StreamvecConfig.EMBEDDING_BATCH_SIZE, batchSize);
            properties.put(StreamvecConfig.EMBEDDING_LINGER_MS, lingerMs);
            properties.put(StreamvecConfig.EMBEDDING_DEVICE, "cpu");
            properties.put(StreamvecConfig.EMBEDDING_PRECISION, "fp32");
            BenchOverrides.apply(properties); // any other setting (e.g. commit.interval.ms, processing.guarantee)
            StreamvecConfig config = new StreamvecConfig(properties);
            String guarantee = String.valueOf(config.streamsProperties().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
            try (StreamvecApp app = new StreamvecApp(config).start();
                 KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers());
                 KafkaConsumer<String, TextEmbedding> consumer = consumer(kafka.bootstrapServers(),
                         new AvroSerde<>(TextEmbedding.class, app.registry()))) {
                app.awaitRunning(timeout);
                List<TopicPartition> partitions = consumer.partitionsFor(Topics.TEXT_EMBEDDINGS).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);

                send(producer, "warmup-", warmup);
                await(consumer, "warmup-", warmup.size(), timeout);

                long started = System.nanoTime();
                send(producer, "bench-", corpus);
                await(consumer, "bench-", corpus.size(), timeout);
                double seconds = (System.nanoTime() - started) / 1e9;
                return new Result(corpus.size(), seconds, batchSize, lingerMs, guarantee);
            }
        } finally {
            deleteRecursively(stateDir);
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, String prefix, List<String> texts) {
        for (int i = 0; i < texts.size(); i++) {
            producer.send(new ProducerRecord<>(Topics.TEXT_EVENTS, prefix + i, texts.get(i).getBytes(StandardCharsets.UTF_8)));
        }
        producer.flush();
    }

    /** Polls until {@code expected} distinct embeddings keyed {@code prefix*} have been read. */
    private static void await(KafkaConsumer<String, TextEmbedding> consumer, String prefix, int expected,
                              Duration timeout) throws TimeoutException {
        Set<String> seen = new HashSet<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (seen.size() < expected) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("read " + seen.size() + " of " + expected + " " + prefix
                        + "* embeddings within " + timeout);
            }
            for (ConsumerRecord<String, TextEmbedding> record : consumer.poll(Duration.ofMillis(50))) {
                if (record.key() != null && record.key().startsWith(prefix)) {
                    if (record.value().getDimension() <= 0 || record.value().getVector().isEmpty()) {
                        throw new IllegalStateException("empty embedding for " + record.key());
                    }
                    seen.add(record.key());
                }
            }
        }
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<String, TextEmbedding> consumer(String bootstrap, AvroSerde<TextEmbedding> avro) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(config, new StringDeserializer(), avro.deserializer());
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
