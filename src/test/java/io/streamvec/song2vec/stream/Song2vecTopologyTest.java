package io.streamvec.song2vec.stream;

import io.streamvec.song2vec.data.SyntheticPlaylists;
import io.streamvec.song2vec.model.PlaylistContext;
import io.streamvec.song2vec.model.SongModelView;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.StreamvecConfig;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.avro.RecommendationKind;
import io.streamvec.avro.Song;
import io.streamvec.avro.SongRecommendations;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import io.streamvec.serde.SchemaRegistry;
import io.streamvec.text.model.EmbeddingWorkers;
import io.streamvec.text.model.HashingTestEmbedder;
import io.streamvec.text.model.TextTokenizer;
import io.streamvec.topology.StreamvecTopology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The song path through the real topology with TopologyTestDriver. */
class Song2vecTopologyTest {

    private static final TextTokenizer TOKENIZER = TextTokenizer.bundled(32);
    private final SchemaRegistry registry = EmbeddedSchemaRegistry.bundled();
    /** Each run's state directory is a fresh one below this. */
    @TempDir
    Path stateDirs;

    private record Run(TopologyTestDriver driver, TestInputTopic<String, PlaylistEvent> playlists,
                       TestInputTopic<String, Song> songs, TestOutputTopic<String, SongRecommendations> out,
                       TestOutputTopic<byte[], byte[]> dlq, EmbeddingWorkers embedding) implements AutoCloseable {
        SongModelStore model() {
            return (SongModelStore) driver.getStateStore(SongStores.MODEL);
        }

        @Override
        public void close() {
            driver.close();
            embedding.close();
        }
    }

