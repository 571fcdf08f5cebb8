package io.streamvec.song2vec.stream;

import io.streamvec.song2vec.data.SyntheticPlaylists;
import io.streamvec.song2vec.model.SongModelView;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.StreamvecApp;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.kafka.KafkaBroker;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The song model survives a restart: train, stop, restart on an empty state directory (so the model must
 * come back from its changelog), and every vector is bit-identical; training then continues from it.
 */
class Song2vecRestoreIntegrationTest {

    @RegisterExtension
    final KafkaBroker kafka = new KafkaBroker(); // one broker per test: each test reads its own playlist-events

    private StreamvecConfig config(Path stateDir, int threads) {
        Map<String, Object> properties = StreamvecConfig.local(kafka.bootstrapServers(),
                "streamvec-song2vec-restore-it-" + threads, stateDir);
        properties.put(StreamvecConfig.SONG2VEC_THREADS, threads);
        properties.put(StreamvecConfig.INDEX_REFRESH_MS, 50L);
        return new StreamvecConfig(properties);
    }

    private static SongModelView model(StreamvecApp app) throws InterruptedException {
        return SongModelStoreType.query(app.streams(), Duration.ofSeconds(60));
    }

    private static void awaitEvents(StreamvecApp app, long events) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (model(app).events() >= events) {
                    return;
                }
            } catch (InvalidStateStoreException retry) {
                // rebalancing
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the model did not reach " + events + " events");
    }

    private void produce(SyntheticPlaylists synthetic, int from, int to) {
        String prefix = "p";
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, PlaylistEvent> producer = new KafkaProducer<>(config, new StringSerializer(),
                new AvroSerde<>(PlaylistEvent.class, EmbeddedSchemaRegistry.bundled()).serializer())) {
            for (int p = from; p < to; p++) {
                producer.send(new ProducerRecord<>(Topics.PLAYLIST_EVENTS, prefix + p,
                        new PlaylistEvent(prefix + p, synthetic.next(5, 20), 1L, p % 2 == 0)));
            }
        }
    }

    @Test
    void vectorsAreIdenticalAfterARestoreFromTheChangelog(@TempDir Path firstState, @TempDir Path secondState)
            throws Exception {
        restoreIsExact(firstState, secondState, 1);
    }

    @Test
    void parallelTrainingIsCommittedConsistentlyToo(@TempDir Path firstState, @TempDir Path secondState)
            throws Exception {
        restoreIsExact(firstState, secondState, 2);
    }

    private void restoreIsExact(Path firstState, Path secondState, int threads) throws Exception {
        SyntheticPlaylists synthetic = new SyntheticPlaylists(3, 40, 5);
        Map<String, float[]> before = new TreeMap<>();
        long eventsBefore;
        try (StreamvecApp app = new StreamvecApp(config(firstState, threads)).start()) {
            app.awaitRunning(Duration.ofSeconds(60));
            produce(synthetic, 0, 400);
            awaitEvents(app, 400);
            Thread.sleep(300); // an exactly-once commit (100 ms) writes the changed rows to the changelog
            model(app).forEachVector(before::put);
            eventsBefore = model(app).events();
        }
        assertEquals(400, eventsBefore);
        assertTrue(before.size() > 100, "songs trained: " + before.size());

        try (StreamvecApp app = new StreamvecApp(config(secondState, threads)).start()) {
            app.awaitRunning(Duration.ofSeconds(60));
            awaitEvents(app, 400);
            Map<String, float[]> after = new TreeMap<>();
            model(app).forEachVector(after::put);
            assertEquals(before.keySet(), after.keySet(), "the vocabulary came back");
            for (String song : before.keySet()) {
                assertArrayEquals(before.get(song), after.get(song), "vector of " + song);
            }
            assertEquals(400, model(app).events());

            produce(synthetic, 400, 450);
            awaitEvents(app, 450);
            float[] moved = new float[1];
            model(app).forEachVector((song, vector) -> {
                if (!java.util.Arrays.equals(vector, before.get(song))) {
                    moved[0]++;
                }
            });
            assertTrue(moved[0] > 0, "training continues from the restored vectors");
            assertTrue(model(app).similar(SyntheticPlaylists.songId(0, 0), 5).isPresent());
        }
    }
}
