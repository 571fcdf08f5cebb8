package io.streamvec.kafka;

import io.streamvec.avro.ModelDelta;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.SchemaRegistry;
import io.streamvec.song2vec.stream.DeltaFeed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link DeltaFeed} over the one-partition topic {@value Topics#MODEL_DELTAS}: a plain consumer (no group;
 * the replica keeps its own position), {@code read_committed}, so that only deltas of committed training
 * are applied and those of a crashed replica's aborted transaction never are.
 */
public final class KafkaDeltaFeed implements DeltaFeed {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaDeltaFeed.class);
    private static final TopicPartition PARTITION = new TopicPartition(Topics.MODEL_DELTAS, 0);
    private static final long POLL_BUDGET_MS = 1_000;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroSerde<ModelDelta> serde;
    private final String replica;
    private final boolean shared;

    private KafkaDeltaFeed(Map<String, Object> clientConfig, SchemaRegistry registry, String replica) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "song2vec-deltas-" + replica.replaceAll("[^A-Za-z0-9._-]", "_"));
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Properties properties = new Properties();
        properties.putAll(config);
        this.serde = new AvroSerde<>(ModelDelta.class, registry);
        this.replica = replica;
        this.consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            this.shared = consumer.partitionsFor(Topics.PLAYLIST_EVENTS, Duration.ofSeconds(30)).size() > 1;
            if (shared) {
                int deltaPartitions = consumer.partitionsFor(Topics.MODEL_DELTAS, Duration.ofSeconds(30)).size();
                if (deltaPartitions != 1) {
                    throw new IllegalStateException(Topics.MODEL_DELTAS + " must exist with exactly one partition "
                            + "(it has " + deltaPartitions + "): replicas keep one position in it");
                }
                consumer.assign(List.of(PARTITION));
            }
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    /**
     * A factory over the consumer settings among Kafka Streams' properties (bootstrap servers, security:
     * the keys of Kafka's consumer config, plain or with the {@code consumer.} / {@code main.consumer.}
     * prefix, which wins).
     */
    public static DeltaFeed.Factory factory(Properties streamsProperties, SchemaRegistry registry) {
        Map<String, Object> clientConfig = consumerConfig(streamsProperties);
        return replica -> new KafkaDeltaFeed(clientConfig, registry, replica);
    }

    /**
     * The consumer settings among Kafka Streams' properties: the keys of Kafka's consumer config, plain or with the
     * {@code consumer.} / {@code main.consumer.} prefix, which wins.
     */
    static Map<String, Object> consumerConfig(Properties streamsProperties) {
        Map<String, Object> clientConfig = new HashMap<>();
        for (String prefix : List.of("", "consumer.", "main.consumer.")) { // Kafka Streams' prefixed overrides win
            streamsProperties.forEach((k, value) -> {
                String key = String.valueOf(k);
                if (key.startsWith(prefix) && ConsumerConfig.configNames().contains(key.substring(prefix.length()))) {
                    clientConfig.put(key.substring(prefix.length()), value);
                }
            });
        }
        return clientConfig;
    }

    @Override
    public boolean shared() {
        return shared;
    }

    @Override
    public void seek(long position) {
        if (position <= 0) {
            consumer.seekToBeginning(List.of(PARTITION));
        } else {
            consumer.seek(PARTITION, position);
        }
    }

    /**
     * Reads until a poll returns nothing or {@value #POLL_BUDGET_MS} ms have passed, so that a replica
     * keeps up with the others' deltas however large they are.
     */
    @Override
    public List<Received> poll() {
        List<Received> deltas = new ArrayList<>();
        long deadline = System.nanoTime() + POLL_BUDGET_MS * 1_000_000L;
        int read;
        do {
            read = pollOnce(deltas);
        } while (read > 0 && System.nanoTime() < deadline);
        return deltas;
    }

    /** Reads one batch; a record that cannot be read is returned as such (see {@link Received}), never skipped. */
    private int pollOnce(List<Received> deltas) {
        int read = 0;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(5))) {
            read++;
            try {
                ModelDelta delta = serde.deserialize(record.topic(), record.value());
                if (delta == null) {
                    throw new SerializationException("a model delta record without a value");
                }
                deltas.add(Received.read(record.topic(), record.partition(), record.offset(), record.key(), record.value(), delta));
            } catch (RuntimeException e) {
                deltas.add(Received.unreadable(record.topic(), record.partition(), record.offset(), record.key(), record.value(), e));
            }
        }
        return read;
    }

    @Override
    public long position() {
        return consumer.position(PARTITION);
    }

    @Override
    public void close() {
        try {
            consumer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.warn("closing the model-delta consumer of {} failed: {}", replica, e.toString());
        }
    }
}
