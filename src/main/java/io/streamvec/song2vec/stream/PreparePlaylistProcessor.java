package io.streamvec.song2vec.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamvec.EventChecks;
import io.streamvec.InvalidEventException;
import io.streamvec.avro.PlaylistEvent;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Validates a playlist event and forwards it unchanged. Invalid events (null value; a playlist or song id
 * that is empty, longer than {@code maxSongIdLength} or with whitespace or control characters; a negative or
 * far-future timestamp; no songs, or more than {@code song2vec.max.songs.per.event}; a record key other than
 * the playlist id) throw {@link InvalidEventException}, which dead-letters them with the reason before they
 * reach training.
 */
public final class PreparePlaylistProcessor extends ContextualProcessor<String, PlaylistEvent, String, PlaylistEvent> {

    private final int maxSongsPerEvent;
    private final int maxSongIdLength;
    private final Counter received;

    public PreparePlaylistProcessor(Song2vecSettings settings, MeterRegistry metrics) {
        this.maxSongsPerEvent = settings.maxSongsPerEvent();
        this.maxSongIdLength = settings.maxSongIdLength();
        this.received = Counter.builder("streamvec.records.in").tag("path", "song")
                .description("Records read per path").register(metrics);
    }

    @Override
    public void process(Record<String, PlaylistEvent> record) {
        received.increment();
        PlaylistEvent event = record.value();
        if (event == null) {
            throw new InvalidEventException("null value: a playlist event needs songs");
        }
        if (!validSongId(event.getPlaylistId(), maxSongIdLength)) {
            throw new InvalidEventException("invalid playlist id (empty, longer than " + maxSongIdLength
                    + " characters, or with whitespace or control characters)");
        }
        EventChecks.checkTimestamp(event.getTimestampMs(), System.currentTimeMillis());
        int songs = event.getSongIds().size();
        if (songs == 0) {
            throw new InvalidEventException("playlist event without songs");
        }
        if (songs > maxSongsPerEvent) {
            throw new InvalidEventException("playlist event with " + songs + " songs; at most "
                    + maxSongsPerEvent + " per event (song2vec.max.songs.per.event)");
        }
        for (String songId : event.getSongIds()) {
            if (!validSongId(songId, maxSongIdLength)) {
                throw new InvalidEventException("invalid song id (empty, longer than " + maxSongIdLength
                        + " characters, or with whitespace or control characters)");
            }
        }
        if (!event.getPlaylistId().equals(record.key())) {
            throw new InvalidEventException((record.key() == null ? "null key" : "record key differs from the "
                    + "event's playlist id") + ": playlist events must be keyed by playlist id so that one task "
                    + "sees all of a playlist");
        }
        context().forward(record);
    }

    /**
     * Whether {@code id} can name a song or playlist ({@link EventChecks#validId}). The HTTP endpoints apply
     * the same rule to the ids they are asked for.
     */
    public static boolean validSongId(String id, int maxLength) {
        return EventChecks.validId(id, maxLength);
    }
}
