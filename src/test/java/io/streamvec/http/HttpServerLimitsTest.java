package io.streamvec.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.metrics.StreamvecMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The servers under clients that are slow, many, large or simply keep their connection: keep-alive, the
 * request-header deadline, header and body limits, the connection limit and the request queue. Over a fake
 * {@link SongQueries} on loopback; every wait is bounded, and times are failsafes, never the assertion.
 */
class HttpServerLimitsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A bound for waits that should end far sooner: only a hung server reaches it. */
    private static final Duration FAILSAFE = Duration.ofSeconds(10);

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** "known" answers at once; "slow" waits until {@link #release} (bounded), counting who got in. */
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger slowEntered = new AtomicInteger();
    private final SongQueries queries = new EmptyQueries.Songs() {
        @Override
        public Optional<Responses.SimilarSongs> similar(String songId, int k) {
            if (songId.equals("slow")) {
                slowEntered.incrementAndGet();
                try {
                    release.await(FAILSAFE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Optional.of(new Responses.SimilarSongs(songId, k, List.of()));
            }
            return songId.equals("known") ? Optional.of(new Responses.SimilarSongs(songId, k, List.of(
                    new Responses.Recommendation("s2", 0.5f, "Title", "Artist")))) : Optional.empty();
        }
    };

    @AfterEach
    void close() throws Exception {
        release.countDown();
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private SongHttpServer serve(HttpLimits limits) {
        SongHttpServer server = SongHttpServer.start("127.0.0.1", 0, queries, null, limits);
        closing.add(server);
        return server;
    }

    private RawHttp connect(SongHttpServer server, Duration readTimeout) throws IOException {
        RawHttp connection = new RawHttp(server.uri(), (int) readTimeout.toMillis());
        closing.add(connection);
        return connection;
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).timeout(FAILSAFE).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String error(String body) throws IOException {
        return JSON.readTree(body).get("error").asText();
    }

    @Test
    void keepAliveAnswersEveryRequestOnOneConnection() throws Exception {
        SongHttpServer server = serve(HttpLimits.QUERIES);
        RawHttp connection = connect(server, FAILSAFE);
        int requests = 200;
        int answered = 0;
        for (int i = 0; i < requests; i++) {
            boolean head = i % 10 == 9;
            String target = i % 3 == 2 ? "/songs/nope/similar" : "/songs/known/similar?k=" + (1 + i % 5);
            connection.send(RawHttp.request(head ? "HEAD" : "GET", target));
            RawHttp.Answer answer = connection.read(head);
            assertEquals(i % 3 == 2 ? 404 : 200, answer.status(), "request " + i + ": " + answer.body());
            assertEquals(SongHttpHandler.CONTENT_TYPE, answer.header("Content-Type"));
            assertFalse("close".equalsIgnoreCase(answer.header("Connection")), "request " + i + " closed the connection");
            if (!head && answer.status() == 200) {
                assertEquals(1 + i % 5, JSON.readTree(answer.body()).get("k").asInt());
            }
            answered++;
        }
        assertEquals(requests, answered, "every request on the one connection was answered");

        // Pipelined: three requests in one write, three answers in order.
        connection.send(RawHttp.request("GET", "/songs/known/similar?k=1") + RawHttp.request("GET", "/nope")
                + RawHttp.request("GET", "/songs/known/similar?k=3"));
        assertEquals(200, connection.read(false).status());
        assertEquals(404, connection.read(false).status());
        assertEquals(3, JSON.readTree(connection.read(false).body()).get("k").asInt());
    }

    @Test
    void anIdleKeepAliveConnectionIsNotCutOffByTheHeaderDeadline() throws Exception {
        Duration deadline = Duration.ofMillis(400);
        SongHttpServer server = serve(HttpLimits.QUERIES.withRequestHeaderTimeout(deadline));
        RawHttp connection = connect(server, FAILSAFE);
        connection.send(RawHttp.request("GET", "/songs/known/similar"));
        assertEquals(200, connection.read(false).status());
        Thread.sleep(deadline.multipliedBy(3).toMillis()); // idle between requests: the idle timeout's business
        connection.send(RawHttp.request("GET", "/songs/known/similar"));
        assertEquals(200, connection.read(false).status());
        assertEquals(0, server.headerTimeouts());
    }

    /** A request line and headers sent a byte at a time, or blank lines (which start no request) forever. */
    @ParameterizedTest
    @ValueSource(strings = {"headers", "blank lines"})
    void aClientTricklingItsHeadersIsCutOffAfterTheDeadlineWhileOthersAreServed(String what) throws Exception {
        String trickle = what.equals("headers")
                ? "GET /songs/known/similar HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + "abcdefghij".repeat(20)
                : "\r\n".repeat(100);
        Duration deadline = Duration.ofSeconds(1);
        SongHttpServer server = serve(HttpLimits.QUERIES.withRequestHeaderTimeout(deadline));
        RawHttp slow = connect(server, Duration.ofMillis(50));
        byte[] bytes = trickle.getBytes(StandardCharsets.ISO_8859_1);
        long firstByte = System.nanoTime();
        int sent = 0;
        int othersAnswered = 0;
        boolean cutOff = false;
        // 10 bytes a second: the whole trickle would take 20 s or more, far past the deadline and the failsafe.
        while (sent < bytes.length && System.nanoTime() - firstByte < FAILSAFE.toNanos()) {
            try {
                slow.send(new byte[] {bytes[sent]});
            } catch (IOException e) {
                cutOff = true;
                break;
            }
            sent++;
            if (slow.closedByServer()) { // waits 50 ms for the server to close it
                cutOff = true;
                break;
            }
            if (sent % 5 == 0) {
                assertEquals(200, get(server.uri().resolve("/songs/known/similar")).statusCode());
                othersAnswered++;
            }
            Thread.sleep(50);
        }
        long elapsed = System.nanoTime() - firstByte;
        assertTrue(cutOff, "still connected after " + sent + " of " + bytes.length + " bytes");
        assertTrue(sent < bytes.length, "cut off before the headers were complete");
        assertTrue(elapsed >= deadline.toNanos(), "not before the deadline: " + elapsed / 1_000_000 + " ms");
        assertTrue(othersAnswered > 0, "other clients were served meanwhile");
        assertEquals(1, server.headerTimeouts());
        assertEquals(200, get(server.uri().resolve("/songs/known/similar")).statusCode(), "and are served after");
    }

    @Test
    void anAnswerThatTakesLongerThanTheHeaderDeadlineIsNotCutOff() throws Exception {
        Duration deadline = Duration.ofMillis(300);
        SongHttpServer server = serve(HttpLimits.QUERIES.withRequestHeaderTimeout(deadline));
        CompletableFuture<HttpResponse<String>> answer = client.sendAsync(HttpRequest.newBuilder(
                server.uri().resolve("/songs/slow/similar")).timeout(FAILSAFE).build(), HttpResponse.BodyHandlers.ofString());
        awaitTrue(() -> slowEntered.get() == 1, "the slow request reached its route");
        Thread.sleep(deadline.multipliedBy(3).toMillis());
        release.countDown();
        assertEquals(200, answer.get(FAILSAFE.toMillis(), TimeUnit.MILLISECONDS).statusCode());
        assertEquals(0, server.headerTimeouts());
    }

    @Test
    void twoHundredSlowConnectionsDoNotKeepANormalRequestWaiting() throws Exception {
        SongHttpServer server = serve(HttpLimits.QUERIES); // the defaults, as deployed
        for (int i = 0; i < 200; i++) {
            RawHttp slow = connect(server, FAILSAFE);
            // Half a request, then nothing: each holds its connection open until the header deadline.
            slow.send("GET /songs/known/similar HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + i);
        }
        // 5 s: only a failsafe. The answer needs no thread of the slow connections' (they hold none).
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(server.uri().resolve("/songs/known/similar"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("known", JSON.readTree(response.body()).get("songId").asText());
    }

    @Test
    void oversizedHeadersAre431AndAnOversizedTargetIs414() throws Exception {
        SongHttpServer server = serve(HttpLimits.QUERIES.withMaxRequestHeaderBytes(4096));
        RawHttp connection = connect(server, FAILSAFE);
        connection.send(RawHttp.request("GET", "/songs/known/similar", "X-Big: " + "x".repeat(8192)));
        RawHttp.Answer big = connection.read(false);
        assertEquals(431, big.status());
        assertEquals(SongHttpHandler.CONTENT_TYPE, big.header("Content-Type"));
        assertEquals("the request headers are too large", error(big.body()));

        RawHttp many = connect(server, FAILSAFE);
        String[] lines = new String[200];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = "X-Header-" + i + ": value-" + i;
        }
        many.send(RawHttp.request("GET", "/songs/known/similar", lines));
        assertEquals(431, many.read(false).status(), "many small headers count together");

        RawHttp longTarget = connect(server, FAILSAFE);
        longTarget.send(RawHttp.request("GET", "/songs/" + "s".repeat(8192) + "/similar"));
        RawHttp.Answer tooLong = longTarget.read(false);
        assertEquals(414, tooLong.status());
        assertTrue(JSON.readTree(tooLong.body()).has("error"));

        RawHttp justFits = connect(server, FAILSAFE);
        justFits.send(RawHttp.request("GET", "/songs/known/similar", "X-Big: " + "x".repeat(3000)));
        assertEquals(200, justFits.read(false).status());
    }

    @Test
    void oversizedBodiesAre413() throws Exception {
        SongHttpServer server = serve(HttpLimits.QUERIES.withMaxRequestBodyBytes(1024));
        HttpResponse<String> tooLarge = client.send(HttpRequest.newBuilder(server.uri().resolve("/songs/known/similar"))
                .timeout(FAILSAFE).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[2048])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, tooLarge.statusCode());
        assertEquals(SongHttpHandler.CONTENT_TYPE, tooLarge.headers().firstValue("Content-Type").orElse(null));
        assertEquals("the request body is too large", error(tooLarge.body()));

        // Within the limit the route decides (no route takes a body yet: 405).
        HttpResponse<String> fits = client.send(HttpRequest.newBuilder(server.uri().resolve("/songs/known/similar"))
                .timeout(FAILSAFE).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1024])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, fits.statusCode());
    }

    @Test
    void aFullRequestQueueAnswers503WithRetryAfter() throws Exception {
        SongHttpServer server = serve(HttpLimits.QUERIES.withMaxConcurrentRequests(1).withMaxQueuedRequests(1)
                .withMaxQueueWait(FAILSAFE));
        CompletableFuture<HttpResponse<String>> running = client.sendAsync(HttpRequest.newBuilder(
                server.uri().resolve("/songs/slow/similar")).timeout(FAILSAFE).build(), HttpResponse.BodyHandlers.ofString());
        awaitTrue(() -> slowEntered.get() == 1, "the first request holds the only turn");
        CompletableFuture<HttpResponse<String>> queued = client.sendAsync(HttpRequest.newBuilder(
                server.uri().resolve("/songs/known/similar")).timeout(FAILSAFE).build(), HttpResponse.BodyHandlers.ofString());
        awaitTrue(() -> server.queuedRequests() == 1, "the second request waits in the queue");

        HttpResponse<String> rejected = get(server.uri().resolve("/songs/known/similar"));
        assertEquals(503, rejected.statusCode());
        assertEquals("1", rejected.headers().firstValue("Retry-After").orElse(null));
        assertEquals(SongHttpHandler.CONTENT_TYPE, rejected.headers().firstValue("Content-Type").orElse(null));
        assertEquals("the server is busy; retry shortly", error(rejected.body()));
        HttpResponse<String> head = client.send(HttpRequest.newBuilder(server.uri().resolve("/songs/known/similar"))
                .timeout(FAILSAFE).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, head.statusCode());
        assertEquals("", head.body());

        release.countDown();
        assertEquals(200, running.get(FAILSAFE.toMillis(), TimeUnit.MILLISECONDS).statusCode());
        assertEquals(200, queued.get(FAILSAFE.toMillis(), TimeUnit.MILLISECONDS).statusCode(), "the queued one got its turn");
        assertEquals(200, get(server.uri().resolve("/songs/known/similar")).statusCode());
    }

    @Test
    void aRequestThatWaitsTooLongInTheQueueAnswers503WithRetryAfter() throws Exception {
        SongHttpServer server = serve(HttpLimits.QUERIES.withMaxConcurrentRequests(1).withMaxQueuedRequests(8)
                .withMaxQueueWait(Duration.ofMillis(200)));
        CompletableFuture<HttpResponse<String>> running = client.sendAsync(HttpRequest.newBuilder(
                server.uri().resolve("/songs/slow/similar")).timeout(FAILSAFE).build(), HttpResponse.BodyHandlers.ofString());
        awaitTrue(() -> slowEntered.get() == 1, "the first request holds the only turn");
        HttpResponse<String> expired = get(server.uri().resolve("/songs/known/similar"));
        assertEquals(503, expired.statusCode());
        assertEquals("1", expired.headers().firstValue("Retry-After").orElse(null));
        assertTrue(JSON.readTree(expired.body()).has("error"));
        release.countDown();
        assertEquals(200, running.get(FAILSAFE.toMillis(), TimeUnit.MILLISECONDS).statusCode());
    }

    @Test
    void connectionsBeyondTheLimitWaitUntilOneCloses() throws Exception {
        SongHttpServer server = serve(HttpLimits.QUERIES.withMaxConnections(2));
        RawHttp first = connect(server, FAILSAFE);
        RawHttp second = connect(server, FAILSAFE);
        for (RawHttp connection : List.of(first, second)) {
            connection.send(RawHttp.request("GET", "/songs/known/similar"));
            assertEquals(200, connection.read(false).status());
        }
        RawHttp third = connect(server, Duration.ofMillis(500)); // the kernel completes the handshake
        third.send(RawHttp.request("GET", "/songs/known/similar"));
        assertFalse(third.closedByServer(), "not answered (nor closed) while two connections are open");
        first.close();
        third.socket.setSoTimeout((int) FAILSAFE.toMillis());
        assertEquals(200, third.read(false).status(), "answered once a connection closed");
    }

    @Test
    void theOperationsServerAnswersWhileEveryQueryTurnIsTaken() throws Exception {
        SongHttpServer server = serve(HttpLimits.QUERIES.withMaxConcurrentRequests(2).withMaxQueuedRequests(4)
                .withMaxQueueWait(FAILSAFE));
        StreamvecMetrics metrics = new StreamvecMetrics();
        closing.add(metrics);
        OperationsServer operations = OperationsServer.start("127.0.0.1", 0, metrics, () -> null);
        closing.add(operations);
        List<CompletableFuture<HttpResponse<String>>> busy = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            busy.add(client.sendAsync(HttpRequest.newBuilder(server.uri().resolve("/songs/slow/similar"))
                    .timeout(FAILSAFE).build(), HttpResponse.BodyHandlers.ofString()));
        }
        awaitTrue(() -> slowEntered.get() == 2 && server.queuedRequests() == 4, "two running, four queued");
        assertEquals(503, get(server.uri().resolve("/songs/known/similar")).statusCode(), "the query server is full");

        HttpResponse<String> scrape = get(operations.uri().resolve("/metrics"));
        assertEquals(200, scrape.statusCode());
        assertTrue(scrape.body().contains("jvm_memory_used_bytes"));
        assertEquals(200, get(operations.uri().resolve("/health/live")).statusCode());

        release.countDown();
        for (CompletableFuture<HttpResponse<String>> request : busy) {
            assertEquals(200, request.get(FAILSAFE.toMillis(), TimeUnit.MILLISECONDS).statusCode());
        }
    }

    @Test
    void theOperationsServerHasTheSameLimits() throws Exception {
        StreamvecMetrics metrics = new StreamvecMetrics();
        closing.add(metrics);
        OperationsServer operations = OperationsServer.start("127.0.0.1", 0, metrics, () -> null,
                HttpLimits.OPERATIONS.withRequestHeaderTimeout(Duration.ofMillis(500)).withMaxRequestHeaderBytes(2048));
        closing.add(operations);

        RawHttp big = new RawHttp(operations.uri(), (int) FAILSAFE.toMillis());
        closing.add(big);
        big.send(RawHttp.request("GET", "/metrics", "X-Big: " + "x".repeat(4096)));
        RawHttp.Answer tooLarge = big.read(false);
        assertEquals(431, tooLarge.status());
        assertEquals("the request headers are too large", error(tooLarge.body()));

        RawHttp slow = new RawHttp(operations.uri(), (int) FAILSAFE.toMillis());
        closing.add(slow);
        slow.send("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1");
        assertTrue(slow.closedByServer(), "half a request is cut off after the header deadline");

        RawHttp keepAlive = new RawHttp(operations.uri(), (int) FAILSAFE.toMillis());
        closing.add(keepAlive);
        for (int i = 0; i < 50; i++) {
            keepAlive.send(RawHttp.request("GET", "/health/live"));
            assertEquals(200, keepAlive.read(false).status(), "request " + i);
        }
    }

    @Test
    void http2CleartextByUpgradeAndByPriorKnowledge() throws Exception {
        SongHttpServer server = serve(HttpLimits.QUERIES);
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        URI uri = server.uri().resolve("/songs/known/similar?k=2");
        HttpResponse<String> upgraded = h2.send(HttpRequest.newBuilder(uri).timeout(FAILSAFE).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, upgraded.version());
        assertEquals(200, upgraded.statusCode());
        assertEquals(SongHttpHandler.CONTENT_TYPE, upgraded.headers().firstValue("Content-Type").orElse(null));
        assertEquals(2, JSON.readTree(upgraded.body()).get("k").asInt());
        for (int i = 0; i < 20; i++) { // then over the same HTTP/2 connection
            HttpResponse<String> again = h2.send(HttpRequest.newBuilder(uri).timeout(FAILSAFE).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, again.version());
            assertEquals(200, again.statusCode());
        }
        HttpResponse<String> head = h2.send(HttpRequest.newBuilder(uri).timeout(FAILSAFE)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());

        // Prior knowledge: the HTTP/2 connection preface straight away, no upgrade.
        RawHttp raw = connect(server, FAILSAFE);
        raw.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
        raw.send(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
        byte[] frameHeader = raw.socket.getInputStream().readNBytes(9);
        assertEquals(9, frameHeader.length);
        assertEquals(4, frameHeader[3], "the server answers with its SETTINGS frame");
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + FAILSAFE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + FAILSAFE + ": " + what);
            }
            Thread.sleep(10);
        }
    }
}
