package io.streamvec.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The text routes' requests: {@code GET /texts/search}, {@code GET /texts/{id}/similar} and {@code POST /embed}.
 * Good ones reach {@link TextQueries} with what they asked; bad ones are 400 or 413 (405 for a wrong method) with
 * a JSON error and never reach it, and a running server goes on serving after each.
 */
class TextRoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Records what it was asked; answers one hit, or one vector per text. */
    private static final class Recording implements TextQueries {
        final List<String> calls = new ArrayList<>();

        @Override
        public Responses.TextSearch search(String query, int k, long sinceMs) {
            calls.add("search " + query + " " + k + " " + sinceMs);
            return new Responses.TextSearch(query, k, List.of(new Responses.TextHit("t1", "a text", 0.5f, 7)), false,
                    List.of());
        }

        @Override
        public Optional<Responses.SimilarTexts> similar(String id, int k) {
            calls.add("similar " + id + " " + k);
            return id.equals("known") ? Optional.of(new Responses.SimilarTexts(id, k, List.of(), true, List.of(3)))
                    : Optional.empty();
        }

        @Override
        public Responses.TextSearchPart searchPart(float[] vector, int k, long sinceMs, String excludeId) {
            calls.add("part " + vector.length + " " + k + " " + sinceMs + " " + excludeId);
            return new Responses.TextSearchPart(List.of(), List.of(0), null);
        }

        @Override
        public Optional<Responses.TextSearchPart> similarPart(String id, int k) {
            calls.add("similar part " + id);
            return Optional.empty();
        }

        @Override
        public Responses.Embeddings embed(List<String> texts) {
            calls.add("embed " + texts);
            return new Responses.Embeddings("m", 2, texts.stream().map(t -> new float[] {1f, 0f}).toArray(float[][]::new));
        }
    }

    private final Recording texts = new Recording();
    private final SongHttpHandler handler = new SongHttpHandler(null, texts, null, null);

    private SongHttpHandler.Response get(String path, String query) {
        return handler.respond("GET", path, query, false);
    }

    private SongHttpHandler.Response post(String body) {
        return handler.respond("POST", "/embed", null, false, false, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertError(int status, SongHttpHandler.Response response, String fragment) {
        assertEquals(status, response.status(), () -> String.valueOf(response.body()));
        assertTrue(response.body() instanceof Responses.ErrorBody, "a JSON error body");
        String message = ((Responses.ErrorBody) response.body()).error();
        assertTrue(message.contains(fragment), message);
    }

    @Test
    void aSearchReachesTheQueriesWithItsParameters() {
        SongHttpHandler.Response ok = get("/texts/search", "q=caf%C3%A9+au+lait&k=3&since=1700000000000");
        assertEquals(200, ok.status());
        assertEquals(List.of("search café au lait 3 1700000000000"), texts.calls);
        get("/texts/search", "q=x");
        assertEquals("search x 10 " + Long.MIN_VALUE, texts.calls.get(1), "k 10 and no time bound by default");
    }

    @Test
    void badSearchesAre400WithAJsonErrorAndReachNothing() {
        assertError(400, get("/texts/search", null), "q is required");
        assertError(400, get("/texts/search", "q="), "q is empty");
        assertError(400, get("/texts/search", "q=+%20+"), "q is empty");
        assertError(400, get("/texts/search", "q=" + "a".repeat(TextRoutes.MAX_QUERY_BYTES + 1)), "longer than 4096");
        assertError(400, get("/texts/search", "q=" + "%C3%A9".repeat(2049)), "longer than 4096"); // 4098 bytes
        assertEquals(200, get("/texts/search", "q=" + "a".repeat(TextRoutes.MAX_QUERY_BYTES)).status());
        texts.calls.clear();
        for (String k : List.of("0", "1001", "-1", "x", "", "1.5", "%EF%BC%91")) {
            assertError(400, get("/texts/search", "q=a&k=" + k), "k must be");
        }
        for (String since : List.of("-1", "x", "", "1e3", "99999999999999999999")) {
            assertError(400, get("/texts/search", "q=a&since=" + since), "since must be");
        }
        assertError(400, get("/texts/search", "q=a&limit=3"), "unknown query parameter");
        assertError(400, get("/texts/search", "q=a&q=b"), "more than once");
        assertError(400, get("/texts/search", "q=a&vector=AAAAAA"), "unknown query parameter");
        assertError(400, get("/texts/search", "q=%ZZ"), "");
        assertEquals(List.of(), texts.calls, "no bad request reached the queries");
    }

    @Test
    void similarTextsAnswerOr404() {
        assertEquals(200, get("/texts/known/similar", "k=5").status());
        assertError(404, get("/texts/nobody/similar", null), "unknown text: nobody");
        assertError(404, get("/texts/a%20b/similar", null), "unknown text: a b"); // an id may hold a space
        assertError(400, get("/texts/known/similar", "k=0"), "k must be");
        assertError(400, get("/texts/known/similar", "since=5"), "unknown query parameter");
        assertError(400, get("/texts/%00/similar", null), "control character");
        assertError(400, get("/texts/" + "x".repeat(257) + "/similar", null), "longer than 256");
        assertEquals(List.of("similar known 5", "similar nobody 10", "similar a b 10"), texts.calls);
    }

    @Test
    void aSearchPartTakesAVectorOnlyWhenMarkedAsOne() {
        String vector = TextRoutes.encodeVector(new float[] {1f, 2f, 3f});
        assertEquals(200, handler.respond("GET", "/texts/search", "vector=" + vector + "&k=4&exclude=t%201", false,
                true, null).status());
        assertEquals(List.of("part 3 4 " + Long.MIN_VALUE + " t 1"), texts.calls);
        assertError(400, handler.respond("GET", "/texts/search", "q=a", false, true, null), "unknown query parameter");
        assertError(400, handler.respond("GET", "/texts/search", "vector=%2B%2B", false, true, null), "vector");
        assertArrayEquals(new float[] {1f, 2f, 3f}, TextRoutes.decodeVector(vector));
    }

    @Test
    void embedBodiesAreCheckedBeforeAnythingIsEmbedded() {
        SongHttpHandler.Response ok = post("{\"texts\": [\"hello\", \"world\"]}");
        assertEquals(200, ok.status());
        assertEquals(List.of("embed [hello, world]"), texts.calls);
        texts.calls.clear();
        assertError(400, post(""), "JSON object");
        assertError(400, post("not json"), "not JSON");
        assertError(400, post("{\"texts\": [\"a\"]"), "not JSON");
        assertError(400, post("[\"a\"]"), "JSON object");
        assertError(400, post("{}"), "texts is required");
        assertError(400, post("{\"texts\": \"a\"}"), "texts is required");
        assertError(400, post("{\"texts\": []}"), "texts is empty");
        assertError(400, post("{\"texts\": [\"a\", 1]}"), "texts[1] is not a string");
        assertError(400, post("{\"texts\": [null]}"), "texts[0] is not a string");
        assertError(400, post("{\"texts\": [{\"a\": 1}]}"), "texts[0] is not a string");
        assertError(400, post("{\"texts\": [\" \"]}"), "texts[0] is empty");
        assertError(400, post("{\"texts\": [\"a\"], \"model\": \"x\"}"), "unknown field");
        assertError(400, post("{\"texts\": [\"a\"]} {}"), "more after");
        StringBuilder many = new StringBuilder("{\"texts\": [");
        for (int i = 0; i <= TextRoutes.MAX_EMBED_TEXTS; i++) {
            many.append(i == 0 ? "" : ",").append("\"t").append(i).append('"');
        }
        assertError(413, post(many.append("]}").toString()), "more than 256 texts");
        assertError(405, handler.respond("GET", "/embed", null, false), "use POST");
        assertError(405, handler.respond("POST", "/texts/search", "q=a", false), "use GET, HEAD");
        assertError(400, handler.respond("POST", "/embed", "x=1", false, false, "{}".getBytes()), "no query parameters");
        assertEquals(List.of(), texts.calls, "no bad body reached the model");
    }

    /** Over a socket: a body over 1 MiB is 413 JSON, bad bodies 400 JSON, and the server answers the next request. */
    @Test
    void aRunningServerRejectsBadBodiesAndKeepsServing() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        try (SongHttpServer server = SongHttpServer.start("127.0.0.1", 0, null, texts, ExplorerQueries.NONE, null)) {
            URI embed = server.uri().resolve("/embed");
            String big = "{\"texts\": [\"" + "a".repeat(1024 * 1024) + "\"]}";
            for (boolean chunked : new boolean[] {false, true}) {
                HttpRequest.BodyPublisher body = chunked
                        ? HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
                                big.getBytes(StandardCharsets.UTF_8)))
                        : HttpRequest.BodyPublishers.ofString(big);
                HttpResponse<String> tooBig = client.send(HttpRequest.newBuilder(embed).POST(body)
                        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(413, tooBig.statusCode(), (chunked ? "chunked: " : "") + tooBig.body());
                assertTrue(JSON.readTree(tooBig.body()).has("error"), tooBig.body());
            }
            for (String bad : List.of("nope", "{\"texts\": [1]}")) {
                HttpResponse<String> answer = client.send(HttpRequest.newBuilder(embed)
                        .POST(HttpRequest.BodyPublishers.ofString(bad)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(400, answer.statusCode());
                assertTrue(JSON.readTree(answer.body()).get("error").asText().length() > 0);
            }
            HttpResponse<String> badQuery = client.send(HttpRequest.newBuilder(server.uri().resolve("/texts/search?k=3"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, badQuery.statusCode());
            HttpResponse<String> ok = client.send(HttpRequest.newBuilder(embed)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"texts\": [\"still here\"]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode(), ok.body());
            JsonNode answer = JSON.readTree(ok.body());
            assertEquals("m", answer.get("model").asText());
            assertEquals(2, answer.get("dim").asInt());
            assertEquals(1, answer.get("vectors").size());
            HttpResponse<String> search = client.send(HttpRequest.newBuilder(server.uri().resolve(
                    "/texts/search?q=still+here")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, search.statusCode());
            JsonNode found = JSON.readTree(search.body());
            assertEquals("still here", found.get("query").asText());
            assertEquals("t1", found.get("results").get(0).get("id").asText());
            assertTrue(found.has("partial") && found.has("missingPartitions"), search.body());
        }
    }
}
