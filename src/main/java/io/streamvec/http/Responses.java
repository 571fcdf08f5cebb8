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

    /** One text found: its source id, stored text (first 1,000 characters), cosine score and event time. */
    public record TextHit(String id, String text, float score, long timestampMs) {}

    /**
     * {@code GET /texts/search}: the k texts most similar to the query, best first, from every instance's text index;
     * {@code partial} when some text-events partitions did not answer, named in {@code missingPartitions}.
     */
    public record TextSearch(String query, int k, List<TextHit> results, boolean partial,
                             List<Integer> missingPartitions) {}

    /** {@code GET /texts/{id}/similar}: as {@link TextSearch}, from the stored text's vector, the text left out. */
    public record SimilarTexts(String id, int k, List<TextHit> results, boolean partial,
                               List<Integer> missingPartitions) {}

    /**
     * One instance's part of a text search (instance to instance): its hits, the text-events partitions it
     * answered for, and, for a similar query, the stored text's vector (base64 of little-endian float32; else null).
     */
    public record TextSearchPart(List<TextHit> results, List<Integer> partitions, String vector) {}

    /** {@code POST /embed}: the model, its dimension, and one vector per text, in order. */
    public record Embeddings(String model, int dim, float[][] vectors) {}

    /** One song on the explorer's map: its place, cluster (colour), metadata (null when unknown) and count. */
    public record MapPoint(String id, double x, double y, int cluster, String title, String artist, long count) {}

    /** {@code GET /songs/map}: the most trained songs placed in 2-D, and how many clusters colour them. */
    public record SongMap(int limit, int clusters, long modelUpdates, List<MapPoint> points) {}

    /** {@code GET /texts/recent}: the newest texts in this instance's text indexes, newest first (score 0). */
    public record RecentTexts(int k, List<TextHit> texts) {}

    /**
     * {@code GET /stats}: the live figures of this instance. Rates are per second over the last interval of at
     * least a second; {@code embeddingBatchMs} is the mean time of the embedding batches of that interval (null
     * when there were none); {@code lag} the largest consumer lag in records (null while unknown).
     */
    public record Stats(long timestampMs, double textEventsPerSecond, double songEventsPerSecond,
                        long textEvents, long songEvents, long vocabulary, long indexedTexts,
                        Double embeddingBatchMs, java.util.Map<String, Long> deadLetters, Double lag) {}

    /** Every error: a message for people, never a stack trace. */
    public record ErrorBody(String error) {}
}
