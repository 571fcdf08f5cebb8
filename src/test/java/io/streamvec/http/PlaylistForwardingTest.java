package io.streamvec.http;

import static io.streamvec.http.JsonHttp.servedBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsRebalancingException;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Playlist queries between instances, over fake {@link SongQueries} and real HTTP servers (no broker): which
 * requests are forwarded, what is relayed, the one-hop rule, and an owner that does not answer.
 */
class PlaylistForwardingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Labels for {@code application.server}: the headers they end up in show whose state answered. */
    private static final HostInfo OWNER = new HostInfo("owner.test", 7001);
    private static final HostInfo FRONT = new HostInfo("front.test", 7002);

    private final HttpClient client = HttpClient.newHttpClient();
    private final List<AutoCloseable> closing = new ArrayList<>();

    /**
     * One instance's state: it knows playlist p1 and song "known", answers with its own name as the
     * recommended song (so a body shows which instance's state it came from), counts its queries, and says
     * that the playlists in {@link #owners} are held by another instance.
     */
    private static final class Instance implements SongQueries {
        final String name;
        final Map<String, HostInfo> owners = new ConcurrentHashMap<>();
        final AtomicInteger nextQueries = new AtomicInteger();
        final AtomicInteger ownerLookups = new AtomicInteger();
        volatile Supplier<RuntimeException> failure = () -> null;

        Instance(String name) {
            this.name = name;
        }

        @Override
        public Optional<Responses.SimilarSongs> similar(String songId, int k) {
            return songId.equals("known") ? Optional.of(new Responses.SimilarSongs(songId, k,
                    List.of(new Responses.Recommendation(name, 0.5f, null, null)))) : Optional.empty();
        }

        @Override
        public Optional<Responses.SongVector> vector(String songId) {
            return Optional.empty();
        }

        @Override
        public Optional<Responses.PlaylistNext> next(String playlistId, int k) {
            nextQueries.incrementAndGet();
            RuntimeException e = failure.get();
            if (e != null) {
                throw e;
            }
            return playlistId.equals("p1") ? Optional.of(new Responses.PlaylistNext(playlistId, k, List.of("a", "b"),
                    List.of(new Responses.Recommendation(name, 0.75f, null, null)))) : Optional.empty();
        }

        @Override
        public Optional<Responses.MostSimilar> mostSimilar(List<String> positive, List<String> negative, int k) {
            return Optional.of(new Responses.MostSimilar(positive, negative, k, List.of(),
                    List.of(new Responses.Recommendation(name, 0.5f, null, null))));
        }

        @Override
        public Optional<Responses.SongsNext> next(List<String> songIds, int k) {
            return Optional.of(new Responses.SongsNext(songIds, k, List.of(),
                    List.of(new Responses.Recommendation(name, 0.5f, null, null))));
        }

        @Override
        public Responses.SongSearch search(String query, int limit) {
            return new Responses.SongSearch(query, limit, List.of(new Responses.SongInfo(name, null, null, 1)));
        }

        @Override
        public Responses.TopSongs top(int k) {
            return new Responses.TopSongs(k, List.of(new Responses.SongInfo(name, null, null, 1)));
        }

        @Override
        public Optional<HostInfo> remotePlaylistOwner(String playlistId) {
            ownerLookups.incrementAndGet();
            return Optional.ofNullable(owners.get(playlistId));
        }
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private SongHttpServer serve(Instance instance, HostInfo self) {
        return serve(instance, self, self == null ? null : new Forwarder());
    }

    private SongHttpServer serve(Instance instance, HostInfo self, Forwarder forwarder) {
        SongHttpServer server = SongHttpServer.start("127.0.0.1", 0, instance, self, forwarder);
        closing.add(server);
        return server;
    }

    /** Where a server really listens (its {@code application.server} label is only a name). */
    private static HostInfo at(SongHttpServer server) {
        return new HostInfo("127.0.0.1", server.port());
    }

    private HttpResponse<String> get(SongHttpServer server, String pathAndQuery, String... headers) throws Exception {
        return JsonHttp.get(client, server.uri().resolve(pathAndQuery), headers);
    }

    @Test
    void aPlaylistHeldElsewhereIsAnsweredByItsOwnerAndRelayed() throws Exception {
        Instance owner = new Instance("owner");
        SongHttpServer ownerServer = serve(owner, OWNER);
        Instance front = new Instance("front");
        front.owners.put("p1", at(ownerServer));
        front.owners.put("nope", at(ownerServer));
        SongHttpServer frontServer = serve(front, FRONT);

        HttpResponse<String> response = get(frontServer, "/playlists/p1/next?k=3");
        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = JSON.readTree(response.body());
        assertEquals("p1", body.get("playlistId").asText());
        assertEquals(3, body.get("k").asInt(), "the query string went along");
        assertEquals("owner", body.get("recommendations").get(0).get("songId").asText(), "the owner's state answered");
        assertEquals("owner.test:7001", servedBy(response));
        assertEquals(0, front.nextQueries.get(), "the front never asked its own state");
        assertEquals(1, owner.nextQueries.get());
        assertEquals(get(ownerServer, "/playlists/p1/next?k=3").body(), response.body(), "relayed byte for byte");

        HttpResponse<String> unknown = get(frontServer, "/playlists/nope/next");
        assertEquals(404, unknown.statusCode());
        assertEquals("unknown playlist: nope", JSON.readTree(unknown.body()).get("error").asText());
        assertEquals("owner.test:7001", servedBy(unknown));

        HttpResponse<String> local = get(frontServer, "/playlists/p2/next?k=3");
        assertEquals(404, local.statusCode(), "a playlist no other instance holds is answered here");
        assertEquals("front.test:7002", servedBy(local));
    }

    @Test
    void theOwnersErrorsAreRelayedWithRetryAfter() throws Exception {
        Instance owner = new Instance("owner");
        SongHttpServer ownerServer = serve(owner, OWNER);
        Instance front = new Instance("front");
        front.owners.put("p1", at(ownerServer));
        SongHttpServer frontServer = serve(front, FRONT);

        owner.failure = () -> new InvalidStateStoreException("store song2vec-playlists is migrating");
        HttpResponse<String> unavailable = get(frontServer, "/playlists/p1/next");
        assertEquals(503, unavailable.statusCode());
        assertEquals("1", unavailable.headers().firstValue("Retry-After").orElse(null));
        assertEquals("owner.test:7001", servedBy(unavailable));

        owner.failure = () -> new IllegalStateException("secret internals");
        HttpResponse<String> failed = get(frontServer, "/playlists/p1/next");
        assertEquals(500, failed.statusCode());
        assertEquals("{\"error\":\"internal error\"}", failed.body());
    }

    @Test
    void aForwardedRequestIsAnsweredWhereItArrivesNeverForwardedAgain() throws Exception {
        // Two instances that each believe the other holds p1 (metadata in flux during a rebalance).
        Instance a = new Instance("a");
        Instance b = new Instance("b");
        SongHttpServer serverA = serve(a, new HostInfo("a.test", 1));
        SongHttpServer serverB = serve(b, new HostInfo("b.test", 2));
        a.owners.put("p1", at(serverB));
        b.owners.put("p1", at(serverA));

        HttpResponse<String> response = get(serverA, "/playlists/p1/next");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("b.test:2", servedBy(response), "one hop, then answered");
        assertEquals("b", JSON.readTree(response.body()).get("recommendations").get(0).get("songId").asText());
        assertEquals(1, a.ownerLookups.get());
        assertEquals(0, b.ownerLookups.get(), "the forwarded request was not even considered for forwarding");
        assertEquals(0, a.nextQueries.get());
        assertEquals(1, b.nextQueries.get());

        // A client that sends the header itself only gets a local answer.
        HttpResponse<String> marked = get(serverA, "/playlists/p1/next", Forwarder.FORWARDED, "1");
        assertEquals(200, marked.statusCode());
        assertEquals("a.test:1", servedBy(marked));
        assertEquals(1, a.ownerLookups.get());
        assertEquals(1, a.nextQueries.get());
    }

    @Test
    void theForwardedRequestIsMarkedAndKeepsItsPathAndQuery() throws Exception {
        AtomicReference<String> seenUri = new AtomicReference<>();
        AtomicReference<String> seenMark = new AtomicReference<>();
        AtomicReference<String> seenMethod = new AtomicReference<>();
        HttpServer raw = rawServer(exchange -> {
            seenUri.set(exchange.getRequestURI().toString());
            seenMark.set(exchange.getRequestHeaders().getFirst(Forwarder.FORWARDED));
            seenMethod.set(exchange.getRequestMethod());
            byte[] body = "{\"playlistId\":\"p%C3%A9\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", SongHttpHandler.CONTENT_TYPE);
            exchange.sendResponseHeaders(200, "HEAD".equals(exchange.getRequestMethod()) ? -1 : body.length);
            if (!"HEAD".equals(exchange.getRequestMethod())) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        Instance front = new Instance("front");
        front.owners.put("pé", new HostInfo("127.0.0.1", raw.getAddress().getPort()));
        SongHttpServer frontServer = serve(front, FRONT);

        HttpResponse<String> response = get(frontServer, "/playlists/p%C3%A9/next?k=7");
        assertEquals(200, response.statusCode());
        assertEquals("/playlists/p%C3%A9/next?k=7", seenUri.get());
        assertEquals("1", seenMark.get());
        assertEquals("GET", seenMethod.get());
        assertEquals("{\"playlistId\":\"p%C3%A9\"}", response.body());
        assertEquals("127.0.0.1:" + raw.getAddress().getPort(), servedBy(response),
                "an owner that does not name itself is named by the address it was reached at");

        HttpResponse<String> head = client.send(HttpRequest.newBuilder(frontServer.uri().resolve("/playlists/p%C3%A9/next"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals("HEAD", seenMethod.get(), "HEAD is forwarded as HEAD");
        assertEquals(0, front.nextQueries.get());
    }

    @Test
    void anUnreachableOwnerIs503WithRetryAfterAndNoDetails() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Instance front = new Instance("front");
        front.owners.put("p1", new HostInfo("127.0.0.1", closedPort));
        SongHttpServer frontServer = serve(front, FRONT);

        HttpResponse<String> response = get(frontServer, "/playlists/p1/next");
        assertEquals(503, response.statusCode());
        assertEquals("1", response.headers().firstValue("Retry-After").orElse(null));
        String error = JSON.readTree(response.body()).get("error").asText();
        assertTrue(error.contains("not reachable"), error);
        assertFalse(response.body().contains(Integer.toString(closedPort)), "no address in the answer: " + response.body());
        assertFalse(response.body().contains("Exception"), response.body());
        assertEquals(0, front.nextQueries.get(), "not answered from the wrong state");
    }

    @Test
    void anOwnerThatDoesNotAnswerInTimeIs503() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer stuck = rawServer(exchange -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        try {
            Instance front = new Instance("front");
            front.owners.put("p1", new HostInfo("127.0.0.1", stuck.getAddress().getPort()));
            SongHttpServer frontServer = serve(front, FRONT, new Forwarder(Duration.ofSeconds(1), Duration.ofMillis(300)));

            HttpResponse<String> response = get(frontServer, "/playlists/p1/next");
            assertEquals(503, response.statusCode());
            assertEquals("1", response.headers().firstValue("Retry-After").orElse(null));
        } finally {
            release.countDown();
        }
    }

    @Test
    void anOwnerThatDoesNotAnswerJsonIs502() throws Exception {
        HttpServer html = rawServer(exchange -> {
            byte[] body = "<html>proxy error</html>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            exchange.close();
        });
        Instance front = new Instance("front");
        front.owners.put("p1", new HostInfo("127.0.0.1", html.getAddress().getPort()));
        HttpResponse<String> response = get(serve(front, FRONT), "/playlists/p1/next");
        assertEquals(502, response.statusCode());
        assertFalse(response.body().contains("html"), response.body());
    }

    @Test
    void songQueriesAreAnsweredFromTheLocalModelCopy() throws Exception {
        Instance owner = new Instance("owner");
        SongHttpServer ownerServer = serve(owner, OWNER);
        Instance front = new Instance("front");
        front.owners.put("known", at(ownerServer));
        front.owners.put("p1", at(ownerServer));
        SongHttpServer frontServer = serve(front, FRONT);

        HttpResponse<String> similar = get(frontServer, "/songs/known/similar");
        assertEquals(200, similar.statusCode());
        assertEquals("front", JSON.readTree(similar.body()).get("recommendations").get(0).get("songId").asText());
        assertEquals("front.test:7002", servedBy(similar));
        assertEquals(404, get(frontServer, "/songs/known/vector").statusCode(), "answered here (the fake has no vectors)");
        for (String query : new String[] {"/songs/similar?positive=known,p1", "/songs/next?songs=known,p1",
            "/songs?query=known", "/songs/top"}) {
            HttpResponse<String> answer = get(frontServer, query);
            assertEquals(200, answer.statusCode(), query);
            assertTrue(answer.body().contains("\"front\""), query + ": " + answer.body());
            assertEquals("front.test:7002", servedBy(answer), query);
        }
        assertEquals(0, front.ownerLookups.get(), "no routing for song queries");
        assertEquals(400, get(frontServer, "/playlists/p1/next?k=0").statusCode(), "validated before any routing");
        assertEquals(0, front.ownerLookups.get());
    }

    @Test
    void aSingleInstanceNeverForwardsAndNamesNoServer() throws Exception {
        Instance single = new Instance("single");
        single.owners.put("p1", new HostInfo("127.0.0.1", 1));
        SongHttpServer server = serve(single, null);

        HttpResponse<String> response = get(server, "/playlists/p1/next");
        assertEquals(200, response.statusCode());
        assertEquals("single", JSON.readTree(response.body()).get("recommendations").get(0).get("songId").asText());
        assertEquals(null, servedBy(response));
        assertEquals(0, single.ownerLookups.get());
    }

    @Test
    void theDecisionIsTheKeysActiveHostUnlessItIsThisInstance() {
        HostInfo self = new HostInfo("10.0.0.1", 8080);
        HostInfo other = new HostInfo("10.0.0.2", 8080);
        assertEquals(Optional.of(other),
                StreamsSongQueries.remoteOwner(new KeyQueryMetadata(other, Set.of(self), 1), self));
        assertEquals(Optional.empty(),
                StreamsSongQueries.remoteOwner(new KeyQueryMetadata(new HostInfo("10.0.0.1", 8080), Set.of(other), 0), self));
        assertEquals(Optional.of(new HostInfo("10.0.0.1", 8081)),
                StreamsSongQueries.remoteOwner(new KeyQueryMetadata(new HostInfo("10.0.0.1", 8081), Set.of(), 0), self),
                "another port on the same host is another instance");
        assertThrows(StreamsRebalancingException.class,
                () -> StreamsSongQueries.remoteOwner(KeyQueryMetadata.NOT_AVAILABLE, self),
                "no known owner: not queryable (503), never a 404 from the wrong state");
        assertThrows(StreamsRebalancingException.class, () -> StreamsSongQueries.remoteOwner(null, self));
    }

    @Test
    void streamsQueriesRouteOnlyWithAnApplicationServer() {
        assertEquals(Optional.empty(), new StreamsSongQueries(() -> null).remotePlaylistOwner("p1"),
                "a single instance does not even look at the metadata");
        HostInfo self = new HostInfo("10.0.0.1", 8080);
        SongHttpHandler.Response notStarted = new SongHttpHandler(new StreamsSongQueries(() -> null, self), self,
                new Forwarder()).respond("GET", URI.create("/playlists/p1/next"));
        assertEquals(503, notStarted.status());
        assertEquals("1", notStarted.headers().get("Retry-After"));
        assertEquals("10.0.0.1:8080", notStarted.headers().get(Forwarder.SERVED_BY));
        assertThrows(IllegalArgumentException.class, () -> new SongHttpHandler(new Instance("x"), self, null));
    }

    @Test
    void targetsKeepTheRawPathAndBracketIpv6Hosts() {
        assertEquals(URI.create("http://[::1]:8080/playlists/a%2Fb/next?k=3"),
                Forwarder.target(new HostInfo("::1", 8080), URI.create("/playlists/a%2Fb/next?k=3")));
        assertEquals(URI.create("http://streamvec-2:8080/playlists/p/next"),
                Forwarder.target(new HostInfo("streamvec-2", 8080), URI.create("/playlists/p/next")));
        assertEquals("[::1]:8080", Forwarder.address(new HostInfo("::1", 8080)));
    }

    private HttpServer rawServer(com.sun.net.httpserver.HttpHandler handler) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", handler);
        server.start();
        closing.add(() -> server.stop(0));
        return server;
    }
}
