package io.streamvec.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.StreamvecApp;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.avro.Song;
import io.streamvec.kafka.KafkaBroker;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.song2vec.stream.SongStores;
import io.streamvec.song2vec.stream.SongModelStoreType;
import io.streamvec.song2vec.model.SongModelView;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP endpoints end to end: song metadata and playlists drawn from two planted clusters go through a
 * real (in-process KRaft) broker into the song model; the endpoints then answer from local state.
 */
class SongHttpIntegrationTest {

    private static final int PER_CLUSTER = 15;
    private static final int PLAYLISTS = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private static String song(int cluster, int i) {
        return (cluster == 0 ? "a" : "b") + String.format("%02d", i);
    }

    @Test
    void endpointsAnswerFromTheTrainedModel(@TempDir Path stateDir) throws Exception {
        Map<String, Object> properties = StreamvecConfig.local(KAFKA.bootstrapServers(), "streamvec-http-it", stateDir);
        properties.put(StreamvecConfig.INDEX_REFRESH_MS, 50L);
        properties.put(StreamvecConfig.SONG2VEC_DIM, 16);
        properties.put(StreamvecConfig.SONG2VEC_WINDOW, 5);
        properties.put(StreamvecConfig.SONG2VEC_ALPHA, 0.025);
        properties.put(StreamvecConfig.SONG2VEC_SAMPLE, 0.0); // 30 songs are all "frequent": keep every one
        properties.put(StreamvecConfig.RECOMMEND_ENABLED, false);
        try (StreamvecApp app = new StreamvecApp(new StreamvecConfig(properties)).start()) {
            URI base = app.httpUri();
            assertTrue(app.httpPort() > 0, "the chosen port is readable");
            assertEquals("127.0.0.1", base.getHost());
            app.awaitRunning(Duration.ofSeconds(60));

            int events = produce(app);
            SongModelView model = awaitTrained(app, events);
            assertEquals(2 * PER_CLUSTER, model.vocabularySize());

            // Similar songs: mostly the song's own cluster, with titles from the songs topic.
            int k = 5, same = 0, total = 0;
            for (int cluster = 0; cluster < 2; cluster++) {
                for (int i = 0; i < PER_CLUSTER; i += 3) {
                    String id = song(cluster, i);
                    JsonNode body = awaitTitled(base.resolve("/songs/" + id + "/similar?k=" + k));
                    assertEquals(id, body.get("songId").asText());
                    assertEquals(k, body.get("k").asInt());
                    JsonNode recs = body.get("recommendations");
                    assertEquals(k, recs.size(), body.toString());
                    double previous = Double.MAX_VALUE;
                    for (JsonNode rec : recs) {
                        String other = rec.get("songId").asText();
                        assertFalse(other.equals(id), "a song is not its own recommendation");
                        assertTrue(rec.get("score").asDouble() <= previous, "best first: " + body);
                        previous = rec.get("score").asDouble();
                        assertEquals("Song " + other, rec.get("title").asText(), body.toString());
                        assertEquals("Artist " + other.charAt(0), rec.get("artist").asText(), body.toString());
                        total++;
                        if (other.charAt(0) == id.charAt(0)) {
                            same++;
                        }
                    }
                }
            }
            assertTrue(same >= 0.8 * total, "neighbours from the song's own cluster: " + same + " of " + total);

            // Next songs for a playlist: its retained songs, and mostly songs of its cluster.
            HttpResponse<String> next = get(base.resolve("/playlists/p0/next?k=5"));
            assertEquals(200, next.statusCode(), next.body());
            JsonNode nextBody = JSON.readTree(next.body());
            assertEquals("p0", nextBody.get("playlistId").asText());
            assertEquals(5, nextBody.get("k").asInt());
            assertFalse(nextBody.get("recentSongs").isEmpty(), next.body());
            for (JsonNode recent : nextBody.get("recentSongs")) {
                assertTrue(recent.asText().startsWith("a"), "p0 is drawn from cluster a: " + next.body());
            }
            int inCluster = 0;
            for (JsonNode rec : nextBody.get("recommendations")) {
                inCluster += rec.get("songId").asText().startsWith("a") ? 1 : 0;
            }
            assertEquals(5, nextBody.get("recommendations").size(), next.body());
            assertTrue(inCluster >= 4, "continuation of a cluster-a playlist: " + next.body());
            assertEquals(10, JSON.readTree(get(base.resolve("/playlists/p1/next")).body()).get("k").asInt());

            // A list of songs continues as the stored playlist of those songs does.
            StringBuilder recentList = new StringBuilder();
            for (JsonNode recent : nextBody.get("recentSongs")) {
                recentList.append(recentList.length() == 0 ? "" : ",").append(recent.asText());
            }
            JsonNode list = ok(base.resolve("/songs/next?k=5&songs=" + recentList + ",never-played"));
            assertEquals(nextBody.get("recommendations"), list.get("recommendations"), list.toString());
            assertEquals("[\"never-played\"]", list.get("unknown").toString());

            // gensim's most_similar: positives from cluster a, a negative from cluster b.
            JsonNode most = ok(base.resolve("/songs/similar?positive=a00,a01,zzz&negative=b00&k=5"));
            assertEquals("[\"zzz\"]", most.get("unknown").toString());
            assertEquals(5, most.get("recommendations").size(), most.toString());
            for (JsonNode rec : most.get("recommendations")) {
                String other = rec.get("songId").asText();
                assertTrue(other.startsWith("a") && !other.equals("a00") && !other.equals("a01"), most.toString());
                assertEquals("Song " + other, rec.get("title").asText());
            }

            // Search by words of the title or artist, most trained first, and the most trained songs.
            JsonNode search = ok(base.resolve("/songs?query=ARTIST+a&limit=100"));
            assertEquals(PER_CLUSTER, search.get("songs").size(), search.toString());
            long previousCount = Long.MAX_VALUE;
            for (JsonNode found : search.get("songs")) {
                assertTrue(found.get("songId").asText().startsWith("a"), search.toString());
                assertTrue(found.get("count").asLong() > 0 && found.get("count").asLong() <= previousCount, search.toString());
                previousCount = found.get("count").asLong();
            }
            JsonNode one = ok(base.resolve("/songs?query=song%20b07"));
            assertEquals(1, one.get("songs").size(), one.toString());
            assertEquals("b07", one.get("songs").get(0).get("songId").asText());
            assertEquals(model.vector("b07").orElseThrow().count(), one.get("songs").get(0).get("count").asLong());
            assertEquals(0, ok(base.resolve("/songs?query=nothing")).get("songs").size());
            JsonNode top = ok(base.resolve("/songs/top?k=5"));
            assertEquals(5, top.get("songs").size());
            long mostPlayed = Long.MAX_VALUE;
            for (JsonNode played : top.get("songs")) {
                assertTrue(played.get("count").asLong() <= mostPlayed, top.toString());
                mostPlayed = played.get("count").asLong();
                assertEquals("Song " + played.get("songId").asText(), played.get("title").asText());
            }
            long mostOfAll = ok(base.resolve("/songs/top?k=1")).get("songs").get(0).get("count").asLong();
            assertTrue(mostOfAll >= search.get("songs").get(0).get("count").asLong(), "the most trained song comes first");

            // Errors.
            assertError(404, get(base.resolve("/songs/similar?positive=zzz&negative=a00")));
            assertError(404, get(base.resolve("/songs/next?songs=zzz,yyy")));
            assertError(400, get(base.resolve("/songs/similar?negative=a00")));
            assertError(400, get(base.resolve("/songs/next?songs=a00,,a01")));
            assertError(400, get(base.resolve("/songs/similar?positive=a00&k=1001")));
            assertError(400, get(base.resolve("/songs?query=")));
            assertError(404, get(base.resolve("/songs/no-such-song/similar")));
            assertError(404, get(base.resolve("/playlists/no-such-playlist/next")));
            assertError(404, get(base.resolve("/no/such/path")));
            assertError(400, get(base.resolve("/songs/a00/similar?k=0")));
            assertError(400, get(base.resolve("/songs/a00/similar?k=abc")));
            assertError(400, get(base.resolve("/songs/a00/similar?k=100000")));
            assertError(400, get(base.resolve("/songs/a%0A00/similar")));
            assertError(400, get(base.resolve("/playlists/p%000/next")));
            HttpResponse<String> post = client.send(HttpRequest.newBuilder(base.resolve("/songs/a00/similar"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertError(405, post);
            assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(null));
        }
    }

    /** Songs (with titles) first, then each playlist as two events, the second completing it. */
    private int produce(StreamvecApp app) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        int events = 0;
        try (KafkaProducer<String, Song> songs = new KafkaProducer<>(config, new StringSerializer(),
                new AvroSerde<>(Song.class, app.registry()).serializer());
             KafkaProducer<String, PlaylistEvent> playlists = new KafkaProducer<>(config, new StringSerializer(),
                     new AvroSerde<>(PlaylistEvent.class, app.registry()).serializer())) {
            for (int cluster = 0; cluster < 2; cluster++) {
                for (int i = 0; i < PER_CLUSTER; i++) {
                    String id = song(cluster, i);
                    songs.send(new ProducerRecord<>(Topics.SONGS, id, Song.newBuilder().setId(id)
                            .setTitle("Song " + id).setArtist("Artist " + id.charAt(0)).build()));
                }
            }
            songs.flush();
            Random random = new Random(7);
            for (int p = 0; p < PLAYLISTS; p++) {
                int cluster = p % 2;
                List<String> drawn = new ArrayList<>();
                int length = 16 + random.nextInt(10);
                for (int i = 0; i < length; i++) {
                    drawn.add(song(cluster, random.nextInt(PER_CLUSTER)));
                }
                int split = length / 2;
                String id = "p" + p;
                playlists.send(new ProducerRecord<>(Topics.PLAYLIST_EVENTS, id, PlaylistEvent.newBuilder()
                        .setPlaylistId(id).setSongIds(drawn.subList(0, split)).setTimestampMs(p)
                        .setPlaylistComplete(false).build()));
                playlists.send(new ProducerRecord<>(Topics.PLAYLIST_EVENTS, id, PlaylistEvent.newBuilder()
                        .setPlaylistId(id).setSongIds(drawn.subList(split, length)).setTimestampMs(p)
                        .setPlaylistComplete(true).build()));
                events += 2;
            }
            playlists.flush();
        }
        return events;
    }

    /** The local model once it has trained {@code events} playlist events (and its snapshot caught up). */
    private static SongModelView awaitTrained(StreamvecApp app, int events) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        SongModelView model = null;
        long trained = -1;
        while (System.nanoTime() < deadline) {
            try {
                model = app.streams().store(StoreQueryParameters.fromNameAndType(SongStores.MODEL,
                        new SongModelStoreType()));
                trained = model.events();
                if (trained >= events && model.vocabularySize() == 2 * PER_CLUSTER) {
                    Thread.sleep(300); // a few index refreshes (50 ms) after the last training
                    return model;
                }
            } catch (InvalidStateStoreException notYet) {
                // still starting or rebalancing
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the model trained " + trained + " of " + events + " events");
    }

    /** The similar-songs answer once every recommendation carries its title (the global store catches up). */
    private JsonNode awaitTitled(URI uri) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            HttpResponse<String> response = get(uri);
            assertEquals(200, response.statusCode(), response.body());
            JsonNode body = JSON.readTree(response.body());
            boolean titled = true;
            for (JsonNode rec : body.get("recommendations")) {
                titled &= !rec.get("title").isNull();
            }
            if (titled || System.nanoTime() > deadline) {
                return body;
            }
            Thread.sleep(100);
        }
    }

    private JsonNode ok(URI uri) throws Exception {
        HttpResponse<String> response = get(uri);
        assertEquals(200, response.statusCode(), uri + ": " + response.body());
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("application/json; charset=utf-8", response.headers().firstValue("Content-Type").orElse(null));
        return response;
    }

    private static void assertError(int status, HttpResponse<String> response) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        JsonNode body = JSON.readTree(response.body());
        assertTrue(body.hasNonNull("error"), response.body());
        assertFalse(response.body().contains("Exception"), response.body());
    }
}
