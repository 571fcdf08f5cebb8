package io.streamvec.song2vec.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamvec.avro.RecommendationKind;
import io.streamvec.avro.Song;
import io.streamvec.avro.SongRecommendations;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import io.streamvec.song2vec.data.SyntheticPlaylists;
import io.streamvec.song2vec.model.PlaylistContext;
import io.streamvec.song2vec.model.SgnsConfig;
import io.streamvec.song2vec.model.SgnsTrainer;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Similar songs and playlist continuations from a trained model store, with Kafka's MockProcessorContext. */
class RecommendationEmitterTest {

    private final SyntheticPlaylists synthetic = new SyntheticPlaylists(3, 20, 4);
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private MockProcessorContext<String, SpecificRecord> context;
    private SongModelStore model;
    private RecommendationEmitter emitter;

    @BeforeEach
    void init() {
        context = new MockProcessorContext<>();
        SgnsConfig config = SgnsConfig.builder().capacity(1000).alpha(0.025f).build();
        model = new SongModelStore(SongStores.MODEL, Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(SongStores.MODEL), Serdes.Integer(), Serdes.ByteArray())
                .withLoggingDisabled().withCachingDisabled().build(), config);
        model.init(context.getStateStoreContext(), model);
        SgnsTrainer trainer = new SgnsTrainer(model.model(), 1);
        model.attach(trainer);
        for (int p = 0; p < 600; p++) {
            PlaylistContext ctx = trainer.newContext(p);
            trainer.trainIds(ctx, synthetic.next(10, 20));
            trainer.flush(ctx);
            model.eventTrained();
        }
        TimestampedKeyValueStore<String, Song> metadata = Stores.timestampedKeyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(SongStores.SONG_METADATA), Serdes.String(),
                        new AvroSerde<>(Song.class, EmbeddedSchemaRegistry.bundled()))
                .withLoggingDisabled().withCachingDisabled().build();
        metadata.init(context.getStateStoreContext(), metadata);
        context.addStateStore(metadata);
        // titles for every song but one, to show that a song without metadata is still recommended
        synthetic.songs().stream().filter(s -> !s.getId().equals(SyntheticPlaylists.songId(0, 0)))
                .forEach(s -> metadata.put(s.getId(), ValueAndTimestamp.make(s, 0L)));

        Song2vecSettings defaults = Song2vecSettings.defaults();
        Song2vecSettings settings = new Song2vecSettings(defaults.trainer(), true, 5, 1, 60_000L, 1_000L, 60_000L,
                10_000, 256, 1, 1_000L);
        emitter = new RecommendationEmitter(settings, metrics);
        emitter.init(context, model);
    }

    private List<SongRecommendations> emitted() {
        List<CapturedForward<? extends String, ? extends SpecificRecord>> out = context.forwarded();
        for (CapturedForward<? extends String, ? extends SpecificRecord> f : out) {
            assertEquals(Song2vecProcessor.RECOMMENDATIONS_CHILD, f.childName().orElseThrow());
            assertEquals(42L, f.record().timestamp(), "the event's timestamp");
            SongRecommendations value = (SongRecommendations) f.record().value();
            assertEquals(value.getKind() == RecommendationKind.SIMILAR_SONGS ? value.getSongId() : value.getPlaylistId(),
                    f.record().key());
        }
        List<SongRecommendations> values = out.stream().map(f -> (SongRecommendations) f.record().value()).toList();
        context.resetForwards();
        return values;
    }

    @Test
    void similarSongsOfTheNewestSongThenAContinuation() {
        String a = SyntheticPlaylists.songId(1, 1);
        String b = SyntheticPlaylists.songId(1, 2);
        emitter.emit("p1", List.of(a, b), List.of(a, b), 42L);
        List<SongRecommendations> out = emitted();
        assertEquals(2, out.size());
        SongRecommendations similar = out.get(0);
        assertEquals(RecommendationKind.SIMILAR_SONGS, similar.getKind());
        assertEquals(b, similar.getSongId(), "the newest song of the event");
        assertNull(similar.getPlaylistId());
        assertEquals(5, similar.getRecommendations().size());
        assertEquals(600L, similar.getModelUpdates());
        long sameGenre = similar.getRecommendations().stream()
                .filter(r -> SyntheticPlaylists.genreOf(r.getSongId()).equals(SyntheticPlaylists.genreOf(b))).count();
        assertTrue(sameGenre >= 4, "similar songs share the genre: " + similar.getRecommendations());
        similar.getRecommendations().forEach(r -> assertTrue(r.getTitle().contains("Tune #"), "title joined"));

        SongRecommendations next = out.get(1);
        assertEquals(RecommendationKind.PLAYLIST_CONTINUATION, next.getKind());
        assertEquals("p1", next.getPlaylistId());
        assertNull(next.getSongId());
        assertEquals(5, next.getRecommendations().size());
        assertEquals(2.0, metrics.get("streamvec.records.out").tag("topic", "song-recommendations").counter().count());
    }

    @Test
    void aSongRecentlyRecommendedIsSkippedForTheNextNewest() {
        String a = SyntheticPlaylists.songId(2, 1);
        String b = SyntheticPlaylists.songId(2, 2);
        emitter.emit("p1", List.of(a, b), List.of(), 42L);
        assertEquals(List.of(b), emitted().stream().map(SongRecommendations::getSongId).toList(),
                "no continuation without recent songs");
        emitter.emit("p2", List.of(a, b), List.of(), 42L);
        assertEquals(List.of(a), emitted().stream().map(SongRecommendations::getSongId).toList());
        emitter.emit("p3", List.of(a, b), List.of(), 42L);
        assertTrue(emitted().isEmpty(), "both recommended within song2vec.recommend.dedup.ms");
    }

    @Test
    void unknownSongsAreSkippedAndSongsWithoutMetadataHaveNoTitle() {
        String untitled = SyntheticPlaylists.songId(0, 0);
        emitter.emit("p1", List.of(untitled, "never-seen"), List.of(), 42L);
        List<SongRecommendations> out = emitted();
        assertEquals(List.of(untitled), out.stream().map(SongRecommendations::getSongId).toList());
        int untitledSeen = 0;
        for (int song = 1; song < 20; song++) {
            emitter.emit("p" + song, List.of(SyntheticPlaylists.songId(0, song)), List.of(), 42L);
            for (var r : emitted().get(0).getRecommendations()) {
                if (r.getSongId().equals(untitled)) {
                    untitledSeen++;
                    assertNull(r.getTitle());
                    assertNull(r.getArtist());
                } else {
                    assertTrue(r.getTitle() != null && r.getArtist() != null);
                }
            }
        }
        assertTrue(untitledSeen > 0, "the song without metadata is among its genre's neighbours");
    }
}
