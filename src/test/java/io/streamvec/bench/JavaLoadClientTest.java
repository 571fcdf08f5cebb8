package io.streamvec.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class JavaLoadClientTest {

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void readsAnswersOneAfterAnotherOffOneConnection() throws IOException {
        InputStream in = stream("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
                + "{\"ok\":true}"
                + "HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}"
                + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3;ext=1\r\nefg\r\n0\r\nX-Trailer: 1\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\n"
                + "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        assertEquals(new JavaLoadClient.Answer(200, true, 11), JavaLoadClient.readAnswer(in));
        assertEquals(new JavaLoadClient.Answer(404, true, 2), JavaLoadClient.readAnswer(in));
        assertEquals(new JavaLoadClient.Answer(200, true, 7), JavaLoadClient.readAnswer(in));
        assertEquals(new JavaLoadClient.Answer(204, true, 0), JavaLoadClient.readAnswer(in));
        assertEquals(new JavaLoadClient.Answer(503, false, 0), JavaLoadClient.readAnswer(in));
        assertThrows(EOFException.class, () -> JavaLoadClient.readAnswer(in));
    }

    @Test
    void http10KeepsTheConnectionOnlyWhenAskedTo() throws IOException {
        assertFalse(JavaLoadClient.readAnswer(stream("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")).keepAlive());
        assertTrue(JavaLoadClient.readAnswer(
                stream("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")).keepAlive());
    }

    @Test
    void rejectsWhatIsNotAnHttp1Answer() {
        assertThrows(IOException.class, () -> JavaLoadClient.readAnswer(stream("SSH-2.0-OpenSSH\r\n\r\n")));
        assertThrows(IOException.class, () -> JavaLoadClient.readAnswer(stream("HTTP/1.1 200 OK\r\n\r\n")));
        assertThrows(EOFException.class,
                () -> JavaLoadClient.readAnswer(stream("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")));
    }

    @Test
    void theRequestIsAKeepAliveGet() {
        assertEquals("GET /songs/1/similar?k=10 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept: application/json\r\n\r\n",
                new String(JavaLoadClient.request("/songs/1/similar?k=10", "127.0.0.1:8080"), StandardCharsets.ISO_8859_1));
    }

    @Test
    void summarisesTheLatenciesInMilliseconds() {
        Histogram latencies = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
        for (int ms = 1; ms <= 1000; ms++) {
            latencies.recordValue(TimeUnit.MILLISECONDS.toNanos(ms));
        }
        HttpLoadClient.Result result = JavaLoadClient.result(latencies, 3, 2.0);
        assertEquals(1000, result.requests());
        assertEquals(3, result.errors());
        assertEquals(500.0, result.requestsPerSecond(), 1e-9);
        assertEquals(500.5, result.meanMs(), 1.0);
        assertEquals(500, result.p50Ms(), 1.0);
        assertEquals(990, result.p99Ms(), 1.0);
        assertEquals(999, result.p999Ms(), 1.0);
        assertEquals(1000, result.maxMs(), 1.0);
    }

    @Test
    void countsEveryAnswerAndTheOnesThatAreNot2xxAsErrors() throws Exception {
        try (LoopbackHttpServer server = new LoopbackHttpServer(4)) {
            int connections = 3;
            HttpLoadClient.Result result = new JavaLoadClient().run(server.uri(), List.of("/a", "/b", "/c"),
                    connections, Duration.ofMillis(300));
            assertTrue(result.requests() > 0, result.toString());
            // Every 4th answer overall is a 404; a connection may stop with its request in flight, unanswered.
            assertTrue(server.requests() - result.requests() <= connections, result + " of " + server.requests());
            assertTrue(Math.abs(result.errors() - server.requests() / 4) <= connections, result.toString());
            assertTrue(result.p50Ms() > 0 && result.p50Ms() <= result.p99Ms() && result.p99Ms() <= result.maxMs(),
                    result.toString());
        }
    }

    @Test
    void aPacedConnectionWaitsBetweenRequests() throws Exception {
        try (LoopbackHttpServer server = new LoopbackHttpServer(0)) {
            HttpLoadClient.Result result = new JavaLoadClient(Duration.ofDays(1)).run(server.uri(), List.of("/metrics"),
                    1, Duration.ofMillis(200));
            assertEquals(1, result.requests());
            assertEquals(0, result.errors());
        }
    }

    @Test
    void onceTimesOneRequestOnANewConnection() throws Exception {
        try (LoopbackHttpServer server = new LoopbackHttpServer(2)) {
            assertTrue(JavaLoadClient.once(server.uri(), "/songs/1/similar") > 0);
            IOException notFound = assertThrows(IOException.class, () -> JavaLoadClient.once(server.uri(), "/x"));
            assertTrue(notFound.getMessage().contains("404"), notFound.getMessage());
        }
    }
}
