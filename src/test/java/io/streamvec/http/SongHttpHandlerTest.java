package io.streamvec.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server and handler over a fake {@link SongQueries}: no broker. */
class SongHttpHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Values whose decimal form is long or extreme: the JSON must still give back the very same floats. */
    private static final float[] KNOWN_VECTOR = {0.1f, -1.0f / 3, 1e-7f, Float.MIN_VALUE, -Float.MAX_VALUE, 0f, 12345.678f};

    private final HttpClient client = HttpClient.newHttpClient();
    private SongHttpServer server;
    private volatile Supplier<RuntimeException> failure = () -> null;

    private final SongQueries fake = new SongQueries() {
        @Override
        public Optional<Responses.SimilarSongs> similar(String songId, int k) {
            fail();
            return songId.equals("known") ? Optional.of(new Responses.SimilarSongs(songId, k, List.of(
                    new Responses.Recommendation("s2", 0.5f, "Title", "Artist"),
                    new Responses.Recommendation("s3", 0.25f, null, null)))) : Optional.empty();
        }

        @Override
        public Optional<Responses.SongVector> vector(String songId) {
            fail();
            return songId.equals("known") ? Optional.of(new Responses.SongVector(songId, KNOWN_VECTOR.length, 7, 42,
                    KNOWN_VECTOR)) : Optional.empty();
        }

        @Override
        public Optional<Responses.PlaylistNext> next(String playlistId, int k) {
            fail();
            return playlistId.equals("p1") ? Optional.of(new Responses.PlaylistNext(playlistId, k, List.of("a", "b"),
                    List.of(new Responses.Recommendation("c", 0.75f, null, null)))) : Optional.empty();
        }

        @Override
        public Optional<Responses.MostSimilar> mostSimilar(List<String> positive, List<String> negative, int k) {
            fail();
            return positive.contains("known") ? Optional.of(new Responses.MostSimilar(positive, negative, k,
                    unknown(positive, negative), List.of(new Responses.Recommendation("s2", 0.5f, "Title", "Artist"))))
                    : Optional.empty();
        }

        @Override
        public Optional<Responses.SongsNext> next(List<String> songIds, int k) {
            fail();
            return songIds.contains("known") ? Optional.of(new Responses.SongsNext(songIds, k,
                    unknown(songIds, List.of()), List.of(new Responses.Recommendation("s3", 0.25f, null, null))))
                    : Optional.empty();
        }

        @Override
        public Responses.SongSearch search(String query, int limit) {
            fail();
            return new Responses.SongSearch(query, limit, List.of(new Responses.SongInfo("s2", "Title", "Artist", 7)));
        }

        @Override
        public Responses.TopSongs top(int k) {
            fail();
            return new Responses.TopSongs(k, List.of(new Responses.SongInfo("s2", "Title", "Artist", 7),
                    new Responses.SongInfo("s9", null, null, 3)));
        }

        private List<String> unknown(List<String> positive, List<String> negative) {
            return java.util.stream.Stream.concat(positive.stream(), negative.stream())
                    .filter(id -> !id.equals("known")).distinct().toList();
        }

        private void fail() {
            RuntimeException e = failure.get();
            if (e != null) {
                throw e;
            }
        }
    };

    @BeforeEach
    void start() {
        server = SongHttpServer.start("127.0.0.1", 0, fake);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return send(HttpRequest.newBuilder(server.uri().resolve(pathAndQuery)).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return JsonHttp.send(client, request);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    @Test
    void boundToAnyFreeLoopbackPort() {
        assertTrue(server.port() > 0);
        assertEquals(URI.create("http://127.0.0.1:" + server.port() + "/"), server.uri());
    }

    @Test
    void similarSongsAsJson() throws Exception {
        HttpResponse<String> response = get("/songs/known/similar?k=2");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = json(response);
        assertEquals("known", body.get("songId").asText());
        assertEquals(2, body.get("k").asInt());
        assertEquals("s2", body.get("recommendations").get(0).get("songId").asText());
        assertEquals(0.5, body.get("recommendations").get(0).get("score").asDouble(), 1e-6);
        assertEquals("Title", body.get("recommendations").get(0).get("title").asText());
        assertEquals("Artist", body.get("recommendations").get(0).get("artist").asText());
        assertTrue(body.get("recommendations").get(1).get("title").isNull());
        assertTrue(body.get("recommendations").get(1).has("artist"));
    }

    @Test
    void playlistNextAsJson() throws Exception {
        HttpResponse<String> response = get("/playlists/p1/next");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = json(response);
        assertEquals("p1", body.get("playlistId").asText());
        assertEquals(10, body.get("k").asInt());
        assertEquals("a", body.get("recentSongs").get(0).asText());
        assertEquals("c", body.get("recommendations").get(0).get("songId").asText());
    }

    @Test
    void songVectorAsJsonWithEveryFloatExact() throws Exception {
        HttpResponse<String> response = get("/songs/known/vector");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = json(response);
        assertEquals("known", body.get("songId").asText());
        assertEquals(KNOWN_VECTOR.length, body.get("dim").asInt());
        assertEquals(7, body.get("count").asLong());
        assertEquals(42, body.get("modelUpdates").asLong());
        assertEquals(KNOWN_VECTOR.length, body.get("vector").size());
        for (int i = 0; i < KNOWN_VECTOR.length; i++) {
            assertEquals(Float.floatToIntBits(KNOWN_VECTOR[i]),
                    Float.floatToIntBits((float) body.get("vector").get(i).doubleValue()), "element " + i);
        }
        assertEquals(400, get("/songs/known/vector?k=3").statusCode(), "the vector route takes no query parameter");
    }

    @Test
    void songVectorErrors() throws Exception {
        HttpResponse<String> unknown = get("/songs/unknown/vector");
        assertEquals(404, unknown.statusCode());
        assertEquals("unknown song: unknown", json(unknown).get("error").asText());
        assertEquals(400, get("/songs/a%01b/vector").statusCode());
        assertEquals(400, get("/songs/" + "s".repeat(257) + "/vector").statusCode());
        assertEquals(404, get("/songs/known/vector/x").statusCode());
        assertEquals(404, get("/playlists/p1/vector").statusCode());
        HttpResponse<String> post = send(HttpRequest.newBuilder(server.uri().resolve("/songs/known/vector"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(405, post.statusCode());

        failure = () -> new InvalidStateStoreException("store song2vec-model is migrating");
        assertEquals(503, get("/songs/known/vector").statusCode());
    }

    @Test
    void errorsAreJson() throws Exception {
        assertEquals(404, get("/songs/unknown/similar").statusCode());
        assertEquals("unknown song: unknown", json(get("/songs/unknown/similar")).get("error").asText());
        assertEquals(404, get("/playlists/nope/next").statusCode());
        assertEquals(404, get("/nothing/here").statusCode());
        assertEquals(400, get("/songs/known/similar?k=0").statusCode());
        assertEquals(400, get("/songs/known/similar?k=abc").statusCode());
        assertEquals(400, get("/songs/a%01b/similar").statusCode());
        assertTrue(json(get("/songs/known/similar?k=100000")).get("error").asText().contains("1 to 1000"));

        HttpResponse<String> post = send(HttpRequest.newBuilder(server.uri().resolve("/songs/known/similar"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(null));
        assertTrue(json(post).get("error").asText().contains("POST"));
    }

    @Test
    void readOnlyEveryOtherMethodIs405WithAllow() throws Exception {
        for (String method : new String[] {"PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"}) {
            for (String path : new String[] {"/songs/known/similar", "/playlists/p1/next"}) {
                HttpResponse<String> response = send(HttpRequest.newBuilder(server.uri().resolve(path))
                        .method(method, HttpRequest.BodyPublishers.ofString("x")));
                assertEquals(405, response.statusCode(), method + " " + path);
                assertEquals("GET, HEAD", response.headers().firstValue("Allow").orElse(null), method + " " + path);
            }
        }
    }

    @Test
    void aRefusedRequestsBodyIsReadSoTheConnectionServesTheNextRequest() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000); // a failsafe: the assertion is on what is answered
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("PUT /songs/known/similar HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(300); // the body comes late, as from a client that sends headers and body apart
            out.write("x=abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write("GET /songs/known/similar?k=1 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            List<String> statusLines = new java.util.ArrayList<>();
            for (int answer = 0; answer < 2; answer++) {
                String status = in.readLine();
                if (status == null) {
                    break; // the server closed the connection
                }
                statusLines.add(status);
                long length = 0;
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Long.parseLong(line.substring(15).trim());
                    }
                }
                in.skip(length); // the bodies are ASCII JSON: characters are bytes
            }
            assertEquals(List.of("HTTP/1.1 405 Method Not Allowed", "HTTP/1.1 200 OK"), statusLines);
        }
    }

    @Test
    void headAnswersTheStatusAndHeadersOfGetWithoutABody() throws Exception {
        HttpResponse<String> head = send(HttpRequest.newBuilder(server.uri().resolve("/songs/known/similar?k=2"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals("no-store", head.headers().firstValue("Cache-Control").orElse(null));
        HttpResponse<String> unknown = send(HttpRequest.newBuilder(server.uri().resolve("/songs/unknown/similar"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(404, unknown.statusCode());
        assertEquals("", unknown.body());
    }

    @Test
    void everyParameterIsValidatedOnTheWire() throws Exception {
        assertEquals(200, get("/songs/known/similar?k=1").statusCode());
        assertEquals(200, get("/songs/known/similar?k=1000").statusCode());
        assertEquals(400, get("/songs/known/similar?k=1001").statusCode(), "k above 1000");
        assertEquals(400, get("/songs/known/similar?k=2&k=3").statusCode(), "repeated k");
        assertEquals(400, get("/songs/known/similar?k=2&debug=true").statusCode(), "unknown parameter");
        assertEquals(400, get("/playlists/p1/next?limit=2").statusCode(), "unknown parameter");
        assertEquals(400, get("/songs/a%20b/similar").statusCode(), "whitespace in the id");
        assertEquals(400, get("/playlists/p%091/next").statusCode(), "tab in the id");
        assertEquals(400, get("/songs/" + "x".repeat(RequestParser.MAX_ID_LENGTH + 1) + "/similar").statusCode(), "long id");
        HttpResponse<String> bad = get("/songs/known/similar?%3Cb%3E=1");
        assertEquals(400, bad.statusCode());
        assertFalse(bad.body().contains("<b>"), "the parameter is not echoed: " + bad.body());
    }

    @Test
    void notQueryableIs503AndFailuresShowNoStackTrace() throws Exception {
        failure = () -> new InvalidStateStoreException("store song2vec-model is migrating");
        HttpResponse<String> unavailable = get("/songs/known/similar");
        assertEquals(503, unavailable.statusCode());
        assertTrue(json(unavailable).has("error"));
        assertEquals("1", unavailable.headers().firstValue("Retry-After").orElse(null));

        failure = () -> new IllegalStateException("secret internals");
        HttpResponse<String> failed = get("/playlists/p1/next");
        assertEquals(500, failed.statusCode());
        assertEquals("{\"error\":\"internal error\"}", failed.body(), "a small body: no message, class or trace");
        assertFalse(failed.body().contains("secret"));
        assertFalse(failed.body().contains("IllegalStateException"));
        assertFalse(failed.body().contains("at io.streamvec"));

        failure = () -> new NullPointerException("Cannot invoke \"io.streamvec.Secret.get()\"");
        HttpResponse<String> npe = get("/songs/known/similar");
        assertEquals(500, npe.statusCode());
        assertEquals("{\"error\":\"internal error\"}", npe.body());
    }

    @Test
    void mostSimilarAsJson() throws Exception {
        HttpResponse<String> response = get("/songs/similar?positive=known,x1&negative=x2&k=2");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = json(response);
        assertEquals("[\"known\",\"x1\"]", body.get("positive").toString());
        assertEquals("[\"x2\"]", body.get("negative").toString());
        assertEquals(2, body.get("k").asInt());
        assertEquals("[\"x1\",\"x2\"]", body.get("unknown").toString(), "unknown songs are reported, not fatal");
        assertEquals("s2", body.get("recommendations").get(0).get("songId").asText());
        assertEquals("Title", body.get("recommendations").get(0).get("title").asText());
        assertEquals(10, json(get("/songs/similar?positive=known")).get("k").asInt());
        assertEquals("[]", json(get("/songs/similar?positive=known")).get("negative").toString());
    }

    @Test
    void nextSongsSearchAndTopAsJson() throws Exception {
        JsonNode next = json(get("/songs/next?songs=a%2Cb,known&k=3"));
        assertEquals("[\"a,b\",\"known\"]", next.get("songs").toString(), "a comma inside an id is %2C");
        assertEquals(3, next.get("k").asInt());
        assertEquals("[\"a,b\"]", next.get("unknown").toString());
        assertEquals("s3", next.get("recommendations").get(0).get("songId").asText());

        JsonNode search = json(get("/songs?query=Billie+Jean&limit=5"));
        assertEquals("Billie Jean", search.get("query").asText());
        assertEquals(5, search.get("limit").asInt());
        JsonNode found = search.get("songs").get(0);
        assertEquals("s2", found.get("songId").asText());
        assertEquals("Title", found.get("title").asText());
        assertEquals("Artist", found.get("artist").asText());
        assertEquals(7, found.get("count").asLong());
        assertEquals(20, json(get("/songs?query=x")).get("limit").asInt());

        JsonNode top = json(get("/songs/top"));
        assertEquals(50, top.get("k").asInt());
        assertEquals(2, top.get("songs").size());
        assertTrue(top.get("songs").get(1).get("title").isNull());
        assertEquals(3, json(get("/songs/top?k=3")).get("k").asInt());
    }

    @Test
    void listQueriesThatKnowNoSongAre404() throws Exception {
        HttpResponse<String> one = get("/songs/similar?positive=x1&negative=known");
        assertEquals(404, one.statusCode());
        assertEquals("unknown song: x1", json(one).get("error").asText());
        HttpResponse<String> two = get("/songs/next?songs=x1,x2");
        assertEquals(404, two.statusCode());
        assertEquals("no song of songs is known: x1, x2", json(two).get("error").asText());
    }

    @Test
    void badListQueriesAre400WithAJsonError() throws Exception {
        String hundredOne = String.join(",", java.util.Collections.nCopies(101, "known"));
        String sixty = String.join(",", java.util.Collections.nCopies(60, "known"));
        String[] bad = {
            "/songs/similar", "/songs/similar?negative=known", "/songs/similar?positive=",
            "/songs/similar?positive=known,,x", "/songs/similar?positive=known,", "/songs/similar?positive=a%20b",
            "/songs/similar?positive=a%0Ab", "/songs/similar?positive=known&negative=",
            "/songs/similar?positive=" + hundredOne, "/songs/similar?positive=" + sixty + "&negative=" + sixty,
            "/songs/similar?positive=known&k=0", "/songs/similar?positive=known&k=1001",
            "/songs/similar?positive=known&positive=x", "/songs/similar?positive=known&songs=x",
            "/songs/next", "/songs/next?songs=", "/songs/next?songs=" + hundredOne, "/songs/next?songs=a%09b",
            "/songs/next?songs=known&k=-1", "/songs/next?songs=known&negative=x",
            "/songs", "/songs?query=", "/songs?query=%21%3F", "/songs?query=x&limit=0", "/songs?query=x&limit=1001",
            "/songs?query=" + "x".repeat(257), "/songs?q=x",
            "/songs/top?k=0", "/songs/top?k=1001", "/songs/top?limit=3"};
        for (String path : bad) {
            HttpResponse<String> response = get(path);
            assertEquals(400, response.statusCode(), path + " " + response.body());
            assertTrue(json(response).hasNonNull("error"), path);
        }
        assertTrue(json(get("/songs/similar?negative=known")).get("error").asText().contains("negative needs positive"));
        assertTrue(json(get("/songs/similar?positive=" + hundredOne)).get("error").asText().contains("100"));
        assertTrue(json(get("/songs/similar?positive=a%20b")).get("error").asText().contains("whitespace"));
        HttpResponse<String> post = send(HttpRequest.newBuilder(server.uri().resolve("/songs/similar?positive=known"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(405, post.statusCode());
        assertEquals(200, get("/songs/similar?positive=" + String.join(",", java.util.Collections.nCopies(100, "known")))
                .statusCode(), "100 songs are allowed");
    }

    @Test
    void nullStreamsIsNotQueryable() {
        SongHttpHandler.Response response = new SongHttpHandler(new StreamsSongQueries(() -> null))
                .respond("GET", URI.create("/songs/x/similar"));
        assertEquals(503, response.status());
    }
}
