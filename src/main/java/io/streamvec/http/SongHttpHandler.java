package io.streamvec.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers every request: parses it ({@link RequestParser}), asks {@link SongQueries}, and writes JSON (HEAD:
 * the same status and headers, no body). Errors become {@code {"error": "..."}} with their status:
 * 400/404/405 from parsing, 404 for an unknown song or playlist (or a list of songs none of which is known), 503 while the stores are not queryable,
 * 500 otherwise: logged here with its stack trace, while the client sees only {@code "internal error"}.
 *
 * <p>With several instances ({@code application.server} set: {@code self}), a playlist query whose playlist
 * another instance holds is sent on to that instance by the {@link Forwarder} and its answer relayed; a
 * request that was itself forwarded ({@value Forwarder#FORWARDED}) is always answered here. Song queries are
 * never forwarded: they answer from this instance's model copy. Every answer then names the instance whose
 * state answered it in {@value Forwarder#SERVED_BY}.
 *
 * <p>A blocking Jetty handler: Jetty runs it on a thread of the server's pool, one request at a time per
 * call, and it writes the whole answer (with its {@code Content-Length}) in one go.
 */
public final class SongHttpHandler extends Handler.Abstract {

    public static final String CONTENT_TYPE = "application/json; charset=utf-8";

    private static final Logger LOG = LoggerFactory.getLogger(SongHttpHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] INTERNAL_ERROR =
            "{\"error\":\"internal error\"}".getBytes(StandardCharsets.UTF_8);

    private final SongQueries queries;
    private final TextQueries texts;
    private final ExplorerQueries explorer;
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
        this(queries, TextQueries.NONE, self, forwarder);
    }

    /** With the text routes ({@code /texts/...}, {@code POST /embed}) answered by {@code texts}. */
    public SongHttpHandler(SongQueries queries, TextQueries texts, HostInfo self, Forwarder forwarder) {
        this(queries, texts, ExplorerQueries.NONE, self, forwarder);
    }

    /** With the explorer's routes ({@code /songs/map}, {@code /stats}) answered by {@code explorer}, and its page. */
    public SongHttpHandler(SongQueries queries, TextQueries texts, ExplorerQueries explorer, HostInfo self,
                           Forwarder forwarder) {
        super(InvocationType.BLOCKING);
        if (self != null && forwarder == null) {
            throw new IllegalArgumentException("an instance with an application.server needs a forwarder");
        }
        this.queries = queries;
        this.texts = texts;
        this.explorer = explorer;
        this.forwarder = self == null ? null : forwarder;
        this.servedBy = self == null ? null : Forwarder.address(self);
    }

    @Override
    public boolean handle(Request request, org.eclipse.jetty.server.Response response, Callback callback) {
        HttpURI uri = request.getHttpURI();
        boolean forwarded = request.getHeaders().contains(Forwarder.FORWARDED);
        boolean part = request.getHeaders().contains(TextRoutes.PART);
        Response answer; // a body the route does not read is dropped after the answer (BodyDrain)
        if (ExplorerAssets.owns(uri.getPath())) {
            answer = serveAsset(request, uri.getPath(), response, callback);
            if (answer == null) {
                return true; // written
            }
        } else if ("POST".equals(request.getMethod()) && "/embed".equals(uri.getPath())) {
            answer = respondToPost(request, uri);
        } else {
            answer = respond(request.getMethod(), uri.getPath(), uri.getQuery(), forwarded, part, null);
        }
        write(request.getMethod(), uri.getPath(), answer, response, callback);
        return true;
    }

    /**
     * Writes the explorer file at this raw path and returns null; or returns the error to answer: 404 for a path
     * no file has (checked against the raw path: only exact names exist, so dot segments and encodings find
     * nothing), 405 for a method other than GET or HEAD. A request whose If-None-Match names the file's ETag gets
     * 304 without a body.
     */
    private static Response serveAsset(Request request, String rawPath, org.eclipse.jetty.server.Response response,
                                       Callback callback) {
        Optional<ExplorerAssets.Asset> found = ExplorerAssets.find(rawPath);
        if (found.isEmpty()) {
            return Response.error(HttpError.notFound("no such file of the explorer page"));
        }
        String method = request.getMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            return Response.error(HttpError.methodNotAllowed(method, RequestParser.ALLOW));
        }
        ExplorerAssets.Asset asset = found.get();
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.CACHE_CONTROL, "no-cache"); // kept, revalidated by ETag: a new jar shows at once
        headers.put(HttpHeader.ETAG, asset.etag());
        headers.put("Content-Security-Policy", ExplorerAssets.CONTENT_SECURITY_POLICY);
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("X-Frame-Options", "DENY");
        String ifNoneMatch = request.getHeaders().get(HttpHeader.IF_NONE_MATCH);
        if (ifNoneMatch != null && ifNoneMatch.contains(asset.etag())) {
            response.setStatus(304);
            response.write(true, null, callback);
            return null;
        }
        response.setStatus(200);
        headers.put(HttpHeader.CONTENT_TYPE, asset.contentType());
        headers.put(HttpHeader.CONTENT_LENGTH, asset.bytes().length);
        response.write(true, "HEAD".equals(method) ? null : ByteBuffer.wrap(asset.bytes()), callback);
        return null;
    }

    /** The answer to a request that came from a client (not forwarded by another instance). */
    Response respond(String method, URI uri) {
        return respond(method, uri.getRawPath(), uri.getRawQuery(), false);
    }

    /**
     * The status, body and extra headers of a request; never throws for a bad request or unready state.
     * {@code forwarded}: another instance sent it on, so it is answered here whatever the metadata says.
     */
    Response respond(String method, String rawPath, String rawQuery, boolean forwarded) {
        return respond(method, rawPath, rawQuery, forwarded, false, null);
    }

    /** The body of a POST, read whole (the server's body limit, 413, applies); else the error to answer. */
    private Response respondToPost(Request request, HttpURI uri) {
        byte[] body;
        try {
            ByteBuffer read = org.eclipse.jetty.io.Content.Source.asByteBuffer(request);
            body = new byte[read.remaining()];
            read.get(body);
        } catch (Exception e) {
            Throwable cause = e;
            while (cause != null && !(cause instanceof org.eclipse.jetty.http.HttpException)) {
                cause = cause.getCause();
            }
            int status = cause instanceof org.eclipse.jetty.http.HttpException http ? http.getCode() : 400;
            return Response.error(new HttpError(status == 413 ? 413 : 400, status == 413
                    ? "the request body is larger than the server takes (1 MiB)" : "the request body could not be read"));
        }
        return respond(request.getMethod(), uri.getPath(), uri.getQuery(), false, false, body);
    }

    /**
     * As {@link #respond(String, String, String, boolean)}; {@code part}: another instance asks for this instance's
     * part of a text search ({@value TextRoutes#PART}); {@code body}: a POST's body (else null).
     */
    Response respond(String method, String rawPath, String rawQuery, boolean forwarded, boolean part, byte[] body) {
        Response response = answer(method, rawPath, rawQuery, forwarded, part, body);
        return servedBy == null || response.headers().containsKey(Forwarder.SERVED_BY) ? response
                : response.withHeader(Forwarder.SERVED_BY, servedBy);
    }

    private Response answer(String method, String rawPath, String rawQuery, boolean forwarded, boolean part,
                            byte[] requestBody) {
        try {
            Route route = RequestParser.parse(method, rawPath, rawQuery, part);
            return switch (route.kind()) {
                case SIMILAR_SONGS -> queries.similar(route.id(), route.k())
                        .map(body -> Response.ok(body))
                        .orElseGet(() -> Response.error(HttpError.notFound("unknown song: " + route.id())));
                case PLAYLIST_NEXT -> {
                    Optional<HostInfo> owner = forwarder == null || forwarded ? Optional.empty()
                            : queries.remotePlaylistOwner(route.id());
                    if (owner.isPresent()) {
                        yield forwarder.forward(owner.get(), method, rawPath, rawQuery);
                    }
                    yield queries.next(route.id(), route.k())
                            .map(body -> Response.ok(body))
                            .orElseGet(() -> Response.error(HttpError.notFound("unknown playlist: " + route.id())));
                }
                case SONG_VECTOR -> queries.vector(route.id())
                        .map(body -> Response.ok(body))
                        .orElseGet(() -> Response.error(HttpError.notFound("unknown song: " + route.id())));
                case MOST_SIMILAR -> queries.mostSimilar(route.songs(), route.negative(), route.k())
                        .map(body -> Response.ok(body))
                        .orElseGet(() -> Response.error(HttpError.notFound(noneKnown("positive", route.songs()))));
                case SONGS_NEXT -> queries.next(route.songs(), route.k())
                        .map(body -> Response.ok(body))
                        .orElseGet(() -> Response.error(HttpError.notFound(noneKnown("songs", route.songs()))));
                case SONG_SEARCH -> Response.ok(queries.search(route.query(), route.k()));
                case TOP_SONGS -> Response.ok(queries.top(route.k()));
                case TEXT_SEARCH -> Response.ok(part
                        ? texts.searchPart(route.vector(), route.k(), route.sinceMs(), route.excludeId())
                        : texts.search(route.query(), route.k(), route.sinceMs()));
                case SIMILAR_TEXTS -> (part
                        ? texts.similarPart(route.id(), route.k()).map(b -> (Object) b)
                        : texts.similar(route.id(), route.k()).map(b -> (Object) b))
                        .map(Response::ok)
                        .orElseGet(() -> Response.error(HttpError.notFound("unknown text: " + route.id())));
                case EMBED -> Response.ok(texts.embed(TextRoutes.embedTexts(requestBody == null ? new byte[0] : requestBody)));
                case SONG_MAP -> Response.ok(explorer.map(route.k()));
                case STATS -> Response.ok(explorer.stats());
                case RECENT_TEXTS -> Response.ok(texts.recent(route.k()));
            };
        } catch (HttpError e) {
            return Response.error(e);
        } catch (InvalidStateStoreException e) {
            LOG.debug("stores not queryable: {}", e.toString());
            return new Response(503, new Responses.ErrorBody(
                    "the stores are not queryable right now (starting up or rebalancing); retry shortly"),
                    Map.of("Retry-After", "1"));
        } catch (RuntimeException e) {
            LOG.warn("{} {} failed", method, rawPath, e);
            return new Response(500, new Responses.ErrorBody("internal error"), Map.of());
        }
    }

    /** The 404 message of a list query none of whose songs the model knows. */
    static String noneKnown(String parameter, java.util.List<String> songs) {
        String listed = String.join(", ", songs.subList(0, Math.min(5, songs.size())));
        return (songs.size() == 1 ? "unknown song: " + listed : "no song of " + parameter + " is known: " + listed
                + (songs.size() > 5 ? " and " + (songs.size() - 5) + " more" : ""));
    }

    private static void write(String method, String rawPath, Response answer,
                              org.eclipse.jetty.server.Response response, Callback callback) {
        byte[] body;
        if (answer.body() instanceof Relayed relayed) {
            body = relayed.json();
        } else {
            try {
                body = JSON.writeValueAsBytes(answer.body());
            } catch (JsonProcessingException e) {
                LOG.warn("cannot write the response of {}", rawPath, e);
                answer = new Response(500, null, Map.of());
                body = INTERNAL_ERROR;
            }
        }
        response.setStatus(answer.status());
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
        headers.put(HttpHeader.CACHE_CONTROL, "no-store");
        headers.put("X-Content-Type-Options", "nosniff");
        answer.headers().forEach(headers::put);
        headers.put(HttpHeader.CONTENT_LENGTH, body.length); // HEAD too: the length GET would have
        boolean head = "HEAD".equals(method);
        response.write(true, head ? null : ByteBuffer.wrap(body), callback);
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
