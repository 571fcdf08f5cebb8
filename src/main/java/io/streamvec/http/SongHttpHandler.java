package io.streamvec.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers every request: parses it ({@link RequestParser}), asks {@link SongQueries}, and writes JSON (HEAD:
 * the same status and headers, no body). Errors become {@code {"error": "..."}} with their status:
 * 400/404/405 from parsing, 404 for an unknown song or playlist, 503 while the stores are not queryable,
 * 500 otherwise: logged here with its stack trace, while the client sees only {@code "internal error"}.
 *
 * <p>With several instances ({@code application.server} set: {@code self}), a playlist query whose playlist
 * another instance holds is sent on to that instance by the {@link Forwarder} and its answer relayed; a
 * request that was itself forwarded ({@value Forwarder#FORWARDED}) is always answered here. Song queries are
 * never forwarded: they answer from this instance's model copy. Every answer then names the instance whose
 * state answered it in {@value Forwarder#SERVED_BY}.
 */
public final class SongHttpHandler implements HttpHandler {

    public static final String CONTENT_TYPE = "application/json; charset=utf-8";

    private static final Logger LOG = LoggerFactory.getLogger(SongHttpHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] INTERNAL_ERROR =
            "{\"error\":\"internal error\"}".getBytes(StandardCharsets.UTF_8);

    private final SongQueries queries;
    private final Forwarder forwarder;
    private final String servedBy;

    /** A single instance: every query is answered from local state. */
    public SongHttpHandler(SongQueries queries) {
        this(queries, null, null);
    }

    /**
     * {@code self} is this instance's {@code application.server}; null for a single instance, which forwards
     * nothing ({@code forwarder} is then unused and may be null).
     */
    public SongHttpHandler(SongQueries queries, HostInfo self, Forwarder forwarder) {
        if (self != null && forwarder == null) {
            throw new IllegalArgumentException("an instance with an application.server needs a forwarder");
        }
        this.queries = queries;
        this.forwarder = self == null ? null : forwarder;
        this.servedBy = self == null ? null : Forwarder.address(self);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            boolean forwarded = exchange.getRequestHeaders().getFirst(Forwarder.FORWARDED) != null;
            Response response = respond(exchange.getRequestMethod(), exchange.getRequestURI(), forwarded);
            write(exchange, response);
        } finally {
            exchange.close();
        }
    }

    /** The answer to a request that came from a client (not forwarded by another instance). */
    Response respond(String method, URI uri) {
        return respond(method, uri, false);
    }

    /**
     * The status, body and extra headers of a request; never throws for a bad request or unready state.
     * {@code forwarded}: another instance sent it on, so it is answered here whatever the metadata says.
     */
    Response respond(String method, URI uri, boolean forwarded) {
        Response response = answer(method, uri, forwarded);
        return servedBy == null || response.headers().containsKey(Forwarder.SERVED_BY) ? response
                : response.withHeader(Forwarder.SERVED_BY, servedBy);
    }

    private Response answer(String method, URI uri, boolean forwarded) {
        try {
            Route route = RequestParser.parse(method, uri.getRawPath(), uri.getRawQuery());
            return switch (route.kind()) {
                case SIMILAR_SONGS -> queries.similar(route.id(), route.k())
                        .map(body -> Response.ok(body))
                        .orElseGet(() -> Response.error(HttpError.notFound("unknown song: " + route.id())));
                case PLAYLIST_NEXT -> {
                    Optional<HostInfo> owner = forwarder == null || forwarded ? Optional.empty()
                            : queries.remotePlaylistOwner(route.id());
                    if (owner.isPresent()) {
                        yield forwarder.forward(owner.get(), method, uri);
                    }
                    yield queries.next(route.id(), route.k())
                            .map(body -> Response.ok(body))
                            .orElseGet(() -> Response.error(HttpError.notFound("unknown playlist: " + route.id())));
                }
                case SONG_VECTOR -> queries.vector(route.id())
                        .map(body -> Response.ok(body))
                        .orElseGet(() -> Response.error(HttpError.notFound("unknown song: " + route.id())));
            };
        } catch (HttpError e) {
            return Response.error(e);
        } catch (InvalidStateStoreException e) {
            LOG.debug("stores not queryable: {}", e.toString());
            return new Response(503, new Responses.ErrorBody(
                    "the song stores are not queryable right now (starting up or rebalancing); retry shortly"),
                    Map.of("Retry-After", "1"));
        } catch (RuntimeException e) {
            LOG.warn("{} {} failed", method, uri.getRawPath(), e);
            return new Response(500, new Responses.ErrorBody("internal error"), Map.of());
        }
    }

    private static void write(HttpExchange exchange, Response response) throws IOException {
        byte[] body;
        if (response.body() instanceof Relayed relayed) {
            body = relayed.json();
        } else {
            try {
                body = JSON.writeValueAsBytes(response.body());
            } catch (JsonProcessingException e) {
                LOG.warn("cannot write the response of {}", exchange.getRequestURI().getRawPath(), e);
                response = new Response(500, null, Map.of());
                body = INTERNAL_ERROR;
            }
        }
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", CONTENT_TYPE);
        headers.set("Cache-Control", "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        response.headers().forEach(headers::set);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(response.status(), head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The JSON body another instance answered, relayed byte for byte. */
    record Relayed(byte[] json) {}

    /** A status, a JSON body (an object to serialize, or {@link Relayed}) and extra headers. */
    record Response(int status, Object body, Map<String, String> headers) {

        Response {
            headers = Map.copyOf(headers);
        }

        static Response ok(Object body) {
            return new Response(200, body, Map.of());
        }

        static Response error(HttpError e) {
            return new Response(e.status(), new Responses.ErrorBody(e.getMessage()),
                    e.allow() == null ? Map.of() : Map.of("Allow", e.allow()));
        }

        Response withHeader(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Response(status, body, more);
        }
    }
}
