package io.streamvec.song2vec.stream;

import io.streamvec.song2vec.model.NeighborIndex;
import io.streamvec.song2vec.model.SgnsConfig;

/**
 * The song path's settings beyond the trainer's own ({@link SgnsConfig}). The {@code DEFAULT_*} constants here
 * and in {@link SgnsConfig} are the one source of the song path's defaults: the {@code song2vec.*} keys of the
 * configuration and {@link #defaults()} both read them. {@code initVectors}: the word2vec file a new model
 * starts from ({@code song2vec.init.vectors}), or null. {@code queryBatch}: at most this many concurrent
 * nearest-neighbour queries scanned together ({@code song2vec.query.batch.max}).
 */
public record Song2vecSettings(
        SgnsConfig trainer,
        boolean recommendationsEnabled,
        int recommendK,
        int recommendSongsPerEvent,
        long recommendDedupMs,
        long indexRefreshMs,
        long playlistIdleMs,
        int maxSongsPerEvent,
        int maxSongIdLength,
        int threads,
        long syncMs,
        InitialVectors initVectors,
        int queryBatch) {

    public static final boolean DEFAULT_RECOMMENDATIONS_ENABLED = true;
    public static final int DEFAULT_RECOMMEND_K = 10;
    public static final int DEFAULT_RECOMMEND_SONGS_PER_EVENT = 1;
    public static final long DEFAULT_RECOMMEND_DEDUP_MS = 60_000L;
    public static final long DEFAULT_INDEX_REFRESH_MS = 1_000L;
    public static final long DEFAULT_PLAYLIST_IDLE_MS = 60_000L;
    public static final int DEFAULT_MAX_SONGS_PER_EVENT = 10_000;
    /** Not a configuration key: events with a longer song or playlist id are dead-lettered. */
    public static final int MAX_SONG_ID_LENGTH = 256;
    public static final int DEFAULT_THREADS = 1;
    public static final long DEFAULT_SYNC_MS = 1_000L;
    public static final int DEFAULT_QUERY_BATCH = NeighborIndex.DEFAULT_QUERY_BATCH;

    /** With the default query batch. */
    public Song2vecSettings(SgnsConfig trainer, boolean recommendationsEnabled, int recommendK,
                            int recommendSongsPerEvent, long recommendDedupMs, long indexRefreshMs, long playlistIdleMs,
                            int maxSongsPerEvent, int maxSongIdLength, int threads, long syncMs,
                            InitialVectors initVectors) {
        this(trainer, recommendationsEnabled, recommendK, recommendSongsPerEvent, recommendDedupMs, indexRefreshMs,
                playlistIdleMs, maxSongsPerEvent, maxSongIdLength, threads, syncMs, initVectors, DEFAULT_QUERY_BATCH);
    }

    /** Without warm start ({@code initVectors} null). */
    public Song2vecSettings(SgnsConfig trainer, boolean recommendationsEnabled, int recommendK,
                            int recommendSongsPerEvent, long recommendDedupMs, long indexRefreshMs, long playlistIdleMs,
                            int maxSongsPerEvent, int maxSongIdLength, int threads, long syncMs) {
        this(trainer, recommendationsEnabled, recommendK, recommendSongsPerEvent, recommendDedupMs, indexRefreshMs,
                playlistIdleMs, maxSongsPerEvent, maxSongIdLength, threads, syncMs, null, DEFAULT_QUERY_BATCH);
    }

    /** The settings of an empty configuration. */
    public static Song2vecSettings defaults() {
        return new Song2vecSettings(SgnsConfig.builder().build(), DEFAULT_RECOMMENDATIONS_ENABLED, DEFAULT_RECOMMEND_K,
                DEFAULT_RECOMMEND_SONGS_PER_EVENT, DEFAULT_RECOMMEND_DEDUP_MS, DEFAULT_INDEX_REFRESH_MS,
                DEFAULT_PLAYLIST_IDLE_MS, DEFAULT_MAX_SONGS_PER_EVENT, MAX_SONG_ID_LENGTH, DEFAULT_THREADS,
                DEFAULT_SYNC_MS);
    }
}
