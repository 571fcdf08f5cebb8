package io.streamvec.song2vec.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamvec.InvalidEventException;
import io.streamvec.avro.PlaylistEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The validation step of the song path, with Kafka's MockProcessorContext. */
class PreparePlaylistProcessorTest {

    private static final long NOW = System.currentTimeMillis();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private MockProcessorContext<String, PlaylistEvent> context;
    private PreparePlaylistProcessor processor;

    @BeforeEach
    void init() {
        context = new MockProcessorContext<>();
        Song2vecSettings defaults = Song2vecSettings.defaults();
        Song2vecSettings settings = new Song2vecSettings(defaults.trainer(), true, 10, 1, 60_000L, 1_000L, 60_000L,
                5, 8, 1, 1_000L); // at most 5 songs per event, ids of at most 8 characters
        processor = new PreparePlaylistProcessor(settings, metrics);
        processor.init(context);
    }

    private static PlaylistEvent event(String playlist, List<String> songs, long timestamp) {
        return PlaylistEvent.newBuilder().setPlaylistId(playlist).setSongIds(songs).setTimestampMs(timestamp)
                .setPlaylistComplete(false).build();
    }

    /** The reason an invalid record is dead-lettered with. */
    private String rejected(String key, PlaylistEvent event) {
        context.resetForwards();
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> processor.process(new Record<>(key, event, 5L)));
        assertTrue(context.forwarded().isEmpty(), "nothing forwarded");
        return e.getMessage();
    }

    @Test
    void aValidEventIsForwardedUnchanged() {
        PlaylistEvent event = event("p1", List.of("a", "b", "c"), NOW);
        processor.process(new Record<>("p1", event, 5L));
        assertEquals(1, context.forwarded().size());
        Record<? extends String, ? extends PlaylistEvent> out = context.forwarded().get(0).record();
        assertEquals("p1", out.key());
        assertSame(event, out.value());
        assertEquals(5L, out.timestamp());
        assertFalse(context.forwarded().get(0).childName().isPresent(), "to every child");
    }

    @Test
    void invalidEventsAreRejectedWithTheirReason() {
        assertTrue(rejected("p", null).startsWith("null value"));
        assertTrue(rejected("", event("", List.of("a"), NOW)).startsWith("invalid playlist id"));
        assertTrue(rejected("p q", event("p q", List.of("a"), NOW)).startsWith("invalid playlist id"));
        assertTrue(rejected("p123456789", event("p123456789", List.of("a"), NOW)).contains("longer than 8"));
        assertTrue(rejected("p", event("p", List.of("a"), -1L)).contains("negative timestamp"));
        assertTrue(rejected("p", event("p", List.of("a"), NOW + 2 * 86_400_000L)).contains("in the future"));
        assertEquals("playlist event without songs", rejected("p", event("p", List.of(), NOW)));
        assertTrue(rejected("p", event("p", Collections.nCopies(6, "a"), NOW))
                .contains("6 songs; at most 5 per event (song2vec.max.songs.per.event)"));
        assertTrue(rejected("p", event("p", List.of("a", "b c"), NOW)).startsWith("invalid song id"));
        assertTrue(rejected("p", event("p", List.of("a\u0000"), NOW)).startsWith("invalid song id"));
        assertTrue(rejected("p", event("p", List.of("s123456789"), NOW)).startsWith("invalid song id"));
        assertTrue(rejected(null, event("p", List.of("a"), NOW)).startsWith("null key: playlist events must be "
                + "keyed by playlist id"));
        assertTrue(rejected("other", event("p", List.of("a"), NOW)).startsWith("record key differs from the "
                + "event's playlist id"));
    }

    @Test
    void theFirstBrokenRuleIsTheReason() {
        // an empty event with a bad key: the event's own faults come first, as before the split
        assertEquals("playlist event without songs", rejected("other", event("p", List.of(), NOW)));
        List<String> many = new ArrayList<>(Collections.nCopies(6, "a"));
        many.set(5, "bad id");
        assertTrue(rejected("p", event("p", many, NOW)).contains("6 songs"), "the count before the ids");
    }

    @Test
    void everyRecordIsCountedAsRead() {
        processor.process(new Record<>("p1", event("p1", List.of("a"), NOW), 5L));
        rejected("p", null);
        assertEquals(2.0, metrics.get("streamvec.records.in").tag("path", "song").counter().count());
    }

    @Test
    void songIdsFollowTheSharedIdRule() {
        assertTrue(PreparePlaylistProcessor.validSongId("song-1", 256));
        assertFalse(PreparePlaylistProcessor.validSongId("", 256));
        assertFalse(PreparePlaylistProcessor.validSongId("a\u00a0b", 256), "no-break space");
        assertFalse(PreparePlaylistProcessor.validSongId("abc", 2));
    }
}
