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
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers every request: parses it ({@link RequestParser}), asks {@link SongQueries}, and writes JSON (HEAD:
 * the same status and headers, no body). Errors become {@code {"error": "..."}} with their status:
 * 400/404/405 from parsing, 404 for an unknown song or playlist, 503 while the stores are not queryable,
 * 500 otherwise: logged here with its stack trace, while the client sees only {@code "internal error"}.
 */
public final class SongHttpHandler implements HttpHandler {

    public static final String CONTENT_TYPE = "application/json; charset=utf-8";

    private static final Logger LOG = LoggerFactory.getLogger(SongHttpHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] INTERNAL_ERROR =
            "{\"error\":\"internal error\"}".getBytes(StandardCharsets.UTF_8);

    private final SongQueries queries;

    public SongHttpHandler(SongQueries queries) {
        this.queries = queries;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            Response response = respond(exchange.getRequestMethod(), exchange.getRequestURI());
            write(exchange, response);
        } finally {
            exchange.close();
        }
    }

    /** The status, body and extra header of a request; never throws for a bad request or unready state. */
    Response respond(String method, URI uri) {
        try {
            Route route = RequestParser.parse(method, uri.getRawPath(), uri.getRawQuery());
            return switch (route.kind()) {
                case SIMILAR_SONGS -> queries.similar(route.id(), route.k())
                        .map(body -> Response.ok(body))
                        .orElseGet(() -> Response.error(HttpError.notFound("unknown song: " + route.id())));
                case PLAYLIST_NEXT -> queries.next(route.id(), route.k())
                        .map(body -> Response.ok(body))
                        .orElseGet(() -> Response.error(HttpError.notFound("unknown playlist: " + route.id())));
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
                    "Retry-After", "1");
        } catch (RuntimeException e) {
            LOG.warn("{} {} failed", method, uri.getRawPath(), e);
            return new Response(500, new Responses.ErrorBody("internal error"), null, null);
        }
    }

    private static void write(HttpExchange exchange, Response response) throws IOException {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(response.body());
        } catch (JsonProcessingException e) {
            LOG.warn("cannot write the response of {}", exchange.getRequestURI().getRawPath(), e);
            response = new Response(500, null, null, null);
            body = INTERNAL_ERROR;
        }
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", CONTENT_TYPE);
        headers.set("Cache-Control", "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        if (response.header() != null) {
            headers.set(response.header(), response.headerValue());
        }
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(response.status(), head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** A status, a JSON body and at most one extra header. */
    record Response(int status, Object body, String header, String headerValue) {

        static Response ok(Object body) {
            return new Response(200, body, null, null);
        }

        static Response error(HttpError e) {
            return new Response(e.status(), new Responses.ErrorBody(e.getMessage()),
                    e.allow() == null ? null : "Allow", e.allow());
        }
    }
}
