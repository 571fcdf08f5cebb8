package io.streamvec.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.fuzz.Fuzz;
import io.streamvec.fuzz.Fuzzer;
import io.streamvec.fuzz.Mutations;
import io.streamvec.song2vec.stream.PreparePlaylistProcessor;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the HTTP request path: {@link RequestParser} (request line to route), {@link PercentDecoder}, the
 * target of a forwarded request, and a running query server fed mutated raw requests over a socket. A request
 * is routed (to a valid id and k) or answered 400, 404 or 405 with a message; never 500, never an exception
 * escaping the parser. See docs/architecture.md, "Fuzz tests".
 */
class HttpParsingFuzzTest {

    private static final Set<Integer> CLIENT_ERRORS = Set.of(400, 404, 405);

    /** Valid and nearly valid request targets (path and query), as they come on the request line. */
    private static final List<byte[]> TARGETS = List.of(
            "/songs/song-1/similar?k=25",
            "/songs/song%3A1/vector",
            "/playlists/p%C3%A9%2Fx/next?k=7",
            "/songs/caf\u00e9/similar",
            "/playlists/a;b+c'd/next?%6B=1000",
            "/songs/s/vector?",
            "/songs/%F0%9F%8E%B5/similar?k=1&k=2",
            "/songs/similar?positive=a,b&negative=c&k=5",
            "/songs/next?songs=a,%C3%A9,c&k=3",
            "/songs?query=caf%C3%A9+yes&limit=3",
            "/songs/top?k=5", "/songs/map?limit=5000", "/stats", "/texts/recent?k=5",
            "/texts/search?q=caf%C3%A9+au+lait&k=5&since=1700000000000",
            "/texts/search?q=x",
            "/texts/t-1/similar?k=3",
            "/texts/a%20b/similar",
            "/embed",
            "/metrics",
            "/health/ready").stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();

    private static final String URL_ALPHABET =
            "/%?&=k0123456789abcdefABCDEF+songsplaylistsimilarvectornexttextsearchqembed\u00e9";

