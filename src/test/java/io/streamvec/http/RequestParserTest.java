package io.streamvec.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.StreamvecConfig;
import io.streamvec.song2vec.stream.PreparePlaylistProcessor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestParserTest {

    private static int status(String method, String path, String query) {
        return assertThrows(HttpError.class, () -> RequestParser.parse(method, path, query)).status();
    }

    @Test
    void similarSongsWithDefaultAndExplicitK() {
        assertEquals(new Route(Route.Kind.SIMILAR_SONGS, "song-1", 10), RequestParser.parse("GET", "/songs/song-1/similar", null));
        assertEquals(new Route(Route.Kind.SIMILAR_SONGS, "song-1", 25),
                RequestParser.parse("GET", "/songs/song-1/similar", "k=25"));
        assertEquals(new Route(Route.Kind.SIMILAR_SONGS, "song-1", 1000),
                RequestParser.parse("GET", "/songs/song-1/similar", "k=1000"));
        assertEquals(new Route(Route.Kind.SIMILAR_SONGS, "song-1", 7), RequestParser.parse("GET", "/songs/song-1/similar", "%6B=7"),
                "a percent-encoded name is decoded");
        assertEquals(10, RequestParser.parse("GET", "/songs/song-1/similar", "").k(), "an empty query is no query");
    }

    @Test
    void playlistNext() {
        assertEquals(new Route(Route.Kind.PLAYLIST_NEXT, "p:1", 3), RequestParser.parse("GET", "/playlists/p%3A1/next", "k=3"));
    }

    @Test
    void headIsAnsweredLikeGet() {
        assertEquals(RequestParser.parse("GET", "/songs/s1/similar", "k=4"), RequestParser.parse("HEAD", "/songs/s1/similar", "k=4"));
        assertEquals(400, status("HEAD", "/songs/s1/similar", "k=0"), "HEAD validates like GET");
    }

    @Test
    void songVectorTakesNoK() {
        assertEquals(new Route(Route.Kind.SONG_VECTOR, "song:1", 0), RequestParser.parse("GET", "/songs/song%3A1/vector", null));
        assertEquals(new Route(Route.Kind.SONG_VECTOR, "s", 0), RequestParser.parse("HEAD", "/songs/s/vector", ""));
        assertEquals(400, status("GET", "/songs/s/vector", "k=3"));
        assertEquals(400, status("GET", "/songs/song%201/vector", null));
        assertEquals(400, status("GET", "/songs/a%00b/vector", null));
        assertEquals(405, status("POST", "/songs/s/vector", null));
    }

    @Test
    void pathSegmentsArePercentDecodedAsUtf8AndPlusStaysPlus() {
        assertEquals("a/b+cé", RequestParser.parse("GET", "/songs/a%2Fb+c%C3%A9/similar", null).id());
        assertEquals(400, status("GET", "/songs/%C3/similar", null), "invalid UTF-8");
        assertEquals(400, status("GET", "/songs/%zz/similar", null), "malformed escape");
        assertEquals(400, status("GET", "/songs/abc%2/similar", null), "truncated escape");
    }

    @ParameterizedTest
    @ValueSource(strings = {"k=0", "k=abc", "k=100000", "k=1001", "k=-1", "k=", "k", "k=+5", "k=1.5",
            "k=99999999999999999999", "k=%D9%A3", "k=1&k=2", "k=5&k=5", "k=5&k", "k=5&k="})
    void badKIs400(String query) {
        HttpError e = assertThrows(HttpError.class, () -> RequestParser.parse("GET", "/songs/x/similar", query));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("k"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"other=x&k=10", "k=10&other=x", "K=10", "k =10", "limit=5", "k=5&", "&k=5", "&", "=5",
            "k%3D5", "callback=alert(1)", "%zz=1"})
    void unknownOrMalformedQueryParametersAre400(String query) {
        assertEquals(400, status("GET", "/songs/x/similar", query));
        assertEquals(400, status("GET", "/playlists/x/next", query));
    }

    @Test
    void anUnknownParameterIsNotEchoed() {
        HttpError e = assertThrows(HttpError.class,
                () -> RequestParser.parse("GET", "/songs/x/similar", "%3Cscript%3E=1"));
        assertFalse(e.getMessage().contains("script"), e.getMessage());
    }

    @Test
    void idsAreAtMost256CharactersWithoutControlCharacters() {
        String longest = "s".repeat(256);
        assertEquals(longest, RequestParser.parse("GET", "/songs/" + longest + "/similar", null).id());
        assertEquals(400, status("GET", "/songs/" + longest + "s/similar", null));
        assertEquals(400, status("GET", "/songs/a%0Ab/similar", null), "newline");
        assertEquals(400, status("GET", "/playlists/a%00b/next", null), "NUL");
        assertEquals(400, status("GET", "/playlists/a%C2%85b/next", null), "C1 control (NEL)");
        assertEquals(400, status("GET", "/playlists/a%7Fb/next", null), "DEL");
        assertEquals(400, status("GET", "/songs//similar", null), "empty id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a%20b", "a%09b", "%20", "a%C2%A0b", "a%E2%80%83b", "a%E3%80%80b", "a%E2%80%A8b", "trailing%20"})
    void idsWithWhitespaceAre400(String rawId) {
        assertEquals(400, status("GET", "/songs/" + rawId + "/similar", null));
        assertEquals(400, status("GET", "/playlists/" + rawId + "/next", null));
    }

    @Test
    void idsFollowTheSongPathsRuleForEveryCharacter() {
        // An id the song path would store is queryable, and one it would reject is a 400: same rule, same bound.
        assertEquals(new StreamvecConfig(Map.of()).song2vec().maxSongIdLength(), RequestParser.MAX_ID_LENGTH);
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            if (Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
                continue; // not a character on its own (the decoder rejects lone surrogates as invalid UTF-8)
            }
            String id = "a" + new String(Character.toChars(cp)) + "b";
            boolean stored = PreparePlaylistProcessor.validSongId(id, RequestParser.MAX_ID_LENGTH);
            boolean queryable;
            try {
                queryable = RequestParser.validId(id, "song id").equals(id);
            } catch (HttpError e) {
                assertEquals(400, e.status());
                queryable = false;
            }
            assertEquals(stored, queryable, "U+" + Integer.toHexString(cp));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "get", "BREW"})
    void onlyGetAndHeadOnKnownPaths(String method) {
        for (String path : new String[] {"/songs/x/similar", "/playlists/x/next"}) {
            HttpError e = assertThrows(HttpError.class, () -> RequestParser.parse(method, path, null));
            assertEquals(405, e.status());
            assertEquals("GET, HEAD", e.allow());
        }
    }

    @Test
    void listQueries() {
        assertEquals(new Route(Route.Kind.MOST_SIMILAR, null, 10, List.of("a", "b"), List.of("c"), null),
                RequestParser.parse("GET", "/songs/similar", "positive=a,b&negative=c"));
        assertEquals(new Route(Route.Kind.MOST_SIMILAR, null, 3, List.of("a,b", "é"), List.of(), null),
                RequestParser.parse("HEAD", "/songs/similar", "k=3&positive=a%2Cb,%C3%A9"));
        assertEquals(new Route(Route.Kind.SONGS_NEXT, null, 5, List.of("x", "y", "x"), List.of(), null),
                RequestParser.parse("GET", "/songs/next", "songs=x,y,x&k=5"), "a list keeps its order and repeats");
        assertEquals(new Route(Route.Kind.SONG_SEARCH, null, 20, List.of(), List.of(), "Beyoncé Halo"),
                RequestParser.parse("GET", "/songs", "query=Beyonc%C3%A9+Halo"));
        assertEquals("a+b", RequestParser.parse("GET", "/songs", "query=a%2Bb&limit=3").query(), "%2B is a plus");
        assertEquals(3, RequestParser.parse("GET", "/songs", "query=a%2Bb&limit=3").k());
        assertEquals(new Route(Route.Kind.TOP_SONGS, null, 50), RequestParser.parse("GET", "/songs/top", null));
        assertEquals(1000, RequestParser.parse("GET", "/songs/top", "k=1000").k());
        assertEquals("similar", RequestParser.parse("GET", "/songs/similar/similar", null).id(), "a song named similar");
    }

    @Test
    void explorerRoutes() {
        assertEquals(new Route(Route.Kind.SONG_MAP, null, RequestParser.DEFAULT_MAP_LIMIT),
                RequestParser.parse("GET", "/songs/map", null));
        assertEquals(20000, RequestParser.parse("HEAD", "/songs/map", "limit=20000").k());
        assertEquals(400, status("GET", "/songs/map", "limit=20001"));
        assertEquals(400, status("GET", "/songs/map", "limit=-1"));
        assertEquals(400, status("GET", "/songs/map", "clusters=3"));
        assertEquals("map", RequestParser.parse("GET", "/songs/map/similar", null).id(), "a song named map");
        assertEquals(new Route(Route.Kind.STATS, null, 0), RequestParser.parse("GET", "/stats", null));
        assertEquals(400, status("GET", "/stats", "k=1"));
        assertEquals(404, status("GET", "/stats/x", null));
        assertEquals(new Route(Route.Kind.RECENT_TEXTS, null, 10), RequestParser.parse("GET", "/texts/recent", null));
        assertEquals(7, RequestParser.parse("GET", "/texts/recent", "k=7").k());
        assertEquals(400, status("GET", "/texts/recent", "k=1001"));
        assertEquals(405, status("POST", "/stats", null));
        assertEquals(405, status("DELETE", "/texts/recent", null));
    }

    @Test
    void listQueryErrors() {
        String hundred = String.join(",", java.util.Collections.nCopies(100, "s"));
        assertEquals(100, RequestParser.parse("GET", "/songs/next", "songs=" + hundred).songs().size());
        assertEquals(400, status("GET", "/songs/next", "songs=" + hundred + ",s"));
        assertEquals(400, status("GET", "/songs/similar", "positive=" + hundred + "&negative=t"));
        assertTrue(message("/songs/similar", "negative=a").contains("negative needs positive"));
        assertTrue(message("/songs/similar", null).contains("positive is required"));
        assertTrue(message("/songs/similar", "positive=a,,b").contains("a song id of positive is empty"));
        assertTrue(message("/songs/similar", "positive=a&negative=b%20c").contains("a song id of negative contains whitespace"));
        assertTrue(message("/songs/similar", "positive=a&nope=1").contains("positive, negative and k"));
        assertTrue(message("/songs/next", "songs=a&songs=b").contains("songs is given more than once"));
        assertTrue(message("/songs", "query=%20%2C").contains("query has no words"));
        assertTrue(message("/songs", "query=x&limit=abc").contains("limit must be an integer from 1 to 1000"));
        assertTrue(message("/songs/top", "k=0").contains("k must be"));
        assertEquals(400, status("GET", "/songs", "query=%zz"));
        assertEquals(405, status("DELETE", "/songs", "query=x"));
        assertEquals(405, status("POST", "/songs/top", null));
    }

    private static String message(String path, String query) {
        HttpError e = assertThrows(HttpError.class, () -> RequestParser.parse("GET", path, query));
        assertEquals(400, e.status(), e.getMessage());
        return e.getMessage();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "", "/songs/", "/songs/x", "/songs/similar/", "/songs/top/x", "/songs/next/x/y", "/songs/x/similar/", "/songs/x/next", "/playlists/x/similar",
            "/songs/x/y/similar", "/SONGS/x/similar", "/metrics"})
    void unknownPathsAre404WhateverTheMethod(String path) {
        assertEquals(404, status("GET", path, null));
        assertEquals(404, status("POST", path, null));
    }
}
