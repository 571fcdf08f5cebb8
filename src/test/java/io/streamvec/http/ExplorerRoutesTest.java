package io.streamvec.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The explorer's routes and files over fakes: no broker. */
class ExplorerRoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newHttpClient();
    private SongHttpServer server;
    private volatile int askedLimit;
    private volatile int askedRecent;

    private final SongQueries songs = new EmptyQueries.Songs();

    private final TextQueries texts = new EmptyQueries.Texts() {
        @Override
        public Responses.RecentTexts recent(int k) {
            askedRecent = k;
            return new Responses.RecentTexts(k, List.of(
                    new Responses.TextHit("t2", "<script>alert(1)</script>", 0f, 2000),
                    new Responses.TextHit("t1", "older", 0f, 1000)));
        }
    };

    private final ExplorerQueries explorer = new ExplorerQueries() {
        @Override
        public Responses.SongMap map(int limit) {
            askedLimit = limit;
            return new Responses.SongMap(limit, 8, 42, List.of(
                    new Responses.MapPoint("s1", 0.5, -0.25, 3, "<b>Title</b>", "Artist", 17),
                    new Responses.MapPoint("s2", -1, 1, 0, null, null, 2)));
        }

        @Override
        public Responses.Stats stats() {
            return new Responses.Stats(123, 1.5, 2.5, 10, 20, 240, 6, 12.5, Map.of("invalid", 3L), null);
        }
    };

    @BeforeEach
    void start() {
        server = SongHttpServer.start("127.0.0.1", 0, songs, texts, explorer, null);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return client.send(HttpRequest.newBuilder(server.uri().resolve(pathAndQuery)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private RawHttp.Answer raw(String method, String target, String... headers) throws Exception {
        try (RawHttp http = new RawHttp(server.uri(), 5_000)) {
            http.send(RawHttp.request(method, target, headers));
            return http.read("HEAD".equals(method));
        }
    }

    @Test
    void songMapAsJson() throws Exception {
        HttpResponse<String> answer = get("/songs/map?limit=2");
        assertEquals(200, answer.statusCode());
        assertEquals(SongHttpHandler.CONTENT_TYPE, answer.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(2, askedLimit);
        JsonNode body = JSON.readTree(answer.body());
        assertEquals(8, body.get("clusters").asInt());
        JsonNode first = body.get("points").get(0);
        assertEquals("s1", first.get("id").asText());
        assertEquals(0.5, first.get("x").asDouble());
        assertEquals(-0.25, first.get("y").asDouble());
        assertEquals(3, first.get("cluster").asInt());
        assertEquals("<b>Title</b>", first.get("title").asText());
        assertEquals("Artist", first.get("artist").asText());
        assertEquals(17, first.get("count").asLong());
        assertTrue(body.get("points").get(1).get("title").isNull());

        assertEquals(200, get("/songs/map").statusCode());
        assertEquals(RequestParser.DEFAULT_MAP_LIMIT, askedLimit);
        for (String bad : List.of("/songs/map?limit=0", "/songs/map?limit=20001", "/songs/map?limit=x",
                "/songs/map?k=5", "/songs/map?limit=1&limit=2")) {
            HttpResponse<String> rejected = get(bad);
            assertEquals(400, rejected.statusCode(), bad);
            assertTrue(JSON.readTree(rejected.body()).get("error").asText().length() > 5, bad);
        }
        assertEquals(405, raw("DELETE", "/songs/map").status());
    }

    @Test
    void statsAsJson() throws Exception {
        HttpResponse<String> answer = get("/stats");
        assertEquals(200, answer.statusCode());
        JsonNode body = JSON.readTree(answer.body());
        assertEquals(1.5, body.get("textEventsPerSecond").asDouble());
        assertEquals(2.5, body.get("songEventsPerSecond").asDouble());
        assertEquals(240, body.get("vocabulary").asLong());
        assertEquals(12.5, body.get("embeddingBatchMs").asDouble());
        assertEquals(3, body.get("deadLetters").get("invalid").asLong());
        assertTrue(body.get("lag").isNull());
        assertEquals(400, get("/stats?x=1").statusCode());
        assertEquals("no-store", answer.headers().firstValue("Cache-Control").orElseThrow());
    }

    @Test
    void recentTextsAsJson() throws Exception {
        HttpResponse<String> answer = get("/texts/recent?k=2");
        assertEquals(200, answer.statusCode());
        assertEquals(2, askedRecent);
        JsonNode body = JSON.readTree(answer.body());
        assertEquals("t2", body.get("texts").get(0).get("id").asText());
        assertEquals("<script>alert(1)</script>", body.get("texts").get(0).get("text").asText());
        assertEquals(2000, body.get("texts").get(0).get("timestampMs").asLong());
        get("/texts/recent");
        assertEquals(RequestParser.DEFAULT_K, askedRecent);
        assertEquals(400, get("/texts/recent?k=0").statusCode());
        assertEquals(400, get("/texts/recent?q=x").statusCode());
    }

    @Test
    void withoutExplorerDataTheRoutesAre503() throws Exception {
        try (SongHttpServer bare = SongHttpServer.start("127.0.0.1", 0, songs)) {
            for (String path : List.of("/songs/map", "/stats", "/texts/recent")) {
                HttpResponse<String> answer = client.send(HttpRequest.newBuilder(bare.uri().resolve(path)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(503, answer.statusCode(), path);
                assertTrue(JSON.readTree(answer.body()).has("error"), path);
            }
        }
    }

    @Test
    void thePageAndItsFilesWithTheirTypesAndPolicy() throws Exception {
        Map<String, String> types = Map.of("/", "text/html; charset=utf-8",
                "/assets/explorer.js", "text/javascript; charset=utf-8",
                "/assets/explorer.css", "text/css; charset=utf-8",
                "/favicon.ico", "image/svg+xml");
        for (Map.Entry<String, String> file : types.entrySet()) {
            HttpResponse<String> answer = get(file.getKey());
            assertEquals(200, answer.statusCode(), file.getKey());
            assertEquals(file.getValue(), answer.headers().firstValue("Content-Type").orElseThrow(), file.getKey());
            assertEquals(ExplorerAssets.CONTENT_SECURITY_POLICY,
                    answer.headers().firstValue("Content-Security-Policy").orElseThrow(), file.getKey());
            assertEquals("nosniff", answer.headers().firstValue("X-Content-Type-Options").orElseThrow());
            assertEquals("no-cache", answer.headers().firstValue("Cache-Control").orElseThrow());
            assertFalse(answer.body().isEmpty());
            String etag = answer.headers().firstValue("ETag").orElseThrow();
            // Revalidation: the same ETag gets 304 without a body; HEAD gets the headers of GET.
            RawHttp.Answer again = raw("GET", file.getKey(), "If-None-Match: " + etag);
            assertEquals(304, again.status(), file.getKey());
            assertEquals("", again.body());
            RawHttp.Answer head = raw("HEAD", file.getKey());
            assertEquals(200, head.status());
            assertEquals(String.valueOf(answer.body().getBytes(StandardCharsets.UTF_8).length),
                    head.header("Content-Length"));
        }
        assertTrue(get("/").body().contains("<script src=\"/assets/explorer.js\" defer></script>"));
        assertEquals(405, raw("POST", "/", "Content-Length: 0").status());
    }

    /** Refused: 404 from the explorer, or 400 from Jetty for a target it will not take; never a file. */
    @Test
    void unknownFilesAndTraversalAreRefused() throws Exception {
        for (String target : List.of("/assets/", "/assets/nothing.js", "/assets/../index.html",
                "/assets/%2e%2e/%2e%2e/etc/passwd", "/assets/..%2fexplorer.js", "/assets//explorer.js",
                "/assets/explorer.js/", "/assets/EXPLORER.JS", "/assets/explorer.js%00", "/assets/./explorer.js",
                "/index.html", "/io/streamvec/explorer/index.html")) {
            RawHttp.Answer answer = raw("GET", target);
            assertTrue(answer.status() == 404 || answer.status() == 400, target + ": " + answer.status());
            assertNull(answer.header("Content-Security-Policy"), target);
            assertTrue(answer.header("Content-Type").startsWith("application/json"), target);
            assertTrue(JSON.readTree(answer.body()).has("error"), target);
        }
    }

    @Test
    void theFilesAreSmallAndHaveNoInlineScriptOrHtmlFromData() throws Exception {
        long total = 0;
        for (ExplorerAssets.Asset asset : ExplorerAssets.all()) {
            total += asset.bytes().length;
        }
        assertTrue(total < 300 * 1024, "the explorer's files are " + total + " bytes");
        String html = get("/").body();
        // Every script has a src (the policy would block an inline one), and no element has an event attribute.
        assertFalse(Pattern.compile("<script(?![^>]*\\bsrc=)").matcher(html).find(), "an inline script");
        assertFalse(Pattern.compile("\\son[a-z]+=", Pattern.CASE_INSENSITIVE).matcher(html).find(), "an on* attribute");
        assertFalse(html.contains("style="), "an inline style");
        String js = get("/assets/explorer.js").body();
        for (String sink : List.of("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(")) {
            assertFalse(js.contains(sink), "the script uses " + sink);
        }
        // Every input has a label.
        var inputs = Pattern.compile("<input id=\"([^\"]+)\"").matcher(html);
        while (inputs.find()) {
            assertTrue(html.contains("<label for=\"" + inputs.group(1) + "\">"), "no label for " + inputs.group(1));
        }
    }

    @Test
    void theOtherRoutesStillAnswerBesideTheExplorer() throws Exception {
        assertEquals(200, get("/songs/top").statusCode());
        assertEquals(404, get("/nothing").statusCode());
        assertNull(get("/songs/top").headers().firstValue("Content-Security-Policy").orElse(null));
    }
}
