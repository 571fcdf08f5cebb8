package io.streamvec.bench;

import io.streamvec.StreamvecApp;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.TextEmbedding;
import io.streamvec.kafka.EmbeddedKafka;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.text.model.EmbeddingWorkers;
import io.micrometer.core.instrument.DistributionSummary;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeoutException;
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
 *
 * <p>Steady state, as a long-running instance sees it: the corpus first goes through in warm-up rounds
 * until the JIT has settled (a round in which the compilers' time was under {@value #SETTLED_COMPILE_SHARE}
 * of the round's wall time, at most {@value #MAX_WARMUP_ROUNDS} rounds); the broker, the clients and the
 * topology are otherwise compiled while they are timed. Then {@code rounds} timed rounds, each with keys of
 * its own; the median is the result.
 */
public final class EndToEndThroughput {

    static final double SETTLED_COMPILE_SHARE = 0.03;
    static final int MAX_WARMUP_ROUNDS = 30;

    /**
     * Timed rounds of {@code sentences} embeddings each, after {@code warmupRounds}; the compilers' time during
     * the timed rounds; the workers' settings and their mean micro-batch in the timed rounds.
     */
    public record Result(int sentences, double[] roundSeconds, int warmupRounds, boolean settled,
                         long timedCompileMillis, String guarantee, EmbeddingWorkers.Settings workers,
                         double meanBatch) {

        /** Sentences per second in each timed round. */
        public double[] roundRates() {
            double[] rates = new double[roundSeconds.length];
            for (int i = 0; i < rates.length; i++) {
                rates[i] = sentences / roundSeconds[i];
            }
            return rates;
        }

        /** The median round's rate. */
        public double sentencesPerSecond() {
            return Median.of(roundRates());
        }
    }

    private EndToEndThroughput() {}

    public static Result run(List<String> corpus, int rounds, int batchSize, long lingerMs, Duration timeout)
            throws Exception {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be >= 1, got " + rounds);
        }
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        try (ScratchDir stateDir = ScratchDir.create("streamvec-bench-state");
             EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Map<String, Object> properties = StreamvecConfig.local(kafka.bootstrapServers(), "streamvec-bench",
                    stateDir.path());
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

                int warmupRounds = 0;
                boolean settled = false;
                while (!settled && warmupRounds < MAX_WARMUP_ROUNDS) {
                    long compiledBefore = jit.getTotalCompilationTime();
                    long started = System.nanoTime();
                    round(producer, consumer, "warmup-" + warmupRounds++ + "-", corpus, timeout);
                    double wallMillis = (System.nanoTime() - started) / 1e6;
                    settled = jit.getTotalCompilationTime() - compiledBefore < SETTLED_COMPILE_SHARE * wallMillis;
                }

                DistributionSummary batches = app.metrics().registry().get("streamvec.embedding.batch.size").summary();
                long batchesBefore = batches.count();
                double textsBefore = batches.totalAmount();
                long compiledBefore = jit.getTotalCompilationTime();
                double[] seconds = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    long started = System.nanoTime();
                    round(producer, consumer, "round-" + r + "-", corpus, timeout);
                    seconds[r] = (System.nanoTime() - started) / 1e9;
                }
                double meanBatch = (batches.totalAmount() - textsBefore) / Math.max(1, batches.count() - batchesBefore);
                return new Result(corpus.size(), seconds, warmupRounds, settled,
                        jit.getTotalCompilationTime() - compiledBefore, guarantee, app.embedding().settings(),
                        meanBatch);
            }
        }
    }

    private static void round(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, TextEmbedding> consumer,
                              String prefix, List<String> texts, Duration timeout) throws TimeoutException {
        send(producer, prefix, texts);
        await(consumer, prefix, texts.size(), timeout);
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
}
