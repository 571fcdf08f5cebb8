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

    /**
     * {@code GET /songs/similar}: gensim's most_similar of the positive and negative songs; {@code unknown} lists the
     * songs of the query the model does not know (left out of the query).
     */
    public record MostSimilar(List<String> positive, List<String> negative, int k, List<String> unknown,
                              List<Recommendation> recommendations) {}

    /** {@code GET /songs/next}: what should follow a list of songs; {@code unknown} as for {@link MostSimilar}. */
    public record SongsNext(List<String> songs, int k, List<String> unknown, List<Recommendation> recommendations) {}

    /** A song, its metadata when the songs topic has it, and how often the model has seen it (0: never). */
    public record SongInfo(String songId, String title, String artist, long count) {}

    /** {@code GET /songs?query=}: the songs whose title or artist has the query's words, most trained first. */
    public record SongSearch(String query, int limit, List<SongInfo> songs) {}

    /** {@code GET /songs/top}: the most trained songs. */
    public record TopSongs(int k, List<SongInfo> songs) {}

    /** Every error: a message for people, never a stack trace. */
    public record ErrorBody(String error) {}
}
