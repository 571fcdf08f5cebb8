package io.streamvec.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.metrics.StreamvecMetrics;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations endpoints, on their own port ({@code metrics.port}): {@code GET /metrics} (Prometheus
 * text format), {@code GET /health/live} (200 unless Kafka Streams has failed or stopped) and
 * {@code GET /health/ready} (200 only while RUNNING and the Kafka cluster answers), both with the state and per-thread details as JSON.
 * Read-only: GET and HEAD, else 405 with {@code Allow: GET, HEAD}. A failure answers 500 with
 * {@code {"error": "internal error"}} (logged here, never shown to the client).
 *
 * <p>Its own Jetty server, thread pool and limits ({@link HttpLimits#OPERATIONS}): however loaded the query
 * server is, a scrape or a health probe gets a thread here.
 */
public final class OperationsServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OperationsServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JettyServer server;

    private OperationsServer(JettyServer server) {
        this.server = server;
    }

    public static OperationsServer start(String host, int port, StreamvecMetrics metrics,
                                         Supplier<KafkaStreams> streams) {
        return start(host, port, metrics, streams, HttpLimits.OPERATIONS);
    }

    public static OperationsServer start(String host, int port, StreamvecMetrics metrics,
                                         Supplier<KafkaStreams> streams, HttpLimits limits) {
        return start(host, port, metrics, streams, limits, () -> true);
    }

    /**
     * With {@code kafkaReachable}: whether the Kafka cluster answers. Kafka Streams stays RUNNING while every
     * broker is down, so readiness needs both.
     */
    public static OperationsServer start(String host, int port, StreamvecMetrics metrics,
                                         Supplier<KafkaStreams> streams, HttpLimits limits,
                                         BooleanSupplier kafkaReachable) {
        JettyServer server;
        try {
            server = JettyServer.start("streamvec-operations-http", host, port, limits,
                    new Routes(metrics, streams, kafkaReachable));
        } catch (Exception e) {
            throw new IllegalStateException("cannot bind the metrics endpoint to " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
        OperationsServer operations = new OperationsServer(server);
        LOG.info("metrics and health at {}", operations.uri());
        return operations;
    }

    public int port() {
        return server.port();
    }

    public URI uri() {
        return server.uri();
    }

    @Override
    public void close() {
        server.close();
    }

    /** The endpoints, a blocking handler on the server's own pool. */
    private static final class Routes extends Handler.Abstract {

        private final StreamvecMetrics metrics;
        private final Supplier<KafkaStreams> streams;
        private final BooleanSupplier kafkaReachable;

        Routes(StreamvecMetrics metrics, Supplier<KafkaStreams> streams, BooleanSupplier kafkaReachable) {
            super(InvocationType.BLOCKING);
            this.metrics = metrics;
            this.streams = streams;
            this.kafkaReachable = kafkaReachable;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Answer answer;
            try {
                answer = route(request.getMethod(), request.getHttpURI().getPath());
            } catch (RuntimeException e) {
                LOG.warn("{} {} failed", request.getMethod(), request.getHttpURI().getPath(), e);
                answer = json(500, Map.of("error", "internal error"));
            }
            HttpFields.Mutable headers = response.getHeaders();
            response.setStatus(answer.status());
            headers.put(HttpHeader.CONTENT_TYPE, answer.contentType());
            headers.put(HttpHeader.CACHE_CONTROL, "no-store");
            headers.put("X-Content-Type-Options", "nosniff");
            if (answer.status() == 405) {
                headers.put(HttpHeader.ALLOW, RequestParser.ALLOW);
            }
            headers.put(HttpHeader.CONTENT_LENGTH, answer.body().length);
            boolean head = "HEAD".equals(request.getMethod());
            response.write(true, head ? null : ByteBuffer.wrap(answer.body()), callback); // HEAD: headers only
            return true;
        }

        private Answer route(String method, String path) {
            if (!"GET".equals(method) && !"HEAD".equals(method)) {
                return json(405, Map.of("error", "the operations endpoints are read-only; use " + RequestParser.ALLOW));
            }
            return switch (path == null ? "" : path) {
                case "/metrics" -> new Answer(200, "text/plain; version=0.0.4; charset=utf-8",
                        metrics.scrape().getBytes(StandardCharsets.UTF_8));
                case "/health/live" -> health(false);
                case "/health/ready" -> health(true);
                default -> json(404, Map.of("error", "no such resource: use /metrics, /health/live or /health/ready"));
            };
        }

        private Answer health(boolean readiness) {
            KafkaStreams kafkaStreams = streams.get();
            KafkaStreams.State state = kafkaStreams == null ? KafkaStreams.State.CREATED : kafkaStreams.state();
            boolean reachable = kafkaReachable.getAsBoolean();
            boolean ok = readiness ? state == KafkaStreams.State.RUNNING && reachable
                    : state != KafkaStreams.State.ERROR && state != KafkaStreams.State.PENDING_ERROR
                            && state != KafkaStreams.State.NOT_RUNNING && state != KafkaStreams.State.PENDING_SHUTDOWN;
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", ok ? "UP" : "DOWN");
            body.put("state", state.name());
            body.put("kafka", reachable ? "reachable" : "unreachable");
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
            return json(ok ? 200 : 503, body);
        }

        private static Answer json(int status, Object body) {
            try {
                return new Answer(status, SongHttpHandler.CONTENT_TYPE, JSON.writeValueAsBytes(body));
            } catch (IOException e) {
                LOG.warn("cannot write an operations answer", e);
                return new Answer(500, SongHttpHandler.CONTENT_TYPE,
                        "{\"error\":\"internal error\"}".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** A status, content type and body. */
    private record Answer(int status, String contentType, byte[] body) {}
}
