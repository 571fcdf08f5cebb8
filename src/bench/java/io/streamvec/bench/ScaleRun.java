package io.streamvec.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.kafka.EmbeddedKafka;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import io.streamvec.song2vec.stream.Song2vecSettings;
import io.streamvec.topology.StreamvecTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Song-path scaling: the same whole-playlist events through {@code instances} streamvec instances (child
 * JVMs, each pinned to its own core), on a fresh in-process broker with a {@code partitions}-partition
 * {@code playlist-events} topic: one model replica per partition, exchanging deltas. Timed from the first
 * event sent (once every instance is RUNNING with its share of the partitions) until every event is
 * trained.
 */
public final class ScaleRun {

    /**
     * One run: {@code events} playlist events of {@code songs} songs trained in {@code seconds}; the
     * replicas published {@code deltaRows} model rows to each other meanwhile.
     */
    public record Result(int instances, long events, long songs, double seconds, long deltaRows) {
        public double songsPerSecond() {
            return songs / seconds;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private ScaleRun() {}

    public static Result run(List<List<String>> playlists, int instances, int partitions, Path workDir,
                             Map<String, String> overrides, Duration timeout) throws Exception {
        List<ChildInstance> children = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(Topics.PLAYLIST_EVENTS, partitions, (short) 1))).all().get();
            }
            List<byte[]> values = serialize(playlists);
            for (int i = 0; i < instances; i++) {
                Properties properties = new Properties();
                properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
                properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "streamvec-scale");
                properties.put(StreamsConfig.STATE_DIR_CONFIG, workDir.resolve("instance-" + i + "/state").toString());
                properties.put(StreamvecConfig.HTTP_PORT, "0");
                properties.put(StreamvecConfig.METRICS_PORT, "0");
                properties.put(StreamvecConfig.RECOMMEND_ENABLED, "false");
                properties.put("session.timeout.ms", "6000");
                properties.putAll(overrides);
                children.add(ChildInstance.start(properties, workDir.resolve("instance-" + i), String.valueOf(i), "1g"));
            }
            for (ChildInstance child : children) {
                child.awaitReady(timeout);
            }
            awaitBalanced(children, partitions, timeout);

            long songs = playlists.stream().mapToLong(List::size).sum();
            long started = System.nanoTime();
            produce(kafka, values);
            long deadline = started + timeout.toNanos();
            while (children.stream().mapToLong(ChildInstance::events).sum() < playlists.size()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not every event was trained within " + timeout + ":\n"
                            + children.get(0).tail());
                }
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            return new Result(instances, playlists.size(), songs, seconds,
                    children.stream().mapToLong(ChildInstance::deltaRowsPublished).sum());
        } finally {
            for (ChildInstance child : children) {
                child.close();
            }
        }
    }

    /**
     * Waits until the instances' ready documents together list every song2vec task (one per
     * playlist-events partition) once, and each instance has at least one.
     */
    private static void awaitBalanced(List<ChildInstance> children, int partitions, Duration timeout)
            throws Exception {
        String songTask = StreamvecTopology.build(new StreamvecTopology.Parts(EmbeddedSchemaRegistry.bundled(),
                null, null, Song2vecSettings.defaults())).describe().subtopologies().stream()
                .filter(sub -> sub.nodes().stream().anyMatch(node -> node.name().equals(StreamvecTopology.SONG2VEC)))
                .findFirst().orElseThrow().id() + "_";
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            int owned = 0;
            boolean everyoneBusy = true;
            for (ChildInstance child : children) {
                String health = child.health();
                int mine = 0;
                if (health != null) {
                    for (JsonNode thread : JSON.readTree(health).path("threads")) {
                        for (JsonNode task : thread.path("activeTasks")) {
                            mine += task.asText().startsWith(songTask) ? 1 : 0;
                        }
                    }
                }
                owned += mine;
                everyoneBusy &= mine > 0;
            }
            if (owned == partitions && everyoneBusy) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the playlist-events partitions did not spread over the instances");
    }

    private static List<byte[]> serialize(List<List<String>> playlists) {
        AvroSerde<PlaylistEvent> serde = new AvroSerde<>(PlaylistEvent.class, EmbeddedSchemaRegistry.bundled());
        long now = System.currentTimeMillis();
        List<byte[]> values = new ArrayList<>(playlists.size());
        for (int i = 0; i < playlists.size(); i++) {
            values.add(serde.serialize(Topics.PLAYLIST_EVENTS, new PlaylistEvent("p" + i, playlists.get(i), now, true)));
        }
        return values;
    }

    private static void produce(EmbeddedKafka kafka, List<byte[]> values) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(Topics.PLAYLIST_EVENTS, "p" + i, values.get(i)));
            }
        }
    }
}
