package io.streamvec.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A total deadline for the request line and headers of each HTTP/1 request: a connection whose request has
 * started arriving but whose headers are still incomplete after the timeout is closed. Jetty's own timeouts
 * are idle timeouts, which a client that sends one byte a second never trips (a slowloris); Jetty 12 has no
 * header deadline, so this watches every HTTP/1 connection of a connector ({@link Connection.Listener}) and
 * looks at each connection's parser a few times per timeout, on the connector's scheduler: no thread per
 * connection, nothing on the request path. A connection is cut off between the timeout and the timeout plus
 * one sweep after its request's first byte was seen.
 *
 * <p>"Started arriving" is the parser past the start of a request (method, target, version, headers), or
 * bytes that do not start a request (blank lines, which the parser skips) arriving on an idle connection.
 * A connection idle between requests is left to the idle timeout; one whose headers are complete (its
 * request is being answered, or its body read) is never cut off here. HTTP/2 (h2c) connections are not
 * watched: their streams have their own timeouts.
 */
final class RequestHeaderTimeout implements Connection.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(RequestHeaderTimeout.class);

    private final String name;
    private final long timeoutNanos;
    private final long sweepMillis;
    private final Map<HttpConnection, Watch> watched = new ConcurrentHashMap<>();
    private final AtomicLong cutOff = new AtomicLong();
    private volatile Scheduler scheduler;
    private volatile Scheduler.Task task;
    private volatile boolean stopped;

    RequestHeaderTimeout(String name, Duration timeout) {
        this.name = name;
        this.timeoutNanos = timeout.toNanos();
        // A few sweeps per timeout: a connection is cut off at most a quarter timeout (<= 1 s) late.
        this.sweepMillis = Math.max(20, Math.min(1000, timeout.toMillis() / 4));
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection http) {
            watched.put(http, new Watch(http));
        }
    }

    @Override
    public void onClosed(Connection connection) {
        watched.remove(connection);
    }

    /** Starts sweeping on {@code scheduler} (the connector's, started with the server). */
    void start(Scheduler scheduler) {
        this.scheduler = scheduler;
        schedule();
    }

    void stop() {
        stopped = true;
        Scheduler.Task current = task;
        if (current != null) {
            current.cancel();
        }
    }

    /** Connections closed because their headers did not arrive in time. */
    long cutOff() {
        return cutOff.get();
    }

    /** Connections watched now (open HTTP/1 connections). */
    int watched() {
        return watched.size();
    }

    private void schedule() {
        if (!stopped) {
            task = scheduler.schedule(this::sweep, sweepMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            for (Watch watch : watched.values()) {
                HttpConnection connection = watch.connection;
                if (connection.getEndPoint().getConnection() != connection) {
                    watched.remove(connection); // upgraded (h2c): no longer an HTTP/1 connection
                } else if (watch.expired(now, timeoutNanos)) {
                    watched.remove(connection);
                    cutOff.incrementAndGet();
                    LOG.debug("{}: closing {}, its request headers did not arrive within {} ms", name,
                            connection.getEndPoint().getRemoteSocketAddress(), TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
                    connection.getEndPoint().close();
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: the request header sweep failed", name, e);
        } finally {
            schedule();
        }
    }

    /** What one sweep saw of a connection; touched only by the sweeps (one at a time). */
    private static final class Watch {
        final HttpConnection connection;
        long messages = -1;
        long bytes = -1;
        boolean wasStart;
        /** When this request was first seen arriving; 0 while none is. */
        long since;

        Watch(HttpConnection connection) {
            this.connection = connection;
        }

        boolean expired(long now, long timeoutNanos) {
            HttpParser parser = connection.getParser();
            HttpParser.State state = parser.getState(); // volatile: the parser's thread wrote it
            long messagesIn = connection.getMessagesIn(); // counts requests whose headers were complete
            long bytesIn = connection.getBytesIn();
            boolean newRequest = messagesIn != messages;
            boolean arriving;
            if (state == HttpParser.State.START) {
                // Idle between requests, unless bytes that start no request (blank lines) keep coming.
                arriving = !newRequest && wasStart && (bytesIn != bytes || since != 0);
            } else {
                arriving = parser.inHeaderState(); // METHOD .. HEADER: the request line or headers so far
            }
            if (!arriving) {
                since = 0;
            } else if (since == 0 || newRequest) {
                since = now;
            }
            messages = messagesIn;
            bytes = bytesIn;
            wasStart = state == HttpParser.State.START;
            return since != 0 && now - since >= timeoutNanos;
        }
    }
}
