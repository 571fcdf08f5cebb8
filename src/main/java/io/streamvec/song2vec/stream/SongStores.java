package io.streamvec.song2vec.stream;

/**
 * The names of the song path's state stores, beside the topics they live in. The names are part of a
 * deployment's state: Kafka Streams names a store's changelog topic {@code <application.id>-<store>-changelog}
 * and its local directory after it, so renaming a store loses what it holds.
 */
public final class SongStores {

    /**
     * The song model ({@link SongModelStore}), written by {@code song2vec}; changelog topic
     * {@code <application.id>-song2vec-model-changelog}.
     */
    public static final String MODEL = "song2vec-model";

    /**
     * Each playlist's retained context, keyed by playlist id, written by {@code song2vec}; changelog topic
     * {@code <application.id>-song2vec-playlists-changelog}.
     */
    public static final String PLAYLISTS = "song2vec-playlists";

    /**
     * Titles and artists by song id: a global store of the compacted {@code songs} topic, which is its
     * changelog (restored from it, no topic of its own).
     */
    public static final String SONG_METADATA = "song-metadata";

    private SongStores() {}
}
