package io.streamvec.song2vec.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.StreamvecApp;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.kafka.KafkaBroker;
import io.streamvec.kafka.ModelChangelog;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import io.streamvec.song2vec.data.SyntheticPlaylists;
import io.streamvec.song2vec.data.Word2vecFile;
import io.streamvec.song2vec.model.SongModelView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code song2vec.init.vectors} against a real broker: a new model starts from the file and keeps learning; restarted
 * from its changelog (an empty state directory, the file gone) it comes back bit for bit without the file; a file on a
 * model with other state, and a bad file, stop start-up with one line.
 */
class WarmStartIntegrationTest {

    private static final int DIM = 16;

    @RegisterExtension
    final KafkaBroker kafka = new KafkaBroker(); // one broker per test: each test reads its own playlist-events

    @TempDir
    Path dir;

    private StreamvecConfig config(Path stateDir, Path init) {
        Map<String, Object> properties = StreamvecConfig.local(kafka.bootstrapServers(), "streamvec-warm-start-it",
                stateDir);
        properties.put(StreamvecConfig.SONG2VEC_DIM, DIM);
        properties.put(StreamvecConfig.INDEX_REFRESH_MS, 50L);
        properties.put(StreamvecConfig.RECOMMEND_ENABLED, false);
        if (init != null) {
            properties.put(StreamvecConfig.SONG2VEC_INIT_VECTORS, init.toString());
        }
        return new StreamvecConfig(properties);
    }

    /** The synthetic songs of 3 genres of 40, with random vectors, most played first. */
    private Path initFile(int dim) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int g = 0; g < 3; g++) {
            for (int s = 0; s < 40; s++) {
                ids.add(SyntheticPlaylists.songId(g, s));
            }
        }
        Random random = new Random(5);
        float[] values = new float[ids.size() * dim];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * 0.1f;
        }
        Path file = dir.resolve("init-" + dim + ".txt");
        Word2vecFile.write(file, ids, dim, values);
        return file;
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

    private static Map<String, float[]> vectors(StreamvecApp app) throws InterruptedException {
        Map<String, float[]> vectors = new TreeMap<>();
        model(app).forEachVector(vectors::put);
        return vectors;
    }

    private void produce(SyntheticPlaylists synthetic, int from, int to) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, PlaylistEvent> producer = new KafkaProducer<>(config, new StringSerializer(),
                new AvroSerde<>(PlaylistEvent.class, EmbeddedSchemaRegistry.bundled()).serializer())) {
            for (int p = from; p < to; p++) {
                producer.send(new ProducerRecord<>(Topics.PLAYLIST_EVENTS, "p" + p,
                        new PlaylistEvent("p" + p, synthetic.next(5, 20), 1L, true)));
            }
        }
    }

    @Test
    void aWarmStartedModelComesBackFromItsChangelogBitForBitWithoutTheFile(@TempDir Path firstState,
                                                                           @TempDir Path secondState) throws Exception {
        Path file = initFile(DIM);
        Word2vecFile.Vectors initial = Word2vecFile.read(file);
        SyntheticPlaylists synthetic = new SyntheticPlaylists(3, 40, 9);
        Map<String, float[]> before;
        try (StreamvecApp app = new StreamvecApp(config(firstState, file)).start()) {
            app.awaitRunning(Duration.ofSeconds(60));
            Map<String, float[]> started = vectors(app);
            assertEquals(initial.size(), started.size());
            for (int i = 0; i < initial.size(); i++) {
                assertArrayEquals(Arrays.copyOfRange(initial.values(), i * DIM, (i + 1) * DIM),
                        started.get(initial.ids().get(i)), "the file's vector of " + initial.ids().get(i));
            }
            assertEquals(initial.size(), model(app).count(initial.ids().get(0)), "the first song counts as most played");

            produce(synthetic, 0, 200);
            awaitEvents(app, 200);
            Thread.sleep(300); // an exactly-once commit (100 ms) writes the changed rows to the changelog
            before = vectors(app);
        }
        int moved = 0;
        for (int i = 0; i < initial.size(); i++) {
            moved += Arrays.equals(before.get(initial.ids().get(i)),
                    Arrays.copyOfRange(initial.values(), i * DIM, (i + 1) * DIM)) ? 0 : 1;
        }
        assertTrue(moved > initial.size() / 2, "it kept learning from the stream: " + moved + " songs moved");
        assertEquals(file.toAbsolutePath().normalize().toString(), firstChangelogRecord(), "the changelog starts with the file's name");

        Files.delete(file); // not read again: a restart that read it would fail
        try (StreamvecApp app = new StreamvecApp(config(secondState, file)).start()) {
            app.awaitRunning(Duration.ofSeconds(60));
            awaitEvents(app, 200);
            Map<String, float[]> after = vectors(app);
            assertEquals(before.keySet(), after.keySet());
            for (String song : before.keySet()) {
                assertArrayEquals(before.get(song), after.get(song), "vector of " + song);
            }
            produce(synthetic, 200, 250);
            awaitEvents(app, 250);
            assertFalse(Arrays.equals(before.get(initial.ids().get(0)), vectors(app).get(initial.ids().get(0))),
                    "training continues");
        }
    }

    @Test
    void aFileOnAModelWithOtherStateAndBadFilesStopStartUpWithOneLine(@TempDir Path state) throws Exception {
        try (StreamvecApp app = new StreamvecApp(config(state, null)).start()) {
            app.awaitRunning(Duration.ofSeconds(60));
            produce(new SyntheticPlaylists(3, 40, 2), 0, 20);
            awaitEvents(app, 20);
            Thread.sleep(300);
        }
        Path file = initFile(DIM);
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> new StreamvecApp(config(state, file)).start());
        assertTrue(refused.getMessage().startsWith("song2vec.init.vectors=" + file + " but the song model already has "
                + "state (streamvec-warm-start-it-song2vec-model-changelog partition 0) that did not start from a file"),
                refused.getMessage());

        Map<String, String> bad = new HashMap<>();
        bad.put(initFile(8).toString(), "line 1: vectors of dimension 8, but song2vec.dim is 16");
        bad.put(Files.writeString(dir.resolve("nan.txt"), "2 16\na" + " 0.5".repeat(16) + "\nb" + " 0.5".repeat(15)
                + " nan\n").toString(), "line 3: value 16 of song b is NaN, not a finite number");
        bad.put(Files.writeString(dir.resolve("cut.txt"), "2 16\na" + " 0.5".repeat(16) + "\nb 0.5 0.").toString(),
                "line 3: expected a song id and 16 values, found 2 values (truncated line?)");
        for (Map.Entry<String, String> file2 : bad.entrySet()) {
            Map<String, Object> properties = StreamvecConfig.local(kafka.bootstrapServers(), "streamvec-warm-start-bad",
                    dir.resolve("state-bad"));
            properties.put(StreamvecConfig.SONG2VEC_DIM, DIM);
            properties.put(StreamvecConfig.SONG2VEC_INIT_VECTORS, file2.getKey());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new StreamvecApp(new StreamvecConfig(properties)).start());
            assertEquals("song2vec.init.vectors: " + file2.getKey() + " " + file2.getValue(), e.getMessage());
        }
    }

    /** The value of the first record of the model's changelog. */
    private String firstChangelogRecord() {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        TopicPartition partition = new TopicPartition(ModelChangelog.topic("streamvec-warm-start-it"), 0);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    return SongModelStore.startedFrom(record.key(), record.value()).orElse("(not a warm start's)");
                }
            }
        }
        throw new AssertionError("the changelog is empty");
    }
}
