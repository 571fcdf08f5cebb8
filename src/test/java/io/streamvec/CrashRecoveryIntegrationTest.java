package io.streamvec;

import static io.streamvec.ChildJvm.producer;
import static io.streamvec.ChildJvm.vectorOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.kafka.EmbeddedKafka;
import io.streamvec.kafka.TopicCatalog;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * streamvec killed with SIGKILL in the middle of a stream recovers without losing or repeating anything.
 *
 * <p>The test JVM runs the broker; streamvec runs as a child JVM ({@code java -jar target/streamvec.jar run
 * --config FILE}), as in production. Phase 1 trains playlists of songs {@code a-*} and {@code s-*}; once its
 * offsets are committed, the vectors of those songs are fetched. Phase 2 streams texts and playlists of songs
 * {@code b-*} and {@code s-*}; while the child is busy with it, the child is killed with SIGKILL, a new child
 * starts on the same state directory, and the rest of phase 2 is produced. Then:
 * <ul>
 *   <li>a read_committed consumer saw exactly one embedding per text source id;
 *   <li>the playlist events trained ({@code streamvec_song2vec_events_total}) equal the events produced;
 *   <li>every song's count in the model equals its occurrences in all playlists, across the crash (a lost
 *       model would have forgotten phase 1; a replayed batch would count twice);
 *   <li>the vectors continue from the restored state: songs only in phase 1 are trained by nothing after it
 *       (CBOW changes the input vectors of a centre's context only, negatives change output vectors only), so
 *       their vectors are bit-identical to the ones fetched before the crash (a model rebuilt from scratch would
 *       not know them at all), and the shared songs moved on.
 * </ul>
 * Every committed text is then searchable exactly once ({@code GET /texts/search} finds each source id once, the
 * answer is complete, and the tasks' text indexes hold as many texts as were produced).
 * Finally the second child is killed too and a third starts on an empty state directory: everything comes back
 * bit-identical from the changelogs alone, no text is embedded again, and the text index restored from its
 * changelog answers the same search with the same texts and scores.
 */
class CrashRecoveryIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP_ID = "streamvec-crash-it";
    private static final Duration WAIT = Duration.ofSeconds(120);

    private static final int PHASE1_PLAYLISTS = 1000;
    private static final int PHASE1_TEXTS = 60;
    /** Phase 2 before the kill (produced at a steady pace while the child works) and after it. */
    private static final int PHASE2_STEPS = 120;
    private static final int PLAYLISTS_PER_STEP = 12;
    private static final int SONGS_PER_POOL = 60;
    private static final int TOTAL_PLAYLISTS = PHASE1_PLAYLISTS + 2 * PHASE2_STEPS * PLAYLISTS_PER_STEP;
    private static final int TOTAL_TEXTS = PHASE1_TEXTS + 2 * PHASE2_STEPS;
    /** Phase-2 embeddings seen before the kill: the child is mid-stream. */
    private static final int EMBEDDINGS_BEFORE_KILL = 30;

    private final Random random = new Random(7);
    /** Occurrences of each song in the playlists produced so far. */
    private final Map<String, Long> expectedCounts = new TreeMap<>();
    private int playlistsProduced;
    private int textsProduced;
    private final long started = System.nanoTime();

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void sigkillMidStreamLosesNothingAndRepeatsNothing(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
             KafkaProducer<String, byte[]> producer = producer(kafka);
             EmbeddingReader embeddings = new EmbeddingReader(kafka.bootstrapServers())) {
            TopicCatalog.load().createMissing(admin, (short) -1, 60_000);
            Path config = config(dir.resolve("streamvec.properties"), kafka, dir.resolve("state"));
            Path emptyStateConfig = config(dir.resolve("streamvec-empty-state.properties"), kafka, dir.resolve("state-2"));
            embeddings.start();
            List<String> phase1Songs = new ArrayList<>();
            for (int i = 0; i < SONGS_PER_POOL; i++) {
                phase1Songs.add("a-" + i);
                phase1Songs.add("s-" + i);
            }

            Map<String, JsonNode> afterPhase1;
            progress("broker started");
            Child first = Child.start(config, dir.resolve("child-1.log"));
            try {
                first.awaitReady(WAIT);
                progress("first child ready");
                produceTexts(producer, PHASE1_TEXTS);
                producePlaylists(producer, "a-", PHASE1_PLAYLISTS);
                producer.flush();
                awaitEvents(first, "phase 1 trained", PHASE1_PLAYLISTS);
                await(first, "phase 1 committed", () -> committedPlaylistOffset(admin) == PHASE1_PLAYLISTS);
                await(first, "phase 1 texts embedded", () -> embeddings.total() >= PHASE1_TEXTS,
                        () -> embeddings.total() + " embeddings");
                afterPhase1 = first.awaitVectors(phase1Songs, PHASE1_PLAYLISTS);
                progress("phase 1 trained, committed and its vectors fetched");
                assertCounts(afterPhase1, first);

                // Phase 2, first half, at a steady pace; SIGKILL once the child is visibly working on it.
                Thread pacer = new Thread(() -> producePhase2Half(producer), "phase-2a");
                pacer.start();
                await(first, "phase 2 under way", () -> embeddings.total() >= PHASE1_TEXTS + EMBEDDINGS_BEFORE_KILL
                        && first.events() > PHASE1_PLAYLISTS);
                long eventsAtKill = first.events();
                int embeddingsAtKill = embeddings.total();
                String producedAtKill = produced();
                first.kill();
                assertEquals(137, first.process.exitValue(), "SIGKILL: no shutdown hook, no final commit");
                progress("killed the child at " + eventsAtKill + " events trained and " + embeddingsAtKill
                        + " embeddings committed, " + producedAtKill);
                pacer.join(); // the second half of phase 2 is produced only after the kill: mid-stream by construction
            } finally {
                first.destroy();
            }

            Map<String, JsonNode> afterRestart;
            Map<String, Double> searchedAfterRestart;
            Child second = Child.start(config, dir.resolve("child-2.log"));
            try {
                producePhase2Half(producer); // the rest of the stream, while the new child starts and restores
                assertEquals(TOTAL_PLAYLISTS, playlistsProduced);
                assertEquals(TOTAL_TEXTS, textsProduced);
                second.awaitReady(WAIT);
                progress("second child ready (same state directory)");
                await(second, "every text embedded", () -> embeddings.distinct() == TOTAL_TEXTS,
                        () -> embeddings.distinct() + " texts embedded");
                awaitEvents(second, "every playlist trained", TOTAL_PLAYLISTS);
                progress("every text embedded and every playlist trained");
                afterRestart = second.awaitVectors(new ArrayList<>(expectedCounts.keySet()), TOTAL_PLAYLISTS);
                Thread.sleep(2_000); // anything processed twice would show up now
                assertEquals(TOTAL_PLAYLISTS, second.events(), "every playlist event trained exactly once"
                        + second.tail());
                assertCounts(afterRestart, second);

                for (int i = 0; i < SONGS_PER_POOL; i++) {
                    String onlyBefore = "a-" + i;
                    assertArrayEquals(vectorOf(afterPhase1.get(onlyBefore)), vectorOf(afterRestart.get(onlyBefore)),
                            onlyBefore + " is in no playlist after phase 1: its vector is the restored one, bit for bit");
                }
                int moved = 0;
                for (int i = 0; i < SONGS_PER_POOL; i++) {
                    String shared = "s-" + i;
                    if (!java.util.Arrays.equals(vectorOf(afterPhase1.get(shared)), vectorOf(afterRestart.get(shared)))) {
                        moved++;
                    }
                }
                assertEquals(SONGS_PER_POOL, moved, "training went on for every song of phase 2");
                embeddings.assertExactlyOnce(TOTAL_TEXTS);
                searchedAfterRestart = second.awaitEverySearchable(TOTAL_TEXTS);
                progress("every committed text searchable exactly once");
                second.kill();
            } finally {
                second.destroy();
            }

            // An empty state directory: the model, the playlist contexts and the text offsets come from Kafka only.
            Child third = Child.start(emptyStateConfig, dir.resolve("child-3.log"));
            try {
                third.awaitReady(WAIT);
                progress("third child ready (empty state directory)");
                awaitEvents(third, "restored from the changelog", TOTAL_PLAYLISTS);
                Map<String, JsonNode> restored = third.awaitVectors(
                        new ArrayList<>(expectedCounts.keySet()), TOTAL_PLAYLISTS);
                for (String song : expectedCounts.keySet()) {
                    assertArrayEquals(vectorOf(afterRestart.get(song)), vectorOf(restored.get(song)), song + third.tail());
                }
                assertCounts(restored, third);
                Thread.sleep(2_000);
                embeddings.assertExactlyOnce(TOTAL_TEXTS);
                assertEquals(TOTAL_PLAYLISTS, third.events());
                Map<String, Double> searched = third.awaitEverySearchable(TOTAL_TEXTS);
                assertEquals(searchedAfterRestart.keySet(), searched.keySet());
                for (Map.Entry<String, Double> hit : searched.entrySet()) {
                    assertEquals(searchedAfterRestart.get(hit.getKey()), hit.getValue(), 1e-5,
                            "the text index restored from its changelog scores " + hit.getKey() + " the same");
                }
                progress("restored from the changelogs alone, bit for bit; the text index answers the same");
            } finally {
                third.destroy();
            }
        }
    }

    private synchronized String produced() {
        return playlistsProduced + " playlists and " + textsProduced + " texts produced";
    }

    private void progress(String what) {
        System.out.printf("[crash-it] %5.1f s: %s%n", (System.nanoTime() - started) / 1e9, what);
    }

    private static Path config(Path file, EmbeddedKafka kafka, Path stateDir) throws IOException {
        return ChildJvm.writeConfig(file, kafka, APP_ID, stateDir, "song2vec.index.refresh.ms=200");
    }

    /** Half of phase 2 at a steady pace (~6 s): one text and a few playlists every 50 ms. */
    private void producePhase2Half(KafkaProducer<String, byte[]> producer) {
        try {
            for (int step = 0; step < PHASE2_STEPS; step++) {
                produceTexts(producer, 1);
                producePlaylists(producer, "b-", PLAYLISTS_PER_STEP);
                producer.flush();
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private synchronized void produceTexts(KafkaProducer<String, byte[]> producer, int n) {
        for (int i = 0; i < n; i++) {
            int id = textsProduced++;
            producer.send(new ProducerRecord<>(Topics.TEXT_EVENTS, "text-" + id,
                    ("Sentence number " + id + " arrives while streamvec may crash at any moment.")
                            .getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** Whole playlists (complete) of 8 to 16 songs, half from the pool {@code own}, half shared ({@code s-}). */
    private synchronized void producePlaylists(KafkaProducer<String, byte[]> producer, String own, int n) {
        AvroSerde<PlaylistEvent> serde = new AvroSerde<>(PlaylistEvent.class, EmbeddedSchemaRegistry.bundled());
        for (int i = 0; i < n; i++) {
            String playlist = "p-" + playlistsProduced++;
            int length = 8 + random.nextInt(9);
            List<String> songs = new ArrayList<>(length);
            for (int s = 0; s < length; s++) {
                String song = (random.nextBoolean() ? own : "s-") + random.nextInt(SONGS_PER_POOL);
                songs.add(song);
                expectedCounts.merge(song, 1L, Long::sum);
            }
            producer.send(new ProducerRecord<>(Topics.PLAYLIST_EVENTS, playlist, serde.serialize(Topics.PLAYLIST_EVENTS,
                    new PlaylistEvent(playlist, songs, 1L, true))));
        }
    }

    /** Every song's count in the model is the number of times it occurs in the playlists produced. */
    private void assertCounts(Map<String, JsonNode> vectors, Child child) {
        Map<String, Long> expected;
        synchronized (this) {
            expected = new TreeMap<>(expectedCounts);
        }
        for (Map.Entry<String, JsonNode> vector : vectors.entrySet()) {
            assertEquals(expected.get(vector.getKey()), vector.getValue().get("count").asLong(),
                    "count of " + vector.getKey() + child.tail());
        }
    }

    /** The playlist-events offset the application committed (transactionally, with the state it produced). */
    private static long committedPlaylistOffset(Admin admin) {
        try {
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(APP_ID).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS).get(new TopicPartition(Topics.PLAYLIST_EVENTS, 0));
            return committed == null ? -1 : committed.offset();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Waits until the child has trained exactly {@code expected} events; more is a failure at once. */
    private static void awaitEvents(Child child, String what, long expected) throws InterruptedException {
        long[] last = {-1};
        await(child, what + " (" + expected + " playlist events trained)", () -> {
            last[0] = child.events();
            assertTrue(last[0] <= expected, "trained " + last[0] + " playlist events, more than the " + expected
                    + " produced" + child.tail());
            return last[0] == expected;
        }, () -> "events trained: " + last[0]);
    }

    private static void await(Child child, String what, BooleanSupplier condition) throws InterruptedException {
        await(child, what, condition, () -> "");
    }

    private static void await(Child child, String what, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        Await.until(WAIT, what, condition, () -> state.get() + child.tail(), child::exited);
    }

    /** One streamvec child JVM ({@code run --config FILE}), its output in a log file. */
    private static final class Child extends ChildJvm {
        private static final Pattern EVENTS = Pattern.compile("(?m)^streamvec_song2vec_events_total\\{[^}]*} (\\S+)$");
        private static final Pattern INDEXED = Pattern.compile("(?m)^streamvec_text_index_texts\\{[^}]*} (\\S+)$");

        private Child(Path config, Path log) throws IOException {
            super(config, log);
        }

        static Child start(Path config, Path log) throws IOException {
            return new Child(config, log);
        }

        /** Playlist events trained, summed over tasks, from /metrics; -1 while none is reported. */
        long events() {
            String metrics = body(operations.resolve("/metrics"));
            if (metrics == null) {
                return -1;
            }
            Matcher m = EVENTS.matcher(metrics);
            double sum = -1;
            while (m.find()) {
                sum = Math.max(sum, 0) + Double.parseDouble(m.group(1));
            }
            return (long) sum;
        }

        /**
         * Waits until a text search that matches every text answers complete with {@code texts} results, then checks
         * that each source id {@code text-0 ... text-(texts-1)} is found exactly once and that the tasks' indexes hold
         * {@code texts} texts in all; returns each id's score.
         */
        Map<String, Double> awaitEverySearchable(int texts) throws InterruptedException {
            URI search = api.resolve("/texts/search?k=1000&q=Sentence+number+arrives+while+streamvec+may+crash");
            long deadline = System.nanoTime() + WAIT.toNanos();
            String last = "none";
            while (true) {
                HttpResponse<String> response = get(search);
                if (response != null && response.statusCode() == 200) {
                    JsonNode body;
                    try {
                        body = JSON.readTree(response.body());
                    } catch (IOException e) {
                        throw new AssertionError(response.body(), e);
                    }
                    assertTrue(body.get("results").size() <= texts, "more texts found than produced" + tail());
                    if (!body.get("partial").asBoolean() && body.get("results").size() == texts) {
                        Map<String, Double> scores = new TreeMap<>();
                        for (JsonNode hit : body.get("results")) {
                            Double before = scores.put(hit.get("id").asText(), hit.get("score").asDouble());
                            assertTrue(before == null, hit.get("id").asText() + " found twice" + tail());
                        }
                        for (int i = 0; i < texts; i++) {
                            assertTrue(scores.containsKey("text-" + i), "text-" + i + " is searchable" + tail());
                        }
                        String metrics = body(operations.resolve("/metrics"));
                        Matcher m = INDEXED.matcher(metrics == null ? "" : metrics);
                        double indexed = 0;
                        while (m.find()) {
                            indexed += Double.parseDouble(m.group(1));
                        }
                        assertEquals(texts, (long) indexed, "texts in the tasks' indexes" + tail());
                        return scores;
                    }
                }
                last = response == null ? "none" : response.statusCode() + " " + response.body();
                if (System.nanoTime() > deadline) {
                    fail("not every text searchable within " + WAIT + "; last answer: "
                            + last.substring(0, Math.min(500, last.length())) + tail());
                }
                Thread.sleep(200);
            }
        }

        /** GET /songs/{id}/vector of each song, once the query snapshot has seen {@code events} events. */
        Map<String, JsonNode> awaitVectors(List<String> songs, long events) throws InterruptedException {
            Map<String, JsonNode> out = new TreeMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            for (String song : songs) {
                while (true) {
                    HttpResponse<String> response = get(api.resolve("/songs/" + song + "/vector"));
                    JsonNode body = null;
                    if (response != null && response.statusCode() == 200) {
                        try {
                            body = JSON.readTree(response.body());
                        } catch (IOException e) {
                            throw new AssertionError(response.body(), e);
                        }
                        if (body.get("modelUpdates").asLong() == events) {
                            out.put(song, body);
                            break;
                        }
                    }
                    if (System.nanoTime() > deadline) {
                        fail("no vector of " + song + " from a snapshot of " + events + " events; last answer: "
                                + (response == null ? "none" : response.statusCode() + " " + response.body()) + tail());
                    }
                    Thread.sleep(100);
                }
            }
            return out;
        }
    }
}
