package io.streamvec.http;

import java.io.IOException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Reads and drops what is left of a request body, up to a bound, so that a client still sending it reads the
 * answer on a connection that stays open.
 *
 * <p>A server that answers before the body has arrived (413 for a body over the limit, 405 for a route that takes
 * none, 400 for a body it stopped reading) and then closes the connection resets it when more of the body comes
 * in, and the reset can discard the answer before the client reads it: the client sees a broken connection, not
 * the 413. So, as Tomcat's {@code maxSwallowSize} does:
 *
 * <ul>
 *   <li>a body whose Content-Length is over the limit by at most {@value #SWALLOW_BYTES} bytes is read and dropped
 *       first, then answered 413; one over the limit by more is answered 413 at once and the connection closed
 *       (whoever sends that much past the limit is not owed a clean answer);</li>
 *   <li>once any other request with a body is answered, what its route left unread is dropped (again at most the
 *       limit plus {@value #SWALLOW_BYTES} bytes; past that the connection is closed).</li>
 * </ul>
 *
 * Without blocking a thread: the body is read as it arrives, by demand.
 */
final class BodyDrain extends Handler.Wrapper {

    /** How far past the limit a body is read and dropped rather than cut off. */
    static final long SWALLOW_BYTES = 2L * 1024 * 1024;

    private final long maxBodyBytes;

    BodyDrain(long maxBodyBytes, Handler next) {
        super(next);
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long declared = request.getLength();
        if (declared == 0) {
            return super.handle(request, response, callback);
        }
        if (declared > maxBodyBytes && declared - maxBodyBytes <= SWALLOW_BYTES) {
            Runnable refuse = () -> Response.writeError(request, response, callback, 413);
            drain(request, declared, Callback.from(refuse, failure -> refuse.run()));
            return true;
        }
        // Declared far over the limit: the next handler refuses it at once. Otherwise (within the limit, or
        // chunked) the route answers, and what it left of the body is dropped before the exchange completes.
        long budget = maxBodyBytes + SWALLOW_BYTES;
        Callback drainFirst = Callback.from(
                () -> drain(request, budget, Callback.from(callback::succeeded, failure -> callback.succeeded())),
                callback::failed);
        return super.handle(request, response, drainFirst);
    }

    /** Reads {@code request}'s body to its end, dropping it; fails {@code then} past {@code budget} bytes. */
    static void drain(Request request, long budget, Callback then) {
        new Runnable() {
            private long left = budget;

            @Override
            public void run() {
                while (true) {
                    Content.Chunk chunk = request.read();
                    if (chunk == null) {
                        request.demand(this);
                        return;
                    }
                    if (Content.Chunk.isFailure(chunk)) {
                        then.failed(chunk.getFailure());
                        return;
                    }
                    left -= chunk.remaining();
                    boolean last = chunk.isLast();
                    chunk.release();
                    if (last) {
                        then.succeeded();
                        return;
                    }
                    if (left < 0) {
                        then.failed(new IOException("the request body is longer than " + budget + " bytes"));
                        return;
                    }
                }
            }
        }.run();
    }
}
