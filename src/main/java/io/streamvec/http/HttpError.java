package io.streamvec.http;

/**
 * A request that ends in an HTTP error: the status and a message safe to show to the client (it becomes
 * the {@code {"error": ...}} body; never a stack trace). {@code allow} is the Allow header of a 405.
 */
public final class HttpError extends RuntimeException {

    private final int status;
    private final String allow;

    public HttpError(int status, String message) {
        this(status, message, null);
    }

    public HttpError(int status, String message, String allow) {
        super(message, null, false, false);
        this.status = status;
        this.allow = allow;
    }

    public static HttpError badRequest(String message) {
        return new HttpError(400, message);
    }

    public static HttpError notFound(String message) {
        return new HttpError(404, message);
    }

    public static HttpError methodNotAllowed(String method, String allow) {
        return new HttpError(405, "method " + method + " is not allowed; use " + allow, allow);
    }

    public static HttpError unavailable(String message) {
        return new HttpError(503, message);
    }

    public int status() {
        return status;
    }

    /** The Allow header of a 405, else null. */
    public String allow() {
        return allow;
    }
}