    private Run start(Map<String, Object> overrides) {
        Map<String, Object> settings = new HashMap<>(overrides);
        settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        settings.putIfAbsent(StreamvecConfig.INDEX_REFRESH_MS, 1L);
        if (!settings.containsKey(StreamsConfig.STATE_DIR_CONFIG)) {
            try {
                settings.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory(stateDirs, "song2vec-ttd").toString());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        StreamvecConfig config = new StreamvecConfig(settings);
        Properties properties = config.streamsProperties();
        EmbeddingWorkers embedding = new EmbeddingWorkers(new HashingTestEmbedder(TOKENIZER),
                new EmbeddingWorkers.Settings(1, 0, 32, Duration.ofMillis(100)), new SimpleMeterRegistry());
        TopologyTestDriver driver = new TopologyTestDriver(StreamvecTopology.build(new StreamvecTopology.Parts(registry,
                () -> TOKENIZER, () -> embedding, config.song2vec())), properties);
        return new Run(driver,
                driver.createInputTopic(Topics.PLAYLIST_EVENTS, new StringSerializer(),
                        new AvroSerde<>(PlaylistEvent.class, registry).serializer()),
                driver.createInputTopic(Topics.SONGS, new StringSerializer(),
                        new AvroSerde<>(Song.class, registry).serializer()),
                driver.createOutputTopic(Topics.SONG_RECOMMENDATIONS, new StringDeserializer(),
                        new AvroSerde<>(SongRecommendations.class, registry).deserializer()),
                driver.createOutputTopic(Topics.DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                embedding);
    }

    /** At least 90% of every song's 5 nearest songs belong to its planted genre. */
    private static void assertNearestSongsShareTheirGenre(SongModelView model, SyntheticPlaylists synthetic) {
        int same = 0;
        int total = 0;
        for (Song song : synthetic.songs()) {
            for (SongModelView.Neighbor n : model.similar(song.getId(), 5).orElseThrow()) {
                total++;
                if (SyntheticPlaylists.genreOf(n.songId()).equals(SyntheticPlaylists.genreOf(song.getId()))) {
                    same++;
                }
            }
        }
        assertTrue(same >= 0.9 * total, "nearest songs share the planted genre: " + same + "/" + total);
    }

    private static PlaylistEvent event(String playlist, List<String> songs, boolean complete) {
        return PlaylistEvent.newBuilder().setPlaylistId(playlist).setSongIds(songs).setTimestampMs(1L)
                .setPlaylistComplete(complete).build();
    }

    @Test
    void plantedGenresAreRecoveredAndRecommendationsCarryTitles() {
        SyntheticPlaylists synthetic = new SyntheticPlaylists(4, 30, 3);
        try (Run run = start(Map.of(StreamvecConfig.SONG2VEC_ALPHA, 0.025, StreamvecConfig.RECOMMEND_DEDUP_MS, 0L))) {
            synthetic.songs().forEach(song -> run.songs().pipeInput(song.getId(), song));
            for (int p = 0; p < 1500; p++) {
                run.playlists().pipeInput("p" + p, event("p" + p, synthetic.next(10, 30), true));
            }
            assertEquals(1500, run.model().events());
            int blocks = (run.model().model().vocab.size() + SongModelStore.BLOCK - 1) / SongModelStore.BLOCK;
            assertEquals(blocks + 1, run.model().durableEntries(),
                    "every block of changed rows, and the meta entry, reach the durable store at commit");

            assertNearestSongsShareTheirGenre(run.model(), synthetic);

            List<TestRecord<String, SongRecommendations>> out = run.out().readRecordsToList();
            assertTrue(out.size() >= 2 * 1500 - 10, "similar songs and a continuation per event: " + out.size());
            SongRecommendations last = out.get(out.size() - 1).value();
            assertEquals(RecommendationKind.PLAYLIST_CONTINUATION, last.getKind());
            assertEquals("p1499", last.getPlaylistId());
            assertEquals(10, last.getRecommendations().size());
            assertNotNull(last.getRecommendations().get(0).getTitle(), "titles joined from the songs topic");
            assertEquals(1500L, last.getModelUpdates());
            assertTrue(run.dlq().isEmpty());
        }
    }

    @Test
    void parallelTrainingLearnsTheGenresAndCommitsEveryEvent() {
        SyntheticPlaylists synthetic = new SyntheticPlaylists(4, 30, 3);
        try (Run run = start(Map.of(StreamvecConfig.SONG2VEC_ALPHA, 0.025, StreamvecConfig.SONG2VEC_THREADS, 2,
                StreamvecConfig.RECOMMEND_ENABLED, false))) {
            for (int p = 0; p < 1500; p++) {
                List<String> songs = synthetic.next(10, 30);
                // half the playlists arrive in two events, so contexts go back and forth between store and trainers
                int cut = p % 2 == 0 ? songs.size() : songs.size() / 2;
                run.playlists().pipeInput("p" + p, event("p" + p, songs.subList(0, cut), cut == songs.size()));
                if (cut < songs.size()) {
                    run.playlists().pipeInput("p" + p, event("p" + p, songs.subList(cut, songs.size()), true));
                }
            }
            assertEquals(2250, run.model().events(), "every event is trained by the time its offset commits");
            run.model().refreshIndex(System.currentTimeMillis(), 0);
            assertNearestSongsShareTheirGenre(run.model(), synthetic);
            int blocks = (run.model().model().vocab.size() + SongModelStore.BLOCK - 1) / SongModelStore.BLOCK;
            assertEquals(blocks + 1, run.model().durableEntries());
            byte[] context = ((org.apache.kafka.streams.state.KeyValueStore<String, byte[]>) (Object) run.driver()
                    .getKeyValueStore(SongStores.PLAYLISTS)).get("p1");
            assertTrue(PlaylistContext.fromBytes(context).keptPosition() >= 10, "trained contexts are written back");
        }
    }

    @Test
    void songsArrivingOneAtATimeTrainTheSameModelAsWholePlaylists() {
        SyntheticPlaylists synthetic = new SyntheticPlaylists(3, 20, 11);
        List<List<String>> playlists = new ArrayList<>();
        for (int p = 0; p < 200; p++) {
            playlists.add(synthetic.next(3, 25));
        }
        Map<String, float[]> whole = new HashMap<>();
        Map<String, float[]> oneByOne = new HashMap<>();
        for (String mode : List.of("cbow", "skipgram")) {
            Map<String, Object> config = Map.of(StreamvecConfig.SONG2VEC_MODE, mode,
                    StreamvecConfig.RECOMMEND_ENABLED, false);
            try (Run run = start(config)) {
                for (int p = 0; p < playlists.size(); p++) {
                    run.playlists().pipeInput("p" + p, event("p" + p, playlists.get(p), true));
                }
                run.model().forEachVector(whole::put);
            }
            try (Run run = start(config)) {
                for (int p = 0; p < playlists.size(); p++) {
                    List<String> songs = playlists.get(p);
                    for (int i = 0; i < songs.size(); i++) {
                        run.playlists().pipeInput("p" + p, event("p" + p, List.of(songs.get(i)), i == songs.size() - 1));
                    }
                }
                run.model().forEachVector(oneByOne::put);
            }
            assertEquals(whole.keySet(), oneByOne.keySet());
            for (String song : whole.keySet()) {
                assertArrayEquals(whole.get(song), oneByOne.get(song), mode + ": vector of " + song);
            }
            whole.clear();
            oneByOne.clear();
        }
    }

    @Test
    void invalidPlaylistEventsAreDeadLetteredAndTrainingContinues() {
        try (Run run = start(Map.of())) {
            run.playlists().pipeInput("empty", event("empty", List.of(), false));
            run.playlists().pipeInput("space", event("space", List.of("a b"), false));
            run.playlists().pipeInput("control", event("control", List.of("a\u0007"), false));
            run.playlists().pipeInput("blank-id", event(" ", List.of("a"), false));
            List<String> huge = new ArrayList<>();
            for (int i = 0; i < 10_001; i++) {
                huge.add("s" + i);
            }
            run.playlists().pipeInput("huge", event("huge", huge, false));
            run.playlists().pipeInput("null", (PlaylistEvent) null);
            run.playlists().pipeInput("other-key", event("good", List.of("x"), false));
            run.playlists().pipeInput("bad\u0001id", event("bad\u0001id", List.of("x"), false));
            run.playlists().pipeInput("good", event("good", List.of("x", "y", "z"), true));

            assertEquals(1, run.model().events(), "only the good event trained");
            List<TestRecord<byte[], byte[]>> dead = run.dlq().readRecordsToList();
            assertEquals(List.of("empty", "space", "control", "blank-id", "huge", "null", "other-key", "bad\u0001id"),
                    dead.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList());
            String reason = new String(dead.get(4).headers().lastHeader("__streams.errors.message").value(),
                    StandardCharsets.UTF_8);
            assertTrue(reason.contains("10001 songs"), reason);
            assertFalse(run.model().similar("x", 2).isEmpty());
        }
    }
}
