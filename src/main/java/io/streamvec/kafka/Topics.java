package io.streamvec.kafka;

/** The names of streamvec's topics; their settings live in the catalog {@code topology/topics.yaml}. */
public final class Topics {

    public static final String TEXT_EVENTS = "text-events";
    public static final String TEXT_TOKENS = "text-tokens";
    public static final String TEXT_EMBEDDINGS = "text-embeddings";
    /** Only with {@code embedding.token.vectors.enabled=true}. */
    public static final String TEXT_TOKEN_EMBEDDINGS = "text-token-embeddings";
    /** Only with {@code text.neighbors.enabled=true}. */
    public static final String TEXT_NEIGHBORS = "text-neighbors";
    public static final String PLAYLIST_EVENTS = "playlist-events";
    public static final String SONGS = "songs";
    public static final String SONG_RECOMMENDATIONS = "song-recommendations";
    public static final String MODEL_DELTAS = "song2vec-model-deltas";
    public static final String DLQ = "streamvec-dlq";

    private Topics() {}
}
