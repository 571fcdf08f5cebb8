package io.streamvec.http;

import java.time.Duration;

/**
 * What one HTTP server allows its clients: the settings that keep slow, flooding or oversized clients from
 * starving the others. Each server (the query routes, the operations endpoints) has its own, and its own
 * threads.
 *
 * @param maxThreads            the server's thread pool (a bounded {@code QueuedThreadPool}; the selector
 *                              thread only selects and never runs a route)
 * @param maxConcurrentRequests requests answered at once; more wait in the queue without holding a thread
 * @param maxQueuedRequests     requests waiting for their turn; beyond that a request is answered 503 with
 *                              {@code Retry-After} at once
 * @param maxQueueWait          how long a request may wait in the queue before it is answered 503 with
 *                              {@code Retry-After}
 * @param maxConnections        open connections; further ones wait in the operating system's accept queue
 *                              until one closes (no file descriptor, no memory)
 * @param idleTimeout           a connection with nothing to read or write for this long is closed
 *                              (keep-alive connections between requests, and stalled ones)
 * @param requestHeaderTimeout  the whole request line and headers of an HTTP/1 request must arrive within
 *                              this long of its first byte, or the connection is closed (a client that sends
 *                              one byte a second is cut off, whatever the idle timeout)
 * @param maxRequestHeaderBytes request line and headers together; more is 431 (414 for the request line alone)
 * @param maxRequestBodyBytes   a request body; more is 413
 */
public record HttpLimits(int maxThreads, int maxConcurrentRequests, int maxQueuedRequests, Duration maxQueueWait,
                         int maxConnections, Duration idleTimeout, Duration requestHeaderTimeout,
                         int maxRequestHeaderBytes, long maxRequestBodyBytes) {

    /** The query routes: CPU-bound searches and forwards, a few at a time each, many connections. */
    public static final HttpLimits QUERIES = new HttpLimits(32, 16, 256, Duration.ofSeconds(2), 512,
            Duration.ofSeconds(30), Duration.ofSeconds(5), 8 * 1024, 1024 * 1024);

    /** The operations endpoints: a scraper and health probes. */
    public static final HttpLimits OPERATIONS = new HttpLimits(8, 2, 32, Duration.ofSeconds(5), 64,
            Duration.ofSeconds(30), Duration.ofSeconds(5), 8 * 1024, 64 * 1024);

    public HttpLimits {
        positive(maxThreads, "maxThreads");
        positive(maxConcurrentRequests, "maxConcurrentRequests");
        if (maxQueuedRequests < 0) {
            throw new IllegalArgumentException("maxQueuedRequests must be >= 0: " + maxQueuedRequests);
        }
        positive(maxConnections, "maxConnections");
        positive(maxRequestHeaderBytes, "maxRequestHeaderBytes");
        if (maxRequestBodyBytes < 0) {
            throw new IllegalArgumentException("maxRequestBodyBytes must be >= 0: " + maxRequestBodyBytes);
        }
        positive(maxQueueWait, "maxQueueWait");
        positive(idleTimeout, "idleTimeout");
        positive(requestHeaderTimeout, "requestHeaderTimeout");
        // The selector and the reserved threads come out of the same pool: below this Jetty refuses to start.
        if (maxThreads < 4) {
            throw new IllegalArgumentException("maxThreads must be at least 4: " + maxThreads);
        }
    }

    public HttpLimits withMaxThreads(int value) {
        return new HttpLimits(value, maxConcurrentRequests, maxQueuedRequests, maxQueueWait, maxConnections,
                idleTimeout, requestHeaderTimeout, maxRequestHeaderBytes, maxRequestBodyBytes);
    }

    public HttpLimits withMaxConcurrentRequests(int value) {
        return new HttpLimits(maxThreads, value, maxQueuedRequests, maxQueueWait, maxConnections,
                idleTimeout, requestHeaderTimeout, maxRequestHeaderBytes, maxRequestBodyBytes);
    }

    public HttpLimits withMaxQueuedRequests(int value) {
        return new HttpLimits(maxThreads, maxConcurrentRequests, value, maxQueueWait, maxConnections,
                idleTimeout, requestHeaderTimeout, maxRequestHeaderBytes, maxRequestBodyBytes);
    }

    public HttpLimits withMaxQueueWait(Duration value) {
        return new HttpLimits(maxThreads, maxConcurrentRequests, maxQueuedRequests, value, maxConnections,
                idleTimeout, requestHeaderTimeout, maxRequestHeaderBytes, maxRequestBodyBytes);
    }

    public HttpLimits withMaxConnections(int value) {
        return new HttpLimits(maxThreads, maxConcurrentRequests, maxQueuedRequests, maxQueueWait, value,
                idleTimeout, requestHeaderTimeout, maxRequestHeaderBytes, maxRequestBodyBytes);
    }

    public HttpLimits withIdleTimeout(Duration value) {
        return new HttpLimits(maxThreads, maxConcurrentRequests, maxQueuedRequests, maxQueueWait, maxConnections,
                value, requestHeaderTimeout, maxRequestHeaderBytes, maxRequestBodyBytes);
    }

    public HttpLimits withRequestHeaderTimeout(Duration value) {
        return new HttpLimits(maxThreads, maxConcurrentRequests, maxQueuedRequests, maxQueueWait, maxConnections,
                idleTimeout, value, maxRequestHeaderBytes, maxRequestBodyBytes);
    }

    public HttpLimits withMaxRequestHeaderBytes(int value) {
        return new HttpLimits(maxThreads, maxConcurrentRequests, maxQueuedRequests, maxQueueWait, maxConnections,
                idleTimeout, requestHeaderTimeout, value, maxRequestBodyBytes);
    }

    public HttpLimits withMaxRequestBodyBytes(long value) {
        return new HttpLimits(maxThreads, maxConcurrentRequests, maxQueuedRequests, maxQueueWait, maxConnections,
                idleTimeout, requestHeaderTimeout, maxRequestHeaderBytes, value);
    }

    private static void positive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    private static void positive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration: " + value);
        }
    }
}
