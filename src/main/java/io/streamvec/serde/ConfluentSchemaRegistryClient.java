package io.streamvec.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A client for the Confluent Schema Registry REST API: registers schemas under a subject
 * ({@code POST /subjects/{subject}/versions}) and fetches schemas by id ({@code GET /schemas/ids/{id}}).
 * Answers are cached for the life of the client: ids are immutable in a registry.
 *
 * <p>User info in the URL ({@code https://user:password@registry:8081}, percent-encoded) becomes HTTP basic
 * authentication. The credentials never appear in a message, a log line or a request URI: the client keeps
 * the URL without them, and its errors name only scheme, host and port.
 */
public final class ConfluentSchemaRegistryClient implements SchemaRegistry {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI baseUri;
    private final String authorization;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final Map<String, Map<Schema, Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

    public ConfluentSchemaRegistryClient(String url) {
        this(url, Duration.ofSeconds(10));
    }

    public ConfluentSchemaRegistryClient(String url, Duration requestTimeout) {
        String trimmed = url.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            // Not e.getMessage(): it quotes the whole URL, credentials included.
            throw new IllegalArgumentException("schema.registry.url is not a URL: " + e.getReason() + " at index "
                    + e.getIndex());
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("schema.registry.url must be http:// or https://, got scheme "
                    + uri.getScheme());
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("schema.registry.url has no valid host name");
        }
        this.baseUri = URI.create(uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
                + (uri.getRawPath() == null ? "" : uri.getRawPath()));
        this.authorization = uri.getUserInfo() == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString(uri.getUserInfo().getBytes(StandardCharsets.UTF_8));
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(requestTimeout).build();
    }

    @Override
    public int register(String subject, Schema schema) {
        Map<Schema, Integer> ids = idsBySubject.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Integer cached = ids.get(schema);
        if (cached != null) {
            return cached;
        }
        String body;
        try {
            body = JSON.writeValueAsString(Map.of("schema", schema.toString()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String path = "/subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "/versions";
        JsonNode answer = send(HttpRequest.newBuilder(uri(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)), "register " + schema.getFullName()
                + " under subject " + subject);
        JsonNode id = answer.get("id");
        if (id == null || !id.canConvertToInt()) {
            throw new SchemaRegistryException("schema registry answered registration without an id: " + answer);
        }
        ids.put(schema, id.asInt());
        schemasById.putIfAbsent(id.asInt(), schema);
        return id.asInt();
    }

    @Override
    public Schema schemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = send(HttpRequest.newBuilder(uri("/schemas/ids/" + id)).GET(), "fetch schema id " + id);
        JsonNode type = answer.get("schemaType");
        if (type != null && !"AVRO".equals(type.asText())) {
            throw new SchemaRegistryException("schema id " + id + " is a " + type.asText()
                    + " schema; streamvec reads Avro only");
        }
        JsonNode text = answer.get("schema");
        if (text == null || !text.isTextual()) {
            throw new SchemaRegistryException("schema registry answered id " + id + " without a schema");
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(text.asText());
        } catch (RuntimeException e) {
            throw new SchemaRegistryException("schema id " + id + " is not a valid Avro schema: " + e.getMessage(),
                    false, e);
        }
        Schema previous = schemasById.putIfAbsent(id, schema);
        return previous != null ? previous : schema;
    }

    @Override
    public String describe() {
        // The URL may carry user info; show only scheme, host and port.
        return "Confluent schema registry at " + baseUri.getScheme() + "://" + baseUri.getHost()
                + (baseUri.getPort() >= 0 ? ":" + baseUri.getPort() : "");
    }

    private URI uri(String path) {
        return URI.create(baseUri + path);
    }

    private JsonNode send(HttpRequest.Builder request, String what) {
        request.timeout(requestTimeout)
                .header("Accept", CONTENT_TYPE)
                .header("Content-Type", CONTENT_TYPE);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpRequest built = request.build();
        HttpResponse<String> response;
        try {
            response = http.send(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SchemaRegistryException("could not " + what + ": " + describe() + " unreachable ("
                    + e.getClass().getSimpleName() + ")", true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted while trying to " + what, true, e);
        }
        int status = response.statusCode();
        JsonNode body;
        try {
            body = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new SchemaRegistryException("could not " + what + ": HTTP " + status + " with a body that is not JSON",
                    status >= 500, e);
        }
        if (status / 100 != 2) {
            String message = body.path("message").asText("no message");
            int errorCode = body.path("error_code").asInt(status);
            // Only "not found" is the record's fault (an unknown id or subject); authentication, rate limits
            // and server errors are the registry's, and must not dead-letter good records.
            throw new SchemaRegistryException("could not " + what + ": HTTP " + status + ", error_code " + errorCode
                    + ": " + message, status != 404 && status != 422, null);
        }
        return body;
    }
}
