package io.streamvec.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
                RequestParser.parse("GET", "/songs/song-1/similar", "other=x&k=1000"));
    }

    @Test
    void playlistNext() {
        assertEquals(new Route(Route.Kind.PLAYLIST_NEXT, "p 1", 3), RequestParser.parse("GET", "/playlists/p%201/next", "k=3"));
    }

    @Test
    void songVectorTakesNoK() {
        assertEquals(new Route(Route.Kind.SONG_VECTOR, "song 1", 0), RequestParser.parse("GET", "/songs/song%201/vector", null));
        assertEquals(new Route(Route.Kind.SONG_VECTOR, "s", 0), RequestParser.parse("GET", "/songs/s/vector", "k=abc"));
        assertEquals(400, status("GET", "/songs/a%00b/vector", null));
        assertEquals(405, status("POST", "/songs/s/vector", null));
    }

    @Test
    void pathSegmentsArePercentDecodedAsUtf8AndPlusStaysPlus() {
        assertEquals("a/b+c é", RequestParser.parse("GET", "/songs/a%2Fb+c%20%C3%A9/similar", null).id());
        assertEquals(400, status("GET", "/songs/%C3/similar", null), "invalid UTF-8");
        assertEquals(400, status("GET", "/songs/%zz/similar", null), "malformed escape");
        assertEquals(400, status("GET", "/songs/abc%2/similar", null), "truncated escape");
    }

    @ParameterizedTest
    @ValueSource(strings = {"k=0", "k=abc", "k=100000", "k=1001", "k=-1", "k=", "k", "k=+5", "k=1.5",
            "k=99999999999999999999", "k=%D9%A3", "k=1&k=2"})
    void badKIs400(String query) {
        HttpError e = assertThrows(HttpError.class, () -> RequestParser.parse("GET", "/songs/x/similar", query));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("k"), e.getMessage());
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

    @Test
    void onlyGetOnKnownPaths() {
        HttpError e = assertThrows(HttpError.class, () -> RequestParser.parse("POST", "/songs/x/similar", null));
        assertEquals(405, e.status());
        assertEquals("GET", e.allow());
        assertEquals(405, status("DELETE", "/playlists/x/next", null));
        assertEquals(405, status("HEAD", "/playlists/x/next", null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "", "/songs", "/songs/x", "/songs/x/similar/", "/songs/x/next", "/playlists/x/similar",
            "/songs/x/y/similar", "/SONGS/x/similar", "/metrics"})
    void unknownPathsAre404WhateverTheMethod(String path) {
        assertEquals(404, status("GET", path, null));
        assertEquals(404, status("POST", path, null));
    }
}
