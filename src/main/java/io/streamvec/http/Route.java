package io.streamvec.http;

/** A parsed, validated request: what is asked ({@link Kind}), about which id, for how many songs (0 when none are listed). */
public record Route(Kind kind, String id, int k) {

    public enum Kind {
        /** {@code GET /songs/{id}/similar?k=}: the songs most similar to a song. */
        SIMILAR_SONGS,
        /** {@code GET /playlists/{id}/next?k=}: the songs that best continue a playlist. */
        PLAYLIST_NEXT,
        /** {@code GET /songs/{id}/vector}: a song's vector and count (no k). */
        SONG_VECTOR
    }
}
