package io.streamvec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.kafka.KafkaCluster;
import io.streamvec.kafka.StockBroker;
import io.streamvec.kafka.TopicCatalog;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * streamvec (exactly-once, its default settings) on a 3-broker KRaft cluster (replication factor 3,
 * {@code min.insync.replicas=2}, the controller apart) while brokers fail under it:
 * <ol>
 *   <li>the broker leading the most partitions of the input topics is stopped mid-stream and started again
 *       15 s later;</li>
 *   <li>then every broker is stopped for 30 s and started again.</li>
 * </ol>
 * And the way a small deployment fails: a single stock broker process ({@code kafka.Kafka}, see {@link StockBroker})
 * killed with SIGKILL mid-stream, down for 30 s, then started again on its data.
 * Texts and playlist events keep coming (the producer retries through the outage). streamvec never exits (its
 * Kafka Streams never leaves RUNNING/REBALANCING, {@code /health/live} always answers 200), {@code /health/ready}
 * reports the outage and is 200 again afterwards, every text has exactly one committed embedding (the whole
 * topic read again, read_committed, at the end), and every song's count in the model equals its occurrences in the playlists produced.
 */
class BrokerFailoverIntegrationTest {

    private static final String APP_ID = "streamvec-broker-failover-it";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final int PHASE_TEXTS = 60;
    private static final int PHASE_PLAYLISTS = 60;
    private static final Duration WAIT = Duration.ofSeconds(120);

