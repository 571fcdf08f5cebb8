package io.streamvec.song2vec.stream;

import io.streamvec.song2vec.model.SgnsConfig;

/** The song path's settings beyond the trainer's own ({@link SgnsConfig}). */
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
        long syncMs) {

    public static Song2vecSettings defaults() {
        return new Song2vecSettings(SgnsConfig.builder().build(), true, 10, 1, 60_000L, 1_000L, 60_000L, 10_000, 256, 1,
                1_000L);
    }
}
