package io.streamvec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.cli.SongTraining;
import io.streamvec.kafka.EmbeddedKafka;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code streamvec.paths=songs}: song2vec runs, the text path loads nothing and its routes say it is off. */
class SongPathOnlyIntegrationTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void songsOnlyStartsWithoutTheEmbeddingModel(@TempDir Path stateDir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Map<String, Object> properties = StreamvecConfig.local(kafka.bootstrapServers(), "streamvec-songs-only-it",
                    stateDir);
            properties.put(StreamvecConfig.PATHS, "songs");
            // A model that cannot load: starting must not try.
            properties.put(StreamvecConfig.EMBEDDING_MODEL_PATH, stateDir.resolve("no-such-model").toString());
            try (StreamvecApp app = new StreamvecApp(new StreamvecConfig(properties)).start()) {
                app.awaitRunning(Duration.ofSeconds(60));
                assertFalse(app.embeddingLoaded(), "the embedding model was loaded with the text path off");
                IllegalStateException off = assertThrows(IllegalStateException.class, app::embedder);
                assertTrue(off.getMessage().contains("text path is off"), off.getMessage());

                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers()))) {
                    Set<String> topics = admin.listTopics().names().get();
                    assertTrue(topics.contains(Topics.PLAYLIST_EVENTS) && topics.contains(Topics.MODEL_DELTAS), "" + topics);
                    assertFalse(topics.contains(Topics.TEXT_EVENTS) || topics.contains(Topics.TEXT_EMBEDDINGS)
                            || topics.contains(Topics.TEXT_TOKENS), "text topics created: " + topics);
                }

                SongTraining.produceSerialized(kafka.bootstrapServers(), SongTraining.serialize(
                        new AvroSerde<>(PlaylistEvent.class, app.registry()),
                        List.of(new PlaylistEvent("p", List.of("a", "b", "c", "a", "b"), 1L, true))));
                assertTrue(SongTraining.awaitEvents(app, 1, Duration.ofSeconds(60), trained -> { }),
                        "the song path trains");

                HttpResponse<String> search = get(app.httpUri(), "/texts/search?q=hello&k=3");
                assertEquals(503, search.statusCode(), search.body());
                JsonNode error = new ObjectMapper().readTree(search.body());
                assertTrue(error.toString().contains("text path is off"), search.body());
                assertEquals(503, get(app.httpUri(), "/texts/recent?k=3").statusCode());
                assertEquals(200, get(app.httpUri(), "/songs/top?k=3").statusCode());

                assertEquals(200, get(app.operationsUri(), "/health/ready").statusCode());
                assertEquals(200, get(app.operationsUri(), "/health/live").statusCode());
                HttpResponse<String> metrics = get(app.operationsUri(), "/metrics");
                assertEquals(200, metrics.statusCode());
                assertTrue(metrics.body().contains("streamvec_song2vec_vocabulary"), "song metrics exported");
                assertFalse(metrics.body().contains("streamvec_embedding_device"), "no embedding model, no device");
            }
        }
    }
}
