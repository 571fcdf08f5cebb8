package io.streamvec.song2vec.stream;

import io.streamvec.Cosine;
import io.streamvec.bench.HitRate;
import io.streamvec.song2vec.data.SyntheticPlaylists;
import io.streamvec.song2vec.model.SongModelView;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.StreamvecApp;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.kafka.EmbeddedKafka;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel song2vec: two instances on a two-partition playlist stream each train one replica on
 * their own playlists and exchange deltas through {@code song2vec-model-deltas}. Their models must match
 * a single instance trained on the same stream (next-song HR@10 within 10%) and each other (mean cosine of
 * the frequent songs' vectors >= 0.95).
 */
class DataParallelSong2vecIntegrationTest {

    private static final int PLAYLISTS = 15_000;

    @Test
    void twoInstancesTrainOneModelTogether(@TempDir Path stateDir) throws Exception {
        SyntheticPlaylists source = new SyntheticPlaylists(12, 30, 11L);
        List<List<String>> all = new ArrayList<>();
        for (int i = 0; i < PLAYLISTS + 600; i++) {
            all.add(source.next(5, 15));
        }
        List<List<String>> train = all.subList(0, PLAYLISTS);
        List<List<String>> heldOut = all.subList(PLAYLISTS, all.size());
        long songs = train.stream().mapToLong(List::size).sum();

        Map<String, float[]> single;
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             StreamvecApp app = new StreamvecApp(config(kafka, stateDir.resolve("single"))).start()) {
            app.awaitRunning(Duration.ofSeconds(60));
            produce(kafka, train);
            awaitTrained(List.of(app), songs);
            single = vectors(app);
        }

        Map<String, float[]> a;
        Map<String, float[]> b;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(Topics.PLAYLIST_EVENTS, 2, (short) 1))).all().get();
            }
            try (StreamvecApp first = new StreamvecApp(config(kafka, stateDir.resolve("a"))).start();
                 StreamvecApp second = new StreamvecApp(config(kafka, stateDir.resolve("b"))).start()) {
                first.awaitRunning(Duration.ofSeconds(60));
                second.awaitRunning(Duration.ofSeconds(60));
                awaitOneTaskEach(first, second);
                produce(kafka, train);
                awaitTrained(List.of(first, second), songs);
                long eventsA = model(first).events();
                long eventsB = model(second).events();
                assertEquals(PLAYLISTS, eventsA + eventsB, "every playlist trained once, by one of the replicas");
                assertTrue(Math.min(eventsA, eventsB) > PLAYLISTS / 4, "both replicas trained: " + eventsA + ", " + eventsB);
                a = vectors(first);
                b = vectors(second);
            }
        }

        double hrSingle = HitRate.of(single, heldOut, 10);
        double hrA = HitRate.of(a, heldOut, 10);
        double hrB = HitRate.of(b, heldOut, 10);
        assertTrue(hrSingle > 0.15, "the single model learned the planted structure: HR@10 " + hrSingle);
        assertTrue(hrA >= 0.9 * hrSingle && hrB >= 0.9 * hrSingle,
                "HR@10 within 10% of one instance: " + hrA + ", " + hrB + " vs " + hrSingle);
        assertEquals(single.keySet(), a.keySet(), "replica a knows every song");
        assertEquals(single.keySet(), b.keySet(), "replica b knows every song");
        double cosine = a.keySet().stream().mapToDouble(song -> Cosine.of(a.get(song), b.get(song))).average().orElse(0);
        System.out.printf("HR@10: single %.4f, replica a %.4f, replica b %.4f; mean cosine a-b %.6f%n",
                hrSingle, hrA, hrB, cosine);
        assertTrue(cosine >= 0.95, "the replicas agree: mean cosine " + cosine);
    }

    private static StreamvecConfig config(EmbeddedKafka kafka, Path stateDir) {
        Map<String, Object> properties = StreamvecConfig.local(kafka.bootstrapServers(), "streamvec-data-parallel-it", stateDir);
        properties.put(StreamvecConfig.RECOMMEND_ENABLED, false);
        properties.put(StreamvecConfig.INDEX_REFRESH_MS, 100L);
        properties.put(StreamvecConfig.SONG2VEC_SYNC_MS, 200L);
        properties.put(StreamvecConfig.SONG2VEC_CAPACITY, 4096);
        properties.put(StreamvecConfig.SONG2VEC_ALPHA, 0.025); // a short stream: learn the planted genres in one pass
        properties.put("session.timeout.ms", 6000);
        return new StreamvecConfig(properties);
    }

    private static void produce(EmbeddedKafka kafka, List<List<String>> playlists) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, PlaylistEvent> producer = new KafkaProducer<>(config, new StringSerializer(),
                new AvroSerde<>(PlaylistEvent.class, EmbeddedSchemaRegistry.bundled()).serializer())) {
            long now = System.currentTimeMillis();
            for (int i = 0; i < playlists.size(); i++) {
                String id = "pl-" + i;
                producer.send(new ProducerRecord<>(Topics.PLAYLIST_EVENTS, id, new PlaylistEvent(id, playlists.get(i), now, true)));
            }
        }
    }

    /** Waits until each app's replica has counted every song of the stream: its own and the others' deltas. */
    private static void awaitTrained(List<StreamvecApp> apps, long songs) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        List<Long> counted = List.of();
        while (System.nanoTime() < deadline) {
            counted = new ArrayList<>();
            for (StreamvecApp app : apps) {
                try {
                    SongModelView view = model(app);
                    long[] total = {0};
                    view.forEachVector((song, vector) -> total[0] += view.vector(song).map(SongModelView.SongVector::count).orElse(0L));
                    counted.add(total[0]);
                } catch (InvalidStateStoreException rebalancing) {
                    counted.add(-1L);
                }
            }
            if (counted.stream().allMatch(c -> c == songs)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("replicas counted " + counted + " songs, expected " + songs + " each");
    }

    private static void awaitOneTaskEach(StreamvecApp first, StreamvecApp second) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (songTasks(first) == 1 && songTasks(second) == 1) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the two playlist-events partitions did not spread over the two instances");
    }

    private static long songTasks(StreamvecApp app) {
        return app.streams().metadataForLocalThreads().stream()
                .flatMap(thread -> thread.activeTasks().stream())
                .filter(task -> task.topicPartitions().stream().anyMatch(tp -> tp.topic().equals(Topics.PLAYLIST_EVENTS)))
                .count();
    }

    private static SongModelView model(StreamvecApp app) throws InterruptedException {
        return SongModelStoreType.query(app.streams(), Duration.ofSeconds(60));
    }

    private static Map<String, float[]> vectors(StreamvecApp app) throws InterruptedException {
        Map<String, float[]> vectors = new HashMap<>();
        model(app).forEachVector(vectors::put);
        return vectors;
    }

}
