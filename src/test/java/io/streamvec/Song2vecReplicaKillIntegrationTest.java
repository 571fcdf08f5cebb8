package io.streamvec;

import static io.streamvec.ChildJvm.producer;
import static io.streamvec.ChildJvm.vectorOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.kafka.EmbeddedKafka;
import io.streamvec.kafka.TopicCatalog;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import io.streamvec.song2vec.data.SyntheticPlaylists;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two streamvec instances (child JVMs) train one song model as two replicas, one per {@code playlist-events}
 * partition, exchanging deltas every 200 ms and committing every 30 ms. Playlists are produced faster than they
 * train (a backlog of at most {@value #BACKLOG_STEPS} steps) until the first instance has trained
 * {@value #EVENTS_BEFORE_KILL} events, so that it is busy, with rows committed since its last sync, when it is
 * killed with SIGKILL; the rest at a steady pace. The other takes over its task, restoring the replica from the
 * changelog, and the killed one is started again on its state directory, so that each ends up with one replica
 * again. What the killed replica had trained and committed but not yet published when it died must still reach
 * the other replica: once the exchange settles, each instance's replica counts every song occurrence produced
 * exactly once (the sum of its song counts equals the occurrences produced, and every song's count its own
 * occurrences), and the two replicas' vectors agree (mean cosine >= 0.99 over the songs).
 */
class Song2vecReplicaKillIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP_ID = "streamvec-replica-kill-it";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int STEPS = 90;
    private static final int PLAYLISTS_PER_STEP = 50;
    /** Playlist events the first instance has trained when it is killed: mid-stream. */
    private static final int EVENTS_BEFORE_KILL = 800;
    /**
     * Steps produced at most before the kill: about 1,750 playlists for the first instance's partition, so that
     * hundreds are still waiting to be trained when it has trained {@value #EVENTS_BEFORE_KILL}.
     */
    private static final int BACKLOG_STEPS = 70;

    /** Occurrences of each song in the playlists produced. */
    private final Map<String, Long> expected = new TreeMap<>();
    private final long started = System.nanoTime();

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aReplicaKilledMidStreamLosesNoCommittedChange(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
             KafkaProducer<String, byte[]> producer = producer(kafka)) {
            admin.createTopics(List.of(new NewTopic(Topics.PLAYLIST_EVENTS, 2, (short) 1))).all().get();
            TopicCatalog.load().createMissing(admin, (short) -1, 60_000);
            Path configA = config(dir.resolve("a.properties"), kafka, dir.resolve("state-a"));
            Path configB = config(dir.resolve("b.properties"), kafka, dir.resolve("state-b"));
            SyntheticPlaylists source = new SyntheticPlaylists(6, 40, 17L);
            AvroSerde<PlaylistEvent> serde = new AvroSerde<>(PlaylistEvent.class, EmbeddedSchemaRegistry.bundled());

            Child a = new Child(configA, dir.resolve("a-1.log"));
            Child b = new Child(configB, dir.resolve("b.log"));
            Child restarted = null;
            try {
                a.awaitReady(WAIT);
                b.awaitReady(WAIT);
                Await.until(WAIT, "one song task on each instance", () -> a.songTasks() == 1 && b.songTasks() == 1,
                        () -> a.songTasks() + " and " + b.songTasks() + " tasks" + a.tail() + b.tail());
                progress("both instances ready, one replica each");
                int step = 0;
                for (; step < BACKLOG_STEPS && a.events() < EVENTS_BEFORE_KILL; step++) {
                    produce(producer, serde, source, step, 0); // faster than the instances train: busy at the kill
                }
                // On a slow machine the backlog is all produced first; the first instance is still busy with it.
                Await.until(WAIT, "the first instance trained " + EVENTS_BEFORE_KILL + " events",
                        () -> a.events() >= EVENTS_BEFORE_KILL, () -> a.events() + " events trained" + a.tail(),
                        a::exited);
                long eventsAtKill = a.events();
                a.kill();
                assertEquals(137, a.process.exitValue(), "SIGKILL: no shutdown hook, no final commit");
                progress("killed the first instance at " + eventsAtKill + " events trained, after " + step + " steps");
                for (int after = 0; after < 10 && step < STEPS; after++, step++) {
                    produce(producer, serde, source, step, 50);
                }
                Await.until(WAIT, "the second instance took over both replicas", () -> b.songTasks() == 2,
                        () -> b.songTasks() + " tasks" + b.tail(), b::exited);
                progress("the second instance runs both replicas");
                restarted = new Child(configA, dir.resolve("a-2.log"));
                for (; step < STEPS; step++) {
                    produce(producer, serde, source, step, 50);
                }
                restarted.awaitReady(WAIT);
                Child again = restarted;
                Await.until(WAIT, "one song task on each instance again",
                        () -> again.songTasks() == 1 && b.songTasks() == 1,
                        () -> again.songTasks() + " and " + b.songTasks() + " tasks" + again.tail() + b.tail());
                progress("the first instance restarted, one replica each again");

                long occurrences = expected.values().stream().mapToLong(Long::longValue).sum();
                Map<String, JsonNode> first = again.awaitSettled(occurrences);
                Map<String, JsonNode> second = b.awaitSettled(occurrences);
                progress("both replicas counted the " + occurrences + " song occurrences produced");
                for (Map.Entry<String, Long> song : expected.entrySet()) {
                    assertEquals(song.getValue(), first.get(song.getKey()).get("count").asLong(), song.getKey());
                    assertEquals(song.getValue(), second.get(song.getKey()).get("count").asLong(), song.getKey());
                }
                double cosine = expected.keySet().stream()
                        .mapToDouble(song -> Cosine.of(vectorOf(first.get(song)), vectorOf(second.get(song))))
                        .average().orElse(0);
                progress(String.format("mean cosine of the replicas' vectors over %d songs: %.6f", expected.size(), cosine));
                assertTrue(cosine >= 0.99, "the replicas agree: mean cosine " + cosine);
            } finally {
                a.destroy();
                b.destroy();
                if (restarted != null) {
                    restarted.destroy();
                }
            }
        }
    }

    private void progress(String what) {
        System.out.printf("[replica-kill-it] %5.1f s: %s%n", (System.nanoTime() - started) / 1e9, what);
    }

    private static Path config(Path file, EmbeddedKafka kafka, Path stateDir) throws IOException {
        return ChildJvm.writeConfig(file, kafka, APP_ID, stateDir,
                "streamvec.paths=songs",
                "song2vec.sync.ms=200",
                "commit.interval.ms=30", // most commits fall between syncs: a kill finds committed, unpublished rows
                "song2vec.index.refresh.ms=100",
                "song2vec.recommend.enabled=false",
                "song2vec.capacity=4096",
                "song2vec.alpha=0.025");
    }

    /** One step of the stream: {@value #PLAYLISTS_PER_STEP} whole playlists, then a pause. */
    private void produce(KafkaProducer<String, byte[]> producer, AvroSerde<PlaylistEvent> serde,
                         SyntheticPlaylists source, int step, long pauseMs) throws InterruptedException {
        for (int i = 0; i < PLAYLISTS_PER_STEP; i++) {
            String id = "p-" + (step * PLAYLISTS_PER_STEP + i);
            List<String> songs = source.next(5, 15);
            songs.forEach(song -> expected.merge(song, 1L, Long::sum));
            producer.send(new ProducerRecord<>(Topics.PLAYLIST_EVENTS, id,
                    serde.serialize(Topics.PLAYLIST_EVENTS, new PlaylistEvent(id, songs, 1L, true))));
        }
        producer.flush();
        Thread.sleep(pauseMs);
    }

    /** One streamvec child JVM ({@code run --config FILE}). */
    private final class Child extends ChildJvm {
        private static final Pattern EVENTS = Pattern.compile("(?m)^streamvec_song2vec_events_total\\{[^}]*} (\\S+)$");

        Child(Path config, Path log) throws IOException {
            super(config, log);
        }

        /** The song tasks (replicas) this instance runs: one events meter per task. */
        int songTasks() {
            String metrics = operations == null ? null : body(operations.resolve("/metrics"));
            if (metrics == null) {
                return -1;
            }
            Matcher m = EVENTS.matcher(metrics);
            int tasks = 0;
            while (m.find()) {
                tasks++;
            }
            return tasks;
        }

        /** Playlist events trained by this instance's replicas, from /metrics. */
        long events() {
            String metrics = operations == null ? null : body(operations.resolve("/metrics"));
            if (metrics == null) {
                return 0;
            }
            Matcher m = EVENTS.matcher(metrics);
            double sum = 0;
            while (m.find()) {
                sum += Double.parseDouble(m.group(1));
            }
            return (long) sum;
        }

        /**
         * Waits until this instance's replica counts {@code occurrences} songs in all (its own and the other
         * replica's, through the exchange); more is a failure at once. Returns every song's vector answer.
         */
        Map<String, JsonNode> awaitSettled(long occurrences) throws InterruptedException {
            Map<String, JsonNode> vectors = new TreeMap<>();
            long[] counted = {-1};
            Await.until(WAIT, "the replica counted every song occurrence once", () -> {
                vectors.clear();
                long sum = 0;
                for (String song : expected.keySet()) {
                    HttpResponse<String> response = get(api.resolve("/songs/" + song + "/vector"));
                    if (response == null || response.statusCode() != 200) {
                        counted[0] = -1;
                        return false;
                    }
                    try {
                        JsonNode body = JSON.readTree(response.body());
                        vectors.put(song, body);
                        sum += body.get("count").asLong();
                    } catch (IOException e) {
                        throw new AssertionError(response.body(), e);
                    }
                }
                if (sum != counted[0]) {
                    progress(api + " counts " + sum + " of " + occurrences + " song occurrences");
                }
                counted[0] = sum;
                assertTrue(sum <= occurrences, "counted " + sum + " song occurrences, more than the " + occurrences
                        + " produced" + tail());
                return sum == occurrences;
            }, () -> "counted " + counted[0] + " of " + occurrences + " song occurrences" + tail(), this::exited);
            return vectors;
        }
    }
}
