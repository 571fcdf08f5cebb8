package io.streamvec.http;

import io.streamvec.Await;
import io.streamvec.FreePorts;
import static io.streamvec.http.JsonHttp.servedBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.StreamvecApp;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.kafka.EmbeddedKafka;
import io.streamvec.kafka.TopicCatalog;
import io.streamvec.kafka.TopicSpec;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import io.streamvec.song2vec.stream.SongStores;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queries on any of two instances. {@code playlist-events} gets two partitions (created here before the
 * instances start), the two instances one each, and fixed HTTP ports named in {@code application.server}.
 * After playlists are trained, {@code GET /playlists/{id}/next} answers 200 with the same, expected recent
 * songs on both instances for playlists held by either; the non-owner's answer names the owner in
 * {@value Forwarder#SERVED_BY}, and the non-owner, asked to answer from its own state (a request marked as
 * forwarded), cannot (503): so its 200 was the owner's, forwarded. {@code GET /songs/{id}/similar} answers 200
 * on both, from each instance's own model. The two model replicas are not compared (each partition trains its
 * own).
 */
class QueryRoutingIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP_ID = "streamvec-routing-it";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PLAYLISTS = 24;
    private static final int POOL = 16;
    private static final int WINDOW = 5;
    /** A playlist's context keeps its last 2 × window + 2 songs (all kept: song2vec.sample=0). */
    private static final int RETAINED = 2 * WINDOW + 2;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void playlistQueriesAnswerOnEitherInstanceFromTheOwnersState(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            TopicSpec spec = TopicCatalog.load().get(Topics.PLAYLIST_EVENTS);
            NewTopic twoPartitions = new NewTopic(Topics.PLAYLIST_EVENTS, Optional.of(2), Optional.empty())
                    .configs(spec.toNewTopic((short) -1).configs());
            admin.createTopics(List.of(twoPartitions)).all().get(60, TimeUnit.SECONDS);
            TopicCatalog.load().createMissing(admin, (short) -1, 60_000); // the others; playlist-events is kept
            int[] ports = FreePorts.take(2);

            try (StreamvecApp a = app(kafka, dir.resolve("state-a"), ports[0]).start();
                 StreamvecApp b = app(kafka, dir.resolve("state-b"), ports[1]).start()) {
                assertEquals(ports[0], a.httpPort());
                assertEquals(ports[1], b.httpPort());
                Map<HostInfo, StreamvecApp> byAddress = Map.of(
                        new HostInfo("127.0.0.1", ports[0]), a, new HostInfo("127.0.0.1", ports[1]), b);
                await("each instance holds one playlist-events partition", () ->
                        a.streams().state() == KafkaStreams.State.RUNNING
                                && b.streams().state() == KafkaStreams.State.RUNNING
                                && playlistPartitions(a.streams()).size() == 1
                                && playlistPartitions(b.streams()).size() == 1
                                && !playlistPartitions(a.streams()).equals(playlistPartitions(b.streams())),
                        () -> "A holds " + playlistPartitions(a.streams()) + ", B holds " + playlistPartitions(b.streams()));

                Map<String, List<String>> playlists = producePlaylists(kafka);

                // Who holds each playlist, per the metadata, checked against the instances' own tasks.
                Map<String, StreamvecApp> owners = new LinkedHashMap<>();
                for (String playlist : playlists.keySet()) {
                    KeyQueryMetadata metadata = a.streams().queryMetadataForKey(SongStores.PLAYLISTS,
                            playlist, new StringSerializer());
                    StreamvecApp owner = byAddress.get(metadata.activeHost());
                    assertTrue(owner != null, playlist + " is held by " + metadata.activeHost());
                    assertTrue(playlistPartitions(owner.streams()).contains(metadata.partition()),
                            "the metadata's owner runs the playlist's partition");
                    owners.put(playlist, owner);
                }
                assertTrue(owners.containsValue(a) && owners.containsValue(b), "each instance holds some playlists");

                int forwardedAnswers = 0;
                for (Map.Entry<String, List<String>> playlist : playlists.entrySet()) {
                    String id = playlist.getKey();
                    StreamvecApp owner = owners.get(id);
                    StreamvecApp other = owner == a ? b : a;
                    String ownerAddress = "127.0.0.1:" + owner.httpPort();
                    URI path = URI.create("/playlists/" + id + "/next?k=3");
                    List<String> expected = playlist.getValue().subList(playlist.getValue().size() - RETAINED,
                            playlist.getValue().size());

                    HttpResponse<String> fromOwner = awaitOk(owner.httpUri().resolve(path), expected);
                    HttpResponse<String> fromOther = get(other.httpUri().resolve(path));
                    assertEquals(200, fromOther.statusCode(), fromOther.body());
                    assertEquals(ownerAddress, servedBy(fromOwner));
                    assertEquals(ownerAddress, servedBy(fromOther), "the non-owner relayed the owner's answer");
                    JsonNode ownerBody = JSON.readTree(fromOwner.body());
                    JsonNode otherBody = JSON.readTree(fromOther.body());
                    assertEquals(id, otherBody.get("playlistId").asText());
                    assertEquals(3, otherBody.get("k").asInt());
                    assertEquals(expected, strings(ownerBody.get("recentSongs")), "the playlist's last songs");
                    assertEquals(strings(ownerBody.get("recentSongs")), strings(otherBody.get("recentSongs")),
                            "the same recent songs from both instances");

                    // The non-owner cannot answer from its own state: its 200 above was forwarded.
                    HttpResponse<String> local = get(other.httpUri().resolve(path), Forwarder.FORWARDED, "1");
                    assertEquals(503, local.statusCode(), local.body());
                    assertEquals("1", local.headers().firstValue("Retry-After").orElse(null));
                    assertEquals("127.0.0.1:" + other.httpPort(), servedBy(local));
                    forwardedAnswers++;
                }
                assertEquals(PLAYLISTS, forwardedAnswers);

                // Song queries are answered by each instance from its own model copy, never forwarded.
                for (StreamvecApp instance : List.of(a, b)) {
                    HttpResponse<String> similar = awaitStatus(instance.httpUri().resolve("/songs/s00/similar?k=5"), 200);
                    assertEquals("127.0.0.1:" + instance.httpPort(), servedBy(similar));
                    JsonNode body = JSON.readTree(similar.body());
                    assertEquals("s00", body.get("songId").asText());
                    assertEquals(5, body.get("recommendations").size(), similar.body());
                    for (JsonNode rec : body.get("recommendations")) {
                        assertTrue(rec.get("songId").asText().matches("s\\d\\d"), similar.body());
                        assertFalse(rec.get("songId").asText().equals("s00"), similar.body());
                    }
                    HttpResponse<String> vector = get(instance.httpUri().resolve("/songs/s00/vector"));
                    assertEquals(200, vector.statusCode(), vector.body());
                    assertEquals("127.0.0.1:" + instance.httpPort(), servedBy(vector));
                }
                assertEquals(404, get(a.httpUri().resolve("/playlists/no-such-playlist/next")).statusCode(),
                        "an unknown playlist is a 404 wherever its key would live");
                assertEquals(404, get(b.httpUri().resolve("/playlists/no-such-playlist/next")).statusCode());
            }
        }
    }

    private static StreamvecApp app(EmbeddedKafka kafka, Path stateDir, int port) {
        Map<String, Object> properties = StreamvecConfig.local(kafka.bootstrapServers(), APP_ID, stateDir);
        properties.put(StreamvecConfig.HTTP_PORT, port);
        properties.put(StreamsConfig.APPLICATION_SERVER_CONFIG, "127.0.0.1:" + port);
        properties.put(StreamvecConfig.INDEX_REFRESH_MS, 50L);
        properties.put(StreamvecConfig.SONG2VEC_DIM, 16);
        properties.put(StreamvecConfig.SONG2VEC_WINDOW, WINDOW);
        properties.put(StreamvecConfig.SONG2VEC_SAMPLE, 0.0); // keep every song: the retained songs are predictable
        properties.put(StreamvecConfig.RECOMMEND_ENABLED, false);
        return new StreamvecApp(new StreamvecConfig(properties));
    }

    /** Each playlist holds every song of the pool, shuffled, in two events (the second completes it). */
    private static Map<String, List<String>> producePlaylists(EmbeddedKafka kafka) {
        Map<String, List<String>> playlists = new LinkedHashMap<>();
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        Random random = new Random(11);
        try (KafkaProducer<String, PlaylistEvent> producer = new KafkaProducer<>(config, new StringSerializer(),
                new AvroSerde<>(PlaylistEvent.class, EmbeddedSchemaRegistry.bundled()).serializer())) {
            for (int p = 0; p < PLAYLISTS; p++) {
                String id = "playlist-" + p;
                List<String> songs = new ArrayList<>();
                for (int s = 0; s < POOL; s++) {
                    songs.add(String.format("s%02d", s));
                }
                Collections.shuffle(songs, random);
                playlists.put(id, songs);
                int split = POOL / 2;
                producer.send(new ProducerRecord<>(Topics.PLAYLIST_EVENTS, id, PlaylistEvent.newBuilder()
                        .setPlaylistId(id).setSongIds(songs.subList(0, split)).setTimestampMs(p)
                        .setPlaylistComplete(false).build()));
                producer.send(new ProducerRecord<>(Topics.PLAYLIST_EVENTS, id, PlaylistEvent.newBuilder()
                        .setPlaylistId(id).setSongIds(songs.subList(split, POOL)).setTimestampMs(p)
                        .setPlaylistComplete(true).build()));
            }
            producer.flush();
        }
        return playlists;
    }

    /** The playlist-events partitions of an instance's active tasks (empty while it is not running). */
    private static Set<Integer> playlistPartitions(KafkaStreams streams) {
        Set<Integer> partitions = new TreeSet<>();
        try {
            for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
                for (TaskMetadata task : thread.activeTasks()) {
                    for (TopicPartition partition : task.topicPartitions()) {
                        if (partition.topic().equals(Topics.PLAYLIST_EVENTS)) {
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

    /** The owner's answer once it holds the whole playlist (both events trained). */
    private HttpResponse<String> awaitOk(URI uri, List<String> expectedRecent) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            HttpResponse<String> response = get(uri);
            if (response.statusCode() == 200
                    && strings(JSON.readTree(response.body()).get("recentSongs")).equals(expectedRecent)) {
                return response;
            }
            if (System.nanoTime() > deadline) {
                fail("no answer with the playlist's last songs from " + uri + "; last: " + response.statusCode() + " "
                        + response.body());
            }
            Thread.sleep(100);
        }
    }

    private HttpResponse<String> awaitStatus(URI uri, int status) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            HttpResponse<String> response = get(uri);
            if (response.statusCode() == status) {
                return response;
            }
            if (System.nanoTime() > deadline) {
                fail("no " + status + " from " + uri + "; last: " + response.statusCode() + " " + response.body());
            }
            Thread.sleep(100);
        }
    }

    private HttpResponse<String> get(URI uri, String... headers) throws Exception {
        return JsonHttp.get(client, uri, headers);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(node -> out.add(node.asText()));
        }
        return out;
    }

    private static void await(String what, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        Await.until(WAIT, what, condition, state);
    }
}