    private final long started = System.nanoTime();
    private final AtomicInteger texts = new AtomicInteger();
    private final AtomicInteger playlists = new AtomicInteger();
    private final Map<String, Long> expectedCounts = new ConcurrentHashMap<>();
    private final List<String> sendFailures = new CopyOnWriteArrayList<>();

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void streamvecRidesOutALeaderBounceAndAWholeClusterOutage(@TempDir Path dir) throws Exception {
        try (KafkaCluster cluster = KafkaCluster.start(3);
             Admin admin = cluster.admin();
             EmbeddingReader embeddings = new EmbeddingReader(cluster.bootstrapServers())) {
            TopicCatalog.load().createMissing(admin, (short) -1, 60_000);
            progress("3 brokers up, topics created with the broker default of 3 replicas");
            Map<String, Object> properties = StreamvecConfig.local(cluster.bootstrapServers(), APP_ID, dir.resolve("state"));
            try (StreamvecApp app = new StreamvecApp(new StreamvecConfig(properties)).start();
                 KafkaProducer<String, byte[]> producer = producer(cluster.bootstrapServers());
                 HealthWatch health = new HealthWatch(app)) {
                app.awaitRunning(Duration.ofSeconds(90));
                embeddings.start();
                health.start();
                AvroSerde<PlaylistEvent> serde = new AvroSerde<>(PlaylistEvent.class, app.registry());
                progress("streamvec running");

                produce(producer, serde, PHASE_TEXTS, PHASE_PLAYLISTS);
                await("a first share of the texts is embedded", () -> embeddings.distinct() >= PHASE_TEXTS / 2,
                        () -> embeddings.distinct() + " embedded");
                int leader = cluster.busiestLeader(admin, List.of(Topics.TEXT_EVENTS, Topics.PLAYLIST_EVENTS));
                Thread producing = new Thread(() -> produce(producer, serde, PHASE_TEXTS, PHASE_PLAYLISTS));
                producing.start();
                cluster.stopBroker(leader);
                progress("stopped broker " + leader + ", the leader of the most input partitions, mid-stream");
                Thread.sleep(15_000);
                cluster.startBroker(leader);
                producing.join();
                progress("broker " + leader + " started again");
                await("every text so far embedded", () -> embeddings.distinct() == texts.get(),
                        () -> embeddings.distinct() + " of " + texts.get());

                // a backlog in flight when the brokers go, and more sent while they are away
                produce(producer, serde, PHASE_TEXTS, PHASE_PLAYLISTS);
                int beforeOutage = embeddings.distinct();
                for (int id : cluster.brokerIds()) {
                    cluster.stopBroker(id);
                }
                long outage = System.nanoTime();
                progress("stopped every broker with " + (texts.get() - beforeOutage) + " texts not yet embedded");
                producing = new Thread(() -> produce(producer, serde, PHASE_TEXTS, PHASE_PLAYLISTS));
                producing.start();
                await("/health/ready reports the outage", () -> health.lastReady() == 503,
                        () -> "ready " + health.lastReady());
                progress("/health/ready answers 503 during the outage");
                Thread.sleep(Math.max(0, 30_000 - (System.nanoTime() - outage) / 1_000_000));
                assertTrue(embeddings.distinct() < texts.get(), "texts wait for the brokers");
                for (int id : cluster.brokerIds()) {
                    cluster.startBroker(id);
                }
                progress("started every broker again after 30 s");
                producing.join();
                assertTrue(sendFailures.isEmpty(), "the producer retried through the outage: " + sendFailures);

                await("every text embedded", () -> embeddings.distinct() == texts.get(),
                        () -> embeddings.distinct() + " of " + texts.get());
                await("/health/ready recovers", () -> health.lastReady() == 200, () -> "ready " + health.lastReady());
                progress("every text embedded, ready again");
                Thread.sleep(2_000); // an embedding written twice would show up now
                assertExactlyOneCommittedEmbedding(cluster.bootstrapServers(), texts.get());
                assertSongCounts(app, playlists.get());
                health.assertNeverExited();
                assertEquals(KafkaStreams.State.RUNNING, app.streams().state());
                progress("exactly one embedding per text, exact song counts; Kafka Streams states seen: "
                        + health.states());
            }
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void streamvecRidesOutASingleStockBrokerKilledAndRestarted(@TempDir Path dir) throws Exception {
        try (StockBroker broker = StockBroker.start(dir);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
             EmbeddingReader embeddings = new EmbeddingReader(broker.bootstrapServers())) {
            TopicCatalog.load().createMissing(admin, (short) -1, 60_000);
            progress("a stock broker process up");
            Map<String, Object> properties = StreamvecConfig.local(broker.bootstrapServers(), APP_ID + "-single",
                    dir.resolve("state"));
            try (StreamvecApp app = new StreamvecApp(new StreamvecConfig(properties)).start();
                 KafkaProducer<String, byte[]> producer = producer(broker.bootstrapServers());
                 HealthWatch health = new HealthWatch(app)) {
                app.awaitRunning(Duration.ofSeconds(90));
                embeddings.start();
                health.start();
                AvroSerde<PlaylistEvent> serde = new AvroSerde<>(PlaylistEvent.class, app.registry());
                produce(producer, serde, PHASE_TEXTS, PHASE_PLAYLISTS);
                await("a first share of the texts is embedded", () -> embeddings.distinct() >= PHASE_TEXTS / 3,
                        () -> embeddings.distinct() + " embedded");
                produce(producer, serde, PHASE_TEXTS, PHASE_PLAYLISTS);
                int beforeKill = embeddings.distinct();
                broker.kill();
                long outage = System.nanoTime();
                progress("SIGKILLed the broker with " + (texts.get() - beforeKill) + " texts not yet embedded");
                Thread producing = new Thread(() -> produce(producer, serde, PHASE_TEXTS, PHASE_PLAYLISTS));
                producing.start();
                await("/health/ready reports the outage", () -> health.lastReady() == 503,
                        () -> "ready " + health.lastReady());
                Thread.sleep(Math.max(0, 30_000 - (System.nanoTime() - outage) / 1_000_000));
                broker.startAgain();
                progress("the broker is back on its data after 30 s");
                producing.join();
                assertTrue(sendFailures.isEmpty(), "the producer retried through the outage: " + sendFailures);

                await("every text embedded", () -> embeddings.distinct() == texts.get(),
                        () -> embeddings.distinct() + " of " + texts.get());
                await("/health/ready recovers", () -> health.lastReady() == 200, () -> "ready " + health.lastReady());
                Thread.sleep(2_000); // an embedding written twice would show up now
                assertExactlyOneCommittedEmbedding(broker.bootstrapServers(), texts.get());
                assertSongCounts(app, playlists.get());
                health.assertNeverExited();
                assertEquals(KafkaStreams.State.RUNNING, app.streams().state());
                progress("exactly one embedding per text, exact song counts; Kafka Streams states seen: "
                        + health.states());
            }
        }
    }

    /** Produces texts and playlists, interleaved, paced a little; a send that fails is recorded, never hidden. */
    private void produce(KafkaProducer<String, byte[]> producer, AvroSerde<PlaylistEvent> serde, int nTexts, int nPlaylists) {
        try {
            for (int i = 0; i < Math.max(nTexts, nPlaylists); i++) {
                if (i < nTexts) {
                    String id = "text-" + texts.getAndIncrement();
                    producer.send(new ProducerRecord<>(Topics.TEXT_EVENTS, id,
                            ("Sentence " + id + " survives brokers that come and go.").getBytes(StandardCharsets.UTF_8)),
                            (metadata, error) -> record(error, id));
                }
                if (i < nPlaylists) {
                    int n = playlists.getAndIncrement();
                    String playlist = "playlist-" + n;
                    List<String> songs = new ArrayList<>();
                    for (int s = 0; s < 5; s++) {
                        String song = "song-" + ((n * 7 + s * 3) % 40);
                        songs.add(song);
                        expectedCounts.merge(song, 1L, Long::sum);
                    }
                    producer.send(new ProducerRecord<>(Topics.PLAYLIST_EVENTS, playlist,
                            serde.serialize(Topics.PLAYLIST_EVENTS, new PlaylistEvent(playlist, songs, 1L, true))),
                            (metadata, error) -> record(error, playlist));
                }
                Thread.sleep(20);
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void record(Exception error, String what) {
        if (error != null) {
            sendFailures.add(what + ": " + error);
        }
    }

    /**
     * Reads all of text-embeddings from the beginning with a fresh read_committed consumer (no group: a group's
     * consumer re-delivers from its last committed offset after the coordinator was lost, so the background
     * reader's counts are only a progress signal) and checks that every text has exactly one embedding.
     */
    private static void assertExactlyOneCommittedEmbedding(String bootstrapServers, int texts) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Map<String, Integer> perText = new TreeMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.TEXT_EMBEDDINGS, Duration.ofSeconds(30))
                    .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    perText.merge(record.key(), 1, Integer::sum);
                }
                assertTrue(System.nanoTime() < deadline, "read text-embeddings to its end within 60 s");
            }
        }
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < texts; i++) {
            int n = perText.getOrDefault("text-" + i, 0);
            if (n != 1) {
                wrong.add("text-" + i + "=" + n);
            }
        }
        assertTrue(wrong.isEmpty(), "texts without exactly one committed embedding: " + wrong);
        assertEquals(texts, perText.size(), "embeddings of unknown texts: " + perText.keySet());
    }

    /** Every song's count in the model equals its occurrences in the playlists produced, once all events trained. */
    private void assertSongCounts(StreamvecApp app, int events) throws Exception {
        Map<String, Long> expected = new TreeMap<>(expectedCounts);
        URI api = app.httpUri();
        for (Map.Entry<String, Long> song : expected.entrySet()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            JsonNode body = null;
            while (true) {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(api.resolve("/songs/" + song.getKey()
                        + "/vector")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    body = JSON.readTree(response.body());
                    if (body.get("modelUpdates").asLong() == events) {
                        break;
                    }
                }
                if (System.nanoTime() > deadline) {
                    fail("no vector of " + song.getKey() + " after " + events + " events: " + response.statusCode()
                            + " " + response.body());
                }
                Thread.sleep(100);
            }
            assertEquals(song.getValue().longValue(), body.get("count").asLong(), "count of " + song.getKey());
        }
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    private void await(String what, BooleanSupplier condition, java.util.function.Supplier<String> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what + ": " + state.get());
            }
            Thread.sleep(200);
        }
    }

    private void progress(String what) {
        System.out.printf("[broker-failover-it] %5.1f s: %s%n", (System.nanoTime() - started) / 1e9, what);
    }

    /**
     * Polls {@code /health/live} and {@code /health/ready} and the Kafka Streams state every 250 ms, keeping
     * what it saw: streamvec must never exit, whatever the brokers do.
     */
    private static final class HealthWatch implements AutoCloseable {
        private final StreamvecApp app;
        private final Thread thread;
        private final List<String> problems = new CopyOnWriteArrayList<>();
        private final java.util.Set<KafkaStreams.State> states = ConcurrentHashMap.newKeySet();
        private volatile int lastReady = -1;
        private volatile boolean running = true;

        HealthWatch(StreamvecApp app) {
            this.app = app;
            this.thread = new Thread(this::run, "health-watch");
        }

        void start() {
            thread.start();
        }

        private void run() {
            URI operations = app.operationsUri();
            while (running) {
                KafkaStreams.State state = app.streams().state();
                states.add(state);
                if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
                    problems.add("Kafka Streams " + state);
                }
                try {
                    int live = status(operations.resolve("/health/live"));
                    if (live != 200) {
                        problems.add("/health/live " + live);
                    }
                    lastReady = status(operations.resolve("/health/ready"));
                } catch (Exception e) {
                    problems.add("no health answer: " + e);
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private static int status(URI uri) throws Exception {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }

        int lastReady() {
            return lastReady;
        }

        java.util.Set<KafkaStreams.State> states() {
            return states;
        }

        void assertNeverExited() {
            assertTrue(problems.isEmpty(), "streamvec stopped or failed its liveness: " + problems);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join(5_000);
        }
    }
}
