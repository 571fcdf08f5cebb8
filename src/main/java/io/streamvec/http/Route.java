package io.streamvec.http;

import java.util.List;

/**
 * A parsed, validated request: what is asked ({@link Kind}), about which id (null when none), for how many songs
 * ({@code k}, or the search's limit; 0 when none are listed), the songs of a list query ({@code songs}: the
 * positives of {@link Kind#MOST_SIMILAR}, the list of {@link Kind#SONGS_NEXT}), the negatives, and the search
 * text ({@code query}, null unless {@link Kind#SONG_SEARCH} or {@link Kind#TEXT_SEARCH}), and for text searches
 * the time bound ({@code sinceMs}, {@link Long#MIN_VALUE} for none) and, in a part another instance asked for, the
 * query vector and the id to leave out (else null).
 */
public record Route(Kind kind, String id, int k, List<String> songs, List<String> negative, String query,
                    long sinceMs, float[] vector, String excludeId) {

    public Route {
        songs = List.copyOf(songs);
        negative = List.copyOf(negative);
    }

    /** A song route (no time bound, no vector). */
    public Route(Kind kind, String id, int k, List<String> songs, List<String> negative, String query) {
        this(kind, id, k, songs, negative, query, Long.MIN_VALUE, null, null);
    }

    /** A route about one song or playlist. */
    public Route(Kind kind, String id, int k) {
        this(kind, id, k, List.of(), List.of(), null);
    }

    public enum Kind {
        /** {@code GET /songs/{id}/similar?k=}: the songs most similar to a song. */
        SIMILAR_SONGS,
        /** {@code GET /playlists/{id}/next?k=}: the songs that best continue a playlist. */
        PLAYLIST_NEXT,
        /** {@code GET /songs/{id}/vector}: a song's vector and count (no k). */
        SONG_VECTOR,
        /** {@code GET /songs/similar?positive=&negative=&k=}: gensim's most_similar. */
        MOST_SIMILAR,
        /** {@code GET /songs/next?songs=&k=}: the songs that best continue a list of songs. */
        SONGS_NEXT,
        /** {@code GET /songs?query=&limit=}: songs by words of their title or artist, most trained first. */
        SONG_SEARCH,
        /** {@code GET /songs/top?k=}: the most trained songs. */
        TOP_SONGS,
        /**
         * {@code GET /texts/search?q=&k=&since=}: the texts most similar to {@code query}; as a part another instance
         * asked for, {@code vector=} (and {@code exclude=}) instead of {@code q}.
         */
        TEXT_SEARCH,
        /** {@code GET /texts/{id}/similar?k=}: the texts most similar to a stored text. */
        SIMILAR_TEXTS,
        /** {@code POST /embed}: a JSON body {@code {"texts": [...]}}, embedded with the model. */
        EMBED,
        /** {@code GET /songs/map?limit=&clusters=}: the most trained songs placed in 2-D (k: limit; id: clusters). */
        SONG_MAP,
        /** {@code GET /stats}: the explorer's live figures. */
        STATS,
        /** {@code GET /texts/recent?k=}: the newest indexed texts. */
        RECENT_TEXTS
    }
}
