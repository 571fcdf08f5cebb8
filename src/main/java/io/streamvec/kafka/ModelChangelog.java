package io.streamvec.kafka;

import io.streamvec.song2vec.stream.InitialVectors;
import io.streamvec.song2vec.stream.SongModelStore;
import io.streamvec.song2vec.stream.SongStores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the song model's changelog ({@code <application.id>-song2vec-model-changelog}) says before the application
 * starts: whether the model already has state, and whether that state started from a warm-start file (the first
 * record of each partition, see {@link SongModelStore#startedFrom(byte[], byte[])}). Read with a plain
 * {@code read_committed} consumer (no group), one record per partition at most.
 */
public final class ModelChangelog {

    private static final Logger LOG = LoggerFactory.getLogger(ModelChangelog.class);

    /**
     * The changelog's partitions (0 when the topic does not exist yet) and, for each partition with committed
     * records, the warm-start file its state started from (empty: it started from nothing).
     */
    public record State(String topic, int partitions, Map<Integer, Optional<String>> startedFrom) {

        /** Whether every partition of an existing changelog has state (so no task needs the file). */
        public boolean complete() {
            return partitions > 0 && startedFrom.size() == partitions;
        }
    }

    private ModelChangelog() {}

    public static String topic(String applicationId) {
        return applicationId + "-" + SongStores.MODEL + "-changelog";
    }

    /** Reads the first committed record of each partition of the model's changelog. */
    public static State read(Properties streamsProperties, Duration timeout) {
        String topic = topic(streamsProperties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG));
        Map<String, Object> config = new HashMap<>(KafkaDeltaFeed.consumerConfig(streamsProperties));
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamvec-model-changelog-check");
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Properties properties = new Properties();
        properties.putAll(config);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                return new State(topic, 0, Map.of());
            }
            List<TopicPartition> partitions = new ArrayList<>();
            infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            Map<TopicPartition, Long> starts = consumer.beginningOffsets(partitions, timeout);
            Map<Integer, Optional<String>> startedFrom = new HashMap<>();
            for (TopicPartition partition : partitions) {
                if (ends.get(partition) <= starts.get(partition)) {
                    continue;
                }
                consumer.assign(List.of(partition));
                consumer.seek(partition, starts.get(partition));
                ConsumerRecord<byte[], byte[]> first = null;
                // read_committed: aborted records and markers are skipped; the end is the last stable offset
                while (first == null && consumer.position(partition) < ends.get(partition)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("could not read " + partition + " within " + timeout);
                    }
                    var records = consumer.poll(Duration.ofMillis(200)).records(partition);
                    first = records.isEmpty() ? null : records.get(0);
                }
                if (first != null) {
                    startedFrom.put(partition.partition(), SongModelStore.startedFrom(first.key(), first.value()));
                }
            }
            LOG.debug("{}: {} partitions, state in {}", topic, partitions.size(), startedFrom);
            return new State(topic, partitions.size(), Map.copyOf(startedFrom));
        }
    }

    /**
     * The start-up check of {@code song2vec.init.vectors}: refuses (one line) a file on a model that already has
     * state that did not start from it, and reads and checks the file when some task will start from it.
     * Returns what it decided, for the log.
     */
    public static String checkWarmStart(InitialVectors init, State state, Runnable loadFile) {
        for (Map.Entry<Integer, Optional<String>> partition : state.startedFrom().entrySet()) {
            Optional<String> from = partition.getValue();
            if (from.isEmpty() || !from.get().equals(init.name())) {
                throw new IllegalStateException(InitialVectors.KEY + "=" + init.file() + " but the song model already "
                        + "has state (" + state.topic() + " partition " + partition.getKey() + ") that "
                        + (from.isEmpty() ? "did not start from a file" : "started from " + from.get())
                        + ": remove " + InitialVectors.KEY + ", or start a new model with a new application.id");
            }
        }
        if (state.complete()) {
            return "the song model already started from " + init.name() + " (its changelog has it): not read again";
        }
        loadFile.run();
        return "new song model tasks start from " + init.name();
    }
}
