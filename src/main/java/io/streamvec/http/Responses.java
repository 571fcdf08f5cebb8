package io.streamvec.http;

import java.util.List;

/** The JSON bodies the endpoints answer with (serialized by Jackson; unknown title or artist is null). */
public final class Responses {

    private Responses() {}

    /** One recommended song: its id, cosine similarity, and metadata when the songs topic has it. */
    public record Recommendation(String songId, float score, String title, String artist) {}

    /** {@code GET /songs/{id}/similar}. */
    public record SimilarSongs(String songId, int k, List<Recommendation> recommendations) {}

    /** {@code GET /playlists/{id}/next}: the playlist's retained songs (oldest first) and what should follow. */
    public record PlaylistNext(String playlistId, int k, List<String> recentSongs,
                               List<Recommendation> recommendations) {}

    /**
     * {@code GET /songs/{id}/vector}: the song's input vector ({@code dim} floats, as trained: not normalised),
     * how often the model has seen the song, and the playlist events the model had trained when the query
     * snapshot was taken.
     */
    public record SongVector(String songId, int dim, long count, long modelUpdates, float[] vector) {}

    /** Every error: a message for people, never a stack trace. */
    public record ErrorBody(String error) {}
}
