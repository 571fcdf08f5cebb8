package io.streamvec.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answers Jetty itself gives before or instead of a route (a malformed request, headers or a body over
 * the limits, the request queue full, an exception that escaped a route) in the routes' own form: a JSON
 * {@code {"error": "..."}} with a fixed message per status (never the client's text, never a cause or a stack
 * trace), {@code Cache-Control: no-store}, and {@code Retry-After: 1} on a 503. HEAD gets the headers only.
 */
final class JsonErrorHandler extends ErrorHandler {

    private static final Logger LOG = LoggerFactory.getLogger(JsonErrorHandler.class);

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        Object cause = request.getAttribute(ERROR_EXCEPTION);
        if (cause instanceof HttpException http && http.getCode() >= 400) {
            status = http.getCode();
            response.setStatus(status);
        }
        if (status >= 500 && status != 503) {
            LOG.debug("{} {} answered {}", request.getMethod(), request.getHttpURI().getPath(), status,
                    cause instanceof Throwable t ? t : null);
        }
        byte[] body = ("{\"error\":\"" + message(status) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, SongHttpHandler.CONTENT_TYPE);
        headers.put(HttpHeader.CACHE_CONTROL, "no-store");
        headers.put("X-Content-Type-Options", "nosniff");
        if (status == 503) {
            headers.put(HttpHeader.RETRY_AFTER, "1");
        }
        headers.put(HttpHeader.CONTENT_LENGTH, body.length);
        boolean head = HttpMethod.HEAD.is(request.getMethod());
        response.write(true, head ? null : ByteBuffer.wrap(body), callback);
        return true;
    }

    /** A message for people, the same for every request with this status (JSON-safe: no quotes, no escapes). */
    static String message(int status) {
        return switch (status) {
            case 400 -> "bad request";
            case 404 -> "no such resource";
            case 405 -> "method not allowed";
            case 408 -> "the request took too long to arrive";
            case 413 -> "the request body is too large";
            case 414 -> "the request target is too long";
            case 431 -> "the request headers are too large";
            case 503 -> "the server is busy; retry shortly";
            // Jetty's answer to a request line without a version or with another than HTTP/1.0, 1.1 or 2: the
            // client's fault, though a 5xx.
            case 505 -> "HTTP version not supported; use HTTP/1.1 or HTTP/2";
            default -> status >= 500 ? "internal error" : "request not accepted (HTTP " + status + ")";
        };
    }
}