    /** A target string from mutated bytes, read as UTF-8 (with replacement) or as Latin-1 (any byte a char). */
    private static String mutatedTarget(SplittableRandom random) {
        byte[] bytes = Mutations.mutate(random, TARGETS);
        return new String(bytes, random.nextBoolean() ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    }

    private static String target(SplittableRandom random) {
        return random.nextInt(3) == 0 ? Fuzzer.string(random, 60, URL_ALPHABET) : mutatedTarget(random);
    }

    private static String method(SplittableRandom random) {
        String[] methods = {"GET", "HEAD", "POST", "get", "", "GET ", "DELETE"};
        return random.nextInt(8) == 0 ? Fuzzer.anyString(random, 6) : methods[random.nextInt(methods.length)];
    }

    private static String pathOf(String target) {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    private static String queryOf(String target) {
        int q = target.indexOf('?');
        return q < 0 ? null : target.substring(q + 1);
    }

    /** The route of a request, or null when it is answered with a client error (anything else fails). */
    private static Route route(String method, String target) {
        String path = pathOf(target);
        String query = queryOf(target);
        try {
            Route route = Fuzz.valueOrDocumentedError("RequestParser", method + " " + target,
                    () -> RequestParser.parse(method, path, query), HttpError.class);
            assertTrue(route == null || valid(route), () -> "RequestParser made an invalid " + route + " of "
                    + Fuzz.describe(method + " " + target));
            return route;
        } finally {
            // The status of a rejection must be a client error.
            try {
                RequestParser.parse(method, path, query);
            } catch (HttpError e) {
                assertTrue(CLIENT_ERRORS.contains(e.status()), "status " + e.status() + " for "
                        + Fuzz.describe(method + " " + target));
            } catch (RuntimeException e) {
                // reported above
            }
        }
    }

    private static boolean valid(Route route) {
        boolean none = route.kind() == Route.Kind.SONG_VECTOR || route.kind() == Route.Kind.EMBED
                || route.kind() == Route.Kind.STATS;
        int max = route.kind() == Route.Kind.SONG_MAP ? RequestParser.MAX_MAP_LIMIT : RequestParser.MAX_K;
        boolean k = none ? route.k() == 0 : route.k() >= 1 && route.k() <= max;
        return k && switch (route.kind()) {
            case SIMILAR_SONGS, PLAYLIST_NEXT, SONG_VECTOR ->
                    PreparePlaylistProcessor.validSongId(route.id(), RequestParser.MAX_ID_LENGTH);
            case MOST_SIMILAR, SONGS_NEXT -> !route.songs().isEmpty()
                    && route.songs().size() + route.negative().size() <= RequestParser.MAX_SONGS
                    && java.util.stream.Stream.concat(route.songs().stream(), route.negative().stream())
                            .allMatch(id -> PreparePlaylistProcessor.validSongId(id, RequestParser.MAX_ID_LENGTH));
            case SONG_SEARCH -> route.query() != null && route.query().length() <= RequestParser.MAX_QUERY_LENGTH;
            case TOP_SONGS -> true;
            case TEXT_SEARCH -> route.query() != null && !route.query().isBlank()
                    && route.query().getBytes(StandardCharsets.UTF_8).length <= TextRoutes.MAX_QUERY_BYTES
                    && (route.sinceMs() == Long.MIN_VALUE || route.sinceMs() >= 0);
            case SIMILAR_TEXTS -> !route.id().isEmpty() && route.id().length() <= RequestParser.MAX_ID_LENGTH
                    && route.id().chars().noneMatch(Character::isISOControl);
            case EMBED, SONG_MAP, STATS, RECENT_TEXTS -> true;
        };
    }

    @Test
    void requestTargetsAreRoutedOrRejectedAsClientErrors() {
        Fuzzer.strings("request targets", 20_000, HttpParsingFuzzTest::target, target -> route("GET", target));
    }

    @Test
    void methodsAreRoutedOrRejectedAsClientErrors() {
        Fuzzer.values("methods", 5_000, random -> new String[] {method(random), target(random)},
                request -> route(request[0], request[1]));
    }

    /** What one instance forwards routes to the same song or playlist and k at the owner. */
    @Test
    void aForwardedRequestRoutesTheSameAtTheOwner() {
        HostInfo owner = new HostInfo("streamvec-2", 8080);
        Fuzzer.strings("forwarded targets", 20_000, HttpParsingFuzzTest::target, target -> {
            Route route = route("GET", target);
            if (route != null) {
                URI forwarded = Fuzz.valueOrDocumentedError("Forwarder.target", target,
                        () -> Forwarder.target(owner, pathOf(target), queryOf(target)));
                assertEquals(route, RequestParser.parse("GET", forwarded.getRawPath(), forwarded.getRawQuery()),
                        "forwarded as " + forwarded);
            }
        });
    }

    /** An instance's part of a text search: the vector, exclude, k and since parameters. */
    @Test
    void searchPartsAreRoutedOrRejectedAsClientErrors() {
        String vector = TextRoutes.encodeVector(new float[] {0.5f, -1f, 2f});
        List<byte[]> seeds = List.of("vector=" + vector + "&k=5", "vector=" + vector + "&exclude=t%201&since=0",
                "vector=AAAAAA&k=1000").stream().map(q -> q.getBytes(StandardCharsets.UTF_8)).toList();
        Fuzzer.bytes("search parts", 10_000, random -> Mutations.mutate(random, seeds), bytes -> {
            String query = new String(bytes, StandardCharsets.ISO_8859_1);
            Route route = Fuzz.valueOrDocumentedError("RequestParser (part)", query,
                    () -> RequestParser.parse("GET", "/texts/search", query, true), HttpError.class);
            if (route != null) {
                assertTrue(route.vector() != null && route.vector().length >= 1
                        && route.vector().length <= TextRoutes.MAX_VECTOR_DIM, "vector of " + Fuzz.describe(query));
                for (float v : route.vector()) {
                    assertTrue(Float.isFinite(v), "finite vector of " + Fuzz.describe(query));
                }
            }
        });
    }

    /** The body of POST /embed: texts, or a 400 or 413 with a message. */
    @Test
    void embedBodiesAreReadOrRejectedAsClientErrors() {
        List<byte[]> seeds = List.of("{\"texts\": [\"hello\", \"caf\u00e9 \ud83d\ude00\"]}", "{\"texts\":[\"a\"]}",
                "{\"texts\": [1, null, {}]}", "[\"x\"]").stream()
                .map(b -> b.getBytes(StandardCharsets.UTF_8)).toList();
        Fuzzer.bytes("embed bodies", 10_000, random -> Mutations.mutate(random, seeds), body -> {
            List<String> texts = Fuzz.valueOrDocumentedError("TextRoutes.embedTexts", body,
                    () -> TextRoutes.embedTexts(body), HttpError.class);
            if (texts != null) {
                assertTrue(!texts.isEmpty() && texts.size() <= TextRoutes.MAX_EMBED_TEXTS
                        && texts.stream().noneMatch(String::isBlank), "texts of " + Fuzz.describe(body));
            }
            try {
                TextRoutes.embedTexts(body);
            } catch (HttpError e) {
                assertTrue(e.status() == 400 || e.status() == 413, "status " + e.status());
            } catch (RuntimeException e) {
                // reported above
            }
        });
    }

    @Test
    void percentDecodingGivesTextOrA400() {
        Fuzzer.strings("percent decoding", 20_000,
                random -> random.nextBoolean() ? Fuzzer.string(random, 30, "%%%0123456789abcdefABCDEFgG+\u00e9")
                        : Fuzzer.anyString(random, 20),
                raw -> Fuzz.valueOrDocumentedError("PercentDecoder", raw, () -> PercentDecoder.decode(raw, "id"),
                        HttpError.class));
    }

    /** Any text (a lone surrogate is not text, and UTF-8 cannot carry it) percent-encoded decodes to itself. */
    @Test
    void percentEncodedTextDecodesToItself() {
        Fuzzer.strings("percent round trip", 10_000, random -> Fuzzer.anyString(random, 20), text -> {
            String sent = new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            StringBuilder encoded = new StringBuilder();
            for (byte b : sent.getBytes(StandardCharsets.UTF_8)) {
                encoded.append(String.format("%%%02X", b & 0xff));
            }
            assertEquals(sent, PercentDecoder.decode(encoded.toString(), "id"));
        });
    }

    private static final SongQueries NOTHING_KNOWN = new EmptyQueries.Songs();

    /** Text routes over an empty index: every search answers no results, every id is unknown. */
    static final TextQueries NO_TEXTS = new EmptyQueries.Texts();

    /** An explorer with no song on its map and nothing counted. */
    static final ExplorerQueries NO_MAP = new ExplorerQueries() {
        @Override
        public Responses.SongMap map(int limit) {
            return new Responses.SongMap(limit, 8, 0, List.of());
        }

        @Override
        public Responses.Stats stats() {
            return new Responses.Stats(0, 0, 0, 0, 0, 0, 0, null, java.util.Map.of(), null);
        }
    };

    /** A raw request from a mutated one: the request line, a Host header, maybe more headers. */
    private static final List<byte[]> REQUESTS = TARGETS.stream()
            .map(t -> RawHttp.request("GET", new String(t, StandardCharsets.ISO_8859_1), "Accept: application/json")
                    .getBytes(StandardCharsets.ISO_8859_1))
            .toList();

    /**
     * A client error: 4xx, or Jetty's 505 for a request line without a valid HTTP version, which must not be
     * called an internal error. (The fake queries never fail, so a 500 could only come from the request path.)
     */
    private static void assertClientError(RawHttp.Answer answer, Object request) {
        // the fake's search and top-songs answers (it knows no song, so every other route is a 404), the empty
        // map, recent texts and figures of the explorer, and the explorer's own files (the page at /)
        boolean emptyListing = answer.status() == 200 && (answer.body().endsWith("\"songs\":[]}")
                || answer.body().contains("\"results\":[]") || answer.body().contains("\"vectors\":")
                || answer.body().endsWith("\"points\":[]}") || answer.body().endsWith("\"texts\":[]}")
                || answer.body().contains("\"deadLetters\":")
                || ExplorerAssets.CONTENT_SECURITY_POLICY.equals(answer.header("Content-Security-Policy")));
        boolean clientError = emptyListing || answer.status() >= 400 && answer.status() < 500
                || answer.status() == 505 && !answer.body().contains("internal error");
        assertTrue(clientError, () -> "status " + answer.status() + " " + answer.body() + " for "
                + Fuzz.describe(request));
    }

    // Regression inputs: what the fuzz tests found, kept as plain examples.

    /** A request line without an HTTP version is Jetty's 505, which said "internal error". */
    @Test
    void aRequestLineWithoutAVersionIsNotAnInternalError() throws Exception {
        try (SongHttpServer server = SongHttpServer.start("127.0.0.1", 0, NOTHING_KNOWN);
             RawHttp connection = new RawHttp(server.uri(), 10_000)) {
            byte[] request = {'T', ' ', '%', '\n'};
            connection.send(request);
            connection.socket.shutdownOutput();
            RawHttp.Answer answer = connection.read(false);
            assertEquals(505, answer.status());
            assertEquals("{\"error\":\"HTTP version not supported; use HTTP/1.1 or HTTP/2\"}", answer.body());
        }
    }

    /**
     * A path without its leading slash was routed, and the forwarder, which writes the raw path after
     * host:port, sent "songs/a/vector" to http://streamvec-2:8080songs/a/vector.
     */
    @Test
    void aPathWithoutItsLeadingSlashIsNoResource() {
        assertEquals(404, assertThrows(HttpError.class,
                () -> RequestParser.parse("GET", "songs/a/vector", null)).status());
        assertEquals(404, assertThrows(HttpError.class,
                () -> RequestParser.parse("GET", "playlists/p/next", "k=3")).status());
    }

    /**
     * The query server, fed mutated raw requests over a socket (then a half-close, so that an incomplete one
     * ends at once): it answers with a client error (a 404 for the unknown song among them) or closes the
     * connection; never a 500, and it goes on answering a well-formed request afterwards.
     */
    @Test
    void theQueryServerAnswersMutatedRawRequestsWithClientErrors() throws Exception {
        try (SongHttpServer server = SongHttpServer.start("127.0.0.1", 0, NOTHING_KNOWN, NO_TEXTS, NO_MAP, null)) {
            Fuzzer.bytes("raw requests", 1_500, random -> Mutations.mutate(random, REQUESTS), request -> {
                try (RawHttp connection = new RawHttp(server.uri(), 10_000)) {
                    connection.send(request);
                    connection.socket.shutdownOutput();
                    RawHttp.Answer answer;
                    try {
                        answer = connection.read(false);
                    } catch (EOFException | SocketException closed) {
                        return; // Jetty may close a connection whose request it cannot parse
                    }
                    assertClientError(answer, request);
                } catch (IOException e) {
                    throw new AssertionError("the server's answer to " + Fuzz.describe(request) + " failed: " + e, e);
                }
            });
            try (RawHttp connection = new RawHttp(server.uri(), 10_000)) {
                connection.send(RawHttp.request("GET", "/songs/s1/similar?k=3"));
                assertEquals(404, connection.read(false).status(), "still answering after the fuzzed requests");
            }
        }
    }
}
