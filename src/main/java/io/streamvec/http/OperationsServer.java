package io.streamvec.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.streamvec.metrics.StreamvecMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations endpoints, on their own port ({@code metrics.port}): {@code GET /metrics} (Prometheus
 * text format), {@code GET /health/live} (200 unless Kafka Streams has failed or stopped) and
 * {@code GET /health/ready} (200 only while RUNNING), both with the state and per-thread details as JSON.
 * Read-only: GET and HEAD, else 405 with {@code Allow: GET, HEAD}. A failure answers 500 with
 * {@code {"error": "internal error"}} (logged here, never shown to the client).
 */
public final class OperationsServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OperationsServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final StreamvecMetrics metrics;
    private final Supplier<KafkaStreams> streams;

    private OperationsServer(HttpServer server, StreamvecMetrics metrics, Supplier<KafkaStreams> streams) {
        this.server = server;
        this.metrics = metrics;
        this.streams = streams;
    }

    public static OperationsServer start(String host, int port, StreamvecMetrics metrics,
                                         Supplier<KafkaStreams> streams) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind the metrics endpoint to " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
        OperationsServer operations = new OperationsServer(server, metrics, streams);
        server.createContext("/", operations::handle);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "streamvec-operations-http");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
        LOG.info("metrics and health at {}", operations.uri());
        return operations;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI uri() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + port() + "/");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                route(exchange);
            } catch (RuntimeException e) {
                LOG.warn("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), e);
                if (exchange.getResponseCode() < 0) { // nothing sent yet
                    json(exchange, 500, Map.of("error", "internal error"));
                }
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            exchange.getResponseHeaders().set("Allow", RequestParser.ALLOW);
            json(exchange, 405, Map.of("error", "the operations endpoints are read-only; use " + RequestParser.ALLOW));
            return;
        }
        switch (exchange.getRequestURI().getPath()) {
            case "/metrics" -> send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
            case "/health/live" -> health(exchange, false);
            case "/health/ready" -> health(exchange, true);
            default -> json(exchange, 404, Map.of("error", "no such resource: use /metrics, /health/live or /health/ready"));
        }
    }

    private void health(HttpExchange exchange, boolean readiness) throws IOException {
        KafkaStreams kafkaStreams = streams.get();
        KafkaStreams.State state = kafkaStreams == null ? KafkaStreams.State.CREATED : kafkaStreams.state();
        boolean ok = readiness ? state == KafkaStreams.State.RUNNING
                : state != KafkaStreams.State.ERROR && state != KafkaStreams.State.PENDING_ERROR
                        && state != KafkaStreams.State.NOT_RUNNING && state != KafkaStreams.State.PENDING_SHUTDOWN;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", ok ? "UP" : "DOWN");
        body.put("state", state.name());
        List<Map<String, Object>> threads = new ArrayList<>();
        if (kafkaStreams != null && state.isRunningOrRebalancing()) {
            for (ThreadMetadata thread : kafkaStreams.metadataForLocalThreads()) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("name", thread.threadName());
                t.put("state", thread.threadState());
                t.put("activeTasks", thread.activeTasks().stream().map(task -> task.taskId().toString()).toList());
                t.put("standbyTasks", thread.standbyTasks().stream().map(task -> task.taskId().toString()).toList());
                threads.add(t);
            }
        }
        body.put("threads", threads);
        json(exchange, ok ? 200 : 503, body);
    }

    private static void json(HttpExchange exchange, int status, Object body) throws IOException {
        send(exchange, status, "application/json; charset=utf-8", JSON.writeValueAsString(body));
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(status, -1); // headers only
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
