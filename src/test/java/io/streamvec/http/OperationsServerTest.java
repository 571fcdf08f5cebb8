package io.streamvec.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.metrics.StreamvecMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operations endpoints over a real server, without Kafka Streams (state CREATED): no broker. */
class OperationsServerTest {

    private final HttpClient client = HttpClient.newHttpClient();
    private final StreamvecMetrics metrics = new StreamvecMetrics();
    private volatile Supplier<KafkaStreams> streams = () -> null;
    private OperationsServer server;

    @BeforeEach
    void start() {
        server = OperationsServer.start("127.0.0.1", 0, metrics, () -> streams.get());
    }

    @AfterEach
    void stop() {
        server.close();
        metrics.close();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(server.uri().resolve(path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void boundToLoopback() {
        assertEquals(URI.create("http://127.0.0.1:" + server.port() + "/"), server.uri());
    }

    @Test
    void getAnswers() throws Exception {
        HttpResponse<String> scrape = send("GET", "/metrics");
        assertEquals(200, scrape.statusCode());
        assertTrue(scrape.body().contains("jvm_memory_used_bytes"), "the scrape");
        assertEquals(200, send("GET", "/health/live").statusCode(), "CREATED is alive");
        assertEquals(503, send("GET", "/health/ready").statusCode(), "CREATED is not ready");
        assertEquals(404, send("GET", "/nope").statusCode());
    }

    @Test
    void headAnswersTheStatusWithoutABody() throws Exception {
        HttpResponse<String> metricsHead = send("HEAD", "/metrics");
        assertEquals(200, metricsHead.statusCode());
        assertEquals("", metricsHead.body());
        assertTrue(metricsHead.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        HttpResponse<String> ready = send("HEAD", "/health/ready");
        assertEquals(503, ready.statusCode());
        assertEquals("", ready.body());
    }

    @Test
    void readOnlyEveryOtherMethodIs405WithAllow() throws Exception {
        for (String method : new String[] {"POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"}) {
            for (String path : new String[] {"/metrics", "/health/live", "/health/ready"}) {
                HttpResponse<String> response = send(method, path);
                assertEquals(405, response.statusCode(), method + " " + path);
                assertEquals("GET, HEAD", response.headers().firstValue("Allow").orElse(null), method + " " + path);
                assertTrue(response.body().contains("\"error\""), response.body());
            }
        }
    }

    @Test
    void anUnreachableKafkaClusterIsReportedAndLivenessIgnoresIt() throws Exception {
        try (OperationsServer cut = OperationsServer.start("127.0.0.1", 0, metrics, () -> null, HttpLimits.OPERATIONS,
                () -> false)) {
            HttpResponse<String> live = client.send(HttpRequest.newBuilder(cut.uri().resolve("/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, live.statusCode(), "a broker outage is no reason to restart streamvec");
            assertTrue(live.body().contains("\"kafka\":\"unreachable\""), live.body());
            HttpResponse<String> ready = client.send(HttpRequest.newBuilder(cut.uri().resolve("/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, ready.statusCode());
            assertTrue(ready.body().contains("\"kafka\":\"unreachable\""), ready.body());
        }
        assertTrue(send("GET", "/health/live").body().contains("\"kafka\":\"reachable\""));
    }

    @Test
    void aFailureIs500WithoutDetails() throws Exception {
        streams = () -> {
            throw new IllegalStateException("secret internals");
        };
        HttpResponse<String> failed = send("GET", "/health/ready");
        assertEquals(500, failed.statusCode());
        assertEquals("{\"error\":\"internal error\"}", failed.body());
        assertFalse(failed.body().contains("secret"));
        assertFalse(failed.body().contains("IllegalStateException"));
        assertEquals(200, send("GET", "/metrics").statusCode(), "the server keeps serving");
    }
}
