package io.streamvec.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process implementation of the Confluent Schema Registry endpoints streamvec calls:
 * {@code POST /subjects/{subject}/versions} and {@code GET /schemas/ids/{id}}, with the registry's
 * error body ({@code error_code}, {@code message}). Counts requests so tests can check caching.
 */
final class FakeSchemaRegistryServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<String, Integer> idBySchema = new ConcurrentHashMap<>();
    private final Map<Integer, String> schemaById = new ConcurrentHashMap<>();
    final Map<String, List<Integer>> subjects = new ConcurrentHashMap<>();
    final List<String> requests = java.util.Collections.synchronizedList(new ArrayList<>());
    /** The Authorization header of each request ("none" without one). */
    final List<String> authorizations = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger nextId = new AtomicInteger(1);
    volatile int failWithStatus;

    FakeSchemaRegistryServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Stores a schema as another producer would have, returning its id. */
    int preload(String schemaJson) {
        return idBySchema.computeIfAbsent(schemaJson, s -> {
            int id = nextId.getAndIncrement();
            schemaById.put(id, s);
            return id;
        });
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        requests.add(exchange.getRequestMethod() + " " + path);
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        authorizations.add(authorization == null ? "none" : authorization);
        try (exchange) {
            if (failWithStatus != 0) {
                reply(exchange, failWithStatus, Map.of("error_code", failWithStatus * 100, "message", "induced failure"));
                return;
            }
            String[] parts = path.split("/");
            if ("POST".equals(exchange.getRequestMethod()) && parts.length == 4 && parts[1].equals("subjects")
                    && parts[3].equals("versions")) {
                if (!exchange.getRequestHeaders().getFirst("Content-Type").startsWith("application/vnd.schemaregistry")) {
                    reply(exchange, 415, Map.of("error_code", 415, "message", "unsupported media type"));
                    return;
                }
                JsonNode body = JSON.readTree(exchange.getRequestBody());
                String schema = body.path("schema").asText();
                try {
                    new org.apache.avro.Schema.Parser().parse(schema);
                } catch (RuntimeException e) {
                    reply(exchange, 422, Map.of("error_code", 42201, "message", "Invalid schema"));
                    return;
                }
                int id = preload(schema);
                String subject = URLDecoder.decode(parts[2], StandardCharsets.UTF_8);
                subjects.computeIfAbsent(subject, s -> java.util.Collections.synchronizedList(new ArrayList<>())).add(id);
                reply(exchange, 200, Map.of("id", id));
            } else if ("GET".equals(exchange.getRequestMethod()) && parts.length == 4 && parts[1].equals("schemas")
                    && parts[2].equals("ids")) {
                String schema = schemaById.get(Integer.parseInt(parts[3]));
                if (schema == null) {
                    reply(exchange, 404, Map.of("error_code", 40403, "message", "Schema " + parts[3] + " not found"));
                } else {
                    reply(exchange, 200, Map.of("schema", schema));
                }
            } else {
                reply(exchange, 404, Map.of("error_code", 404, "message", "HTTP 404 Not Found"));
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, Map<String, Object> body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
