package io.streamvec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.kafka.EmbeddedKafka;
import io.streamvec.kafka.TopicCatalog;
import io.streamvec.kafka.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two streamvec instances share the text path, and when one is killed the other takes its work over without
 * losing or repeating a text.
 *
 * <p>The test JVM runs the broker and instance A (an in-process {@link StreamvecApp}); instance B is a child JVM
 * ({@code java -jar target/streamvec.jar run --config FILE}) with the same {@code application.id} and its own
 * state directory. Once each instance owns some of the four {@code text-events} partitions (A from its thread
 * metadata, B from its {@code /health/ready} JSON) and together they own all four, texts with unique source ids
 * are produced at a steady pace. When a read_committed consumer has seen embeddings of texts from B's
 * partitions (so B did embed and commit some of the load), B is killed with SIGKILL in the middle of the stream,
 * and the rest of the texts is produced. Then:
 * <ul>
 *   <li>A owns all four text partitions;
 *   <li>the read_committed consumer saw exactly one embedding per source id: none missing (B's buffered and
 *       uncommitted texts were redone by A), none twice (B's open transaction was aborted, not committed).
 * </ul>
 */
class ScaleOutIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP_ID = "streamvec-scale-out-it";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int TEXT_PARTITIONS = 4;
    /** Texts produced while both instances run (B is killed during these) and after the kill. */
    private static final int TEXTS_BEFORE_KILL = 150;
    private static final int TEXTS_AFTER_KILL = 150;
    private static final int TOTAL_TEXTS = TEXTS_BEFORE_KILL + TEXTS_AFTER_KILL;
    /** One text every 40 ms: 25 texts/s, well within what two CPU embedders keep up with. */
    private static final long PACE_MS = 40;
    /** Committed embeddings of texts in B's partitions (and in A's) before B is killed. */
    private static final int EMBEDDED_BY_EACH_BEFORE_KILL = 10;

    private final long started = System.nanoTime();
    /** The text-events partition each text was produced to, from the producer's acknowledgements. */
    private final Map<String, Integer> partitionOfText = new ConcurrentHashMap<>();
    private final AtomicInteger textsProduced = new AtomicInteger();

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void twoInstancesShareTheTextPartitionsAndTheSurvivorTakesOverWithoutLoss(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
             KafkaProducer<String, byte[]> producer = producer(kafka);
             EmbeddingReader embeddings = new EmbeddingReader(kafka.bootstrapServers())) {
            TopicCatalog.load().createMissing(admin, (short) -1, 60_000);
            assertEquals(TEXT_PARTITIONS, admin.describeTopics(List.of(Topics.TEXT_EVENTS)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(Topics.TEXT_EVENTS).partitions().size());
            embeddings.start();
            progress("broker started");

            Child b = Child.start(childConfig(dir, kafka), dir.resolve("instance-b.log"));
            try {
                Map<String, Object> properties = StreamvecConfig.local(kafka.bootstrapServers(), APP_ID,
                        dir.resolve("state-a"));
                properties.put("session.timeout.ms", 6000);
                properties.put("heartbeat.interval.ms", 1000);
                try (StreamvecApp a = new StreamvecApp(new StreamvecConfig(properties)).start()) {
                    String textSubtopology = subtopologyReading(a.topology(), Topics.TEXT_EVENTS);
                    b.awaitEndpoints();
                    progress("both instances started");

                    Set<Integer> all = Set.of(0, 1, 2, 3);
                    AtomicReference<Set<Integer>> ownedByA = new AtomicReference<>(Set.of());
                    AtomicReference<Set<Integer>> ownedByB = new AtomicReference<>(Set.of());
                    await(b, "the four text partitions are shared by both instances", () -> {
                        ownedByA.set(textPartitions(a.streams()));
                        ownedByB.set(b.activePartitions(textSubtopology));
                        Set<Integer> union = new TreeSet<>(ownedByA.get());
                        union.addAll(ownedByB.get());
                        return a.streams().state() == KafkaStreams.State.RUNNING && b.ready()
                                && !ownedByA.get().isEmpty() && !ownedByB.get().isEmpty()
                                && ownedByA.get().size() + ownedByB.get().size() == TEXT_PARTITIONS
                                && union.equals(all);
                    }, () -> "A owns " + ownedByA.get() + ", B owns " + ownedByB.get());
                    Set<Integer> partitionsOfA = ownedByA.get();
                    Set<Integer> partitionsOfB = ownedByB.get();
                    progress("A owns text partitions " + partitionsOfA + ", B owns " + partitionsOfB);

                    Thread pacer = new Thread(() -> produceTexts(producer, TEXTS_BEFORE_KILL), "texts-before-kill");
                    pacer.start();
                    await(b, "both instances embed and commit texts", () ->
                                    embeddings.committedIn(partitionsOfB, partitionOfText) >= EMBEDDED_BY_EACH_BEFORE_KILL
                                            && embeddings.committedIn(partitionsOfA, partitionOfText)
                                            >= EMBEDDED_BY_EACH_BEFORE_KILL,
                            () -> embeddings.committedIn(partitionsOfB, partitionOfText) + " committed from B's partitions, "
                                    + embeddings.committedIn(partitionsOfA, partitionOfText) + " from A's");
                    assertEquals(partitionsOfB, b.activePartitions(textSubtopology),
                            "B still owns the partitions whose embeddings were counted as its work" + b.tail());
                    assertTrue(b.textEmbeddingsOut() > 0, "B's own metrics show it embedded texts" + b.tail());
                    int committedAtKill = embeddings.total();
                    int producedAtKill = textsProduced.get();
                    b.kill();
                    assertEquals(137, b.process.exitValue(), "SIGKILL: no shutdown hook, no leave-group, no commit");
                    progress("killed B with " + producedAtKill + " texts produced and " + committedAtKill
                            + " embeddings committed");
                    pacer.join(); // the rest is produced after the kill: mid-stream by construction
                    produceTexts(producer, TEXTS_AFTER_KILL);
                    assertEquals(TOTAL_TEXTS, textsProduced.get());
                    progress("every text produced");

                    AtomicReference<Set<Integer>> survivor = new AtomicReference<>(Set.of());
                    await(null, "A owns all four text partitions", () -> {
                        survivor.set(textPartitions(a.streams()));
                        return survivor.get().equals(all);
                    }, () -> "A owns " + survivor.get());
                    progress("A owns all four text partitions");
                    await(null, "every text embedded", () -> embeddings.distinct() == TOTAL_TEXTS,
                            () -> embeddings.distinct() + " of " + TOTAL_TEXTS + " texts embedded");
                    progress("every text embedded");
                    Thread.sleep(2_000); // a text embedded twice would show up now
                    embeddings.assertExactlyOnce(TOTAL_TEXTS);
                    assertEquals(all, textPartitions(a.streams()), "A still owns every text partition");
                    assertEquals(KafkaStreams.State.RUNNING, a.streams().state());
                    progress("exactly one embedding per text");
                }
            } finally {
                b.destroy();
            }
        }
    }

    private void progress(String what) {
        System.out.printf("[scale-out-it] %5.1f s: %s%n", (System.nanoTime() - started) / 1e9, what);
    }

    private static Path childConfig(Path dir, EmbeddedKafka kafka) throws IOException {
        return ChildJvm.writeConfig(dir.resolve("instance-b.properties"), kafka, APP_ID, dir.resolve("state-b"));
    }

    private static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    /** {@code n} texts with unique source ids (their keys), one every {@link #PACE_MS}. */
    private void produceTexts(KafkaProducer<String, byte[]> producer, int n) {
        try {
            for (int i = 0; i < n; i++) {
                String id = "text-" + textsProduced.getAndIncrement();
                producer.send(new ProducerRecord<>(Topics.TEXT_EVENTS, id,
                        ("Sentence " + id + " is embedded by whichever instance owns its partition right now.")
                                .getBytes(StandardCharsets.UTF_8)), (metadata, error) -> {
                                    if (error == null) {
                                        partitionOfText.put(id, metadata.partition());
                                    }
                                });
                producer.flush();
                Thread.sleep(PACE_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The id of the sub-topology that reads {@code topic} (the prefix of its task ids). */
    private static String subtopologyReading(Topology topology, String topic) {
        for (TopologyDescription.Subtopology subtopology : topology.describe().subtopologies()) {
            for (TopologyDescription.Node node : subtopology.nodes()) {
                if (node instanceof TopologyDescription.Source source && source.topicSet().contains(topic)) {
                    return Integer.toString(subtopology.id());
                }
            }
        }
        throw new AssertionError("no sub-topology reads " + topic);
    }

    /** The text-events partitions of the in-process instance's active tasks (empty while it is not running). */
    private static Set<Integer> textPartitions(KafkaStreams streams) {
        Set<Integer> partitions = new TreeSet<>();
        try {
            for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
                for (TaskMetadata task : thread.activeTasks()) {
                    for (TopicPartition partition : task.topicPartitions()) {
                        if (partition.topic().equals(Topics.TEXT_EVENTS)) {
                            partitions.add(partition.partition());
                        }
                    }
                }
            }
        } catch (IllegalStateException notRunning) {
            return Set.of();
        }
        return partitions;
    }

    /** Waits until {@code condition}; fails after {@link #WAIT} or when the child (if any) has exited. */
    private static void await(Child child, String what, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        Await.until(WAIT, what, condition, () -> state.get() + (child == null ? "" : child.tail()),
                () -> child == null ? null : child.exited());
    }

    /** Instance B: a streamvec child JVM ({@code run --config FILE}), its output in a log file. */
    private static final class Child extends ChildJvm {
        private static final Pattern OPERATIONS = Pattern.compile("metrics and health at (http://\\S+/)");
        private static final Pattern RECORDS_OUT =
                Pattern.compile("(?m)^streamvec_records_out_total\\{([^}]*)} (\\S+)$");

        private URI operations;

        private Child(Path config, Path log) throws IOException {
            super(config, log);
        }

        static Child start(Path config, Path log) throws IOException {
            return new Child(config, log);
        }

        /** Waits until the operations endpoints are bound (their port is in the log). */
        void awaitEndpoints() throws InterruptedException {
            await(this, "instance B's endpoints are bound", () -> {
                Matcher m = OPERATIONS.matcher(output());
                if (m.find()) {
                    operations = URI.create(m.group(1));
                    return true;
                }
                return false;
            }, () -> "");
        }

        boolean ready() {
            HttpResponse<String> response = get(operations.resolve("/health/ready"));
            return response != null && response.statusCode() == 200;
        }

        /**
         * The partitions of B's active tasks of {@code subtopology}, from the per-thread JSON of
         * {@code /health/ready} (task ids {@code <subtopology>_<partition>}); empty when it does not answer.
         */
        Set<Integer> activePartitions(String subtopology) {
            HttpResponse<String> response = get(operations.resolve("/health/ready"));
            Set<Integer> partitions = new TreeSet<>();
            if (response == null) {
                return partitions;
            }
            try {
                for (JsonNode thread : JSON.readTree(response.body()).get("threads")) {
                    for (JsonNode task : thread.get("activeTasks")) {
                        String[] id = task.asText().split("_");
                        if (id.length == 2 && id[0].equals(subtopology)) {
                            partitions.add(Integer.parseInt(id[1]));
                        }
                    }
                }
            } catch (IOException e) {
                throw new AssertionError(response.body(), e);
            }
            return partitions;
        }

        /** Embeddings B handed to its producer ({@code streamvec_records_out_total{topic="text-embeddings"}}). */
        double textEmbeddingsOut() {
            HttpResponse<String> response = get(operations.resolve("/metrics"));
            double sum = 0;
            if (response != null && response.statusCode() == 200) {
                Matcher m = RECORDS_OUT.matcher(response.body());
                while (m.find()) {
                    if (m.group(1).contains("topic=\"text-embeddings\"")) {
                        sum += Double.parseDouble(m.group(2));
                    }
                }
            }
            return sum;
        }
    }
}
