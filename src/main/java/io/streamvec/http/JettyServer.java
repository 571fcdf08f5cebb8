package io.streamvec.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.ServerSocketChannel;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * One Jetty 12 server as both of streamvec's HTTP servers use it: HTTP/1.1 (keep-alive, TCP_NODELAY) and
 * HTTP/2 cleartext (h2c, by upgrade or prior knowledge) on one port, its own bounded thread pool, and every
 * limit of {@link HttpLimits}:
 *
 * <pre>
 * connector  NetworkConnectionLimit (maxConnections), idle timeout, RequestHeaderTimeout,
 *            request line + headers <= maxRequestHeaderBytes (431)
 * handlers   BodyDrain (a body over the limit, or what a route left of one, is read and dropped up to 2 MiB
 *            past the limit, so the client reads the answer on a connection that stays open)
 *            -> SizeLimitHandler (body <= maxRequestBodyBytes, 413)
 *            -> QoSHandler (maxConcurrentRequests at once, maxQueuedRequests waiting without a thread
 *               for at most maxQueueWait, else 503 with Retry-After)
 *            -> the routes
 * errors     JsonErrorHandler: {"error": ...} for whatever Jetty answers itself
 * </pre>
 *
 * The routes are blocking handlers, so Jetty runs them on the pool's threads, never on the selector thread.
 * The routes read the raw request target themselves (strictly: see {@link RequestParser}), so Jetty's URI
 * compliance lets every target through to them instead of answering ambiguous ones (such as {@code %2F} in
 * an id) with its own 400.
 */
final class JettyServer implements AutoCloseable {

    private final Server server;
    private final ServerConnector connector;
    private final QoSHandler queue;
    private final RequestHeaderTimeout headerTimeout;
    private final InetSocketAddress address;

    private JettyServer(Server server, ServerConnector connector, QoSHandler queue, RequestHeaderTimeout headerTimeout) {
        this.server = server;
        this.connector = connector;
        this.queue = queue;
        this.headerTimeout = headerTimeout;
        this.address = boundAddress(connector);
    }

    /**
     * Binds {@code host:port} (port 0: any free port) and starts serving {@code routes}; {@code name} names the
     * threads. Throws what binding threw (an {@link IOException} when the address is taken or not local).
     */
    static JettyServer start(String name, String host, int port, HttpLimits limits, Handler routes) throws Exception {
        // At most maxThreads threads. The pool's job queue stays Jetty's unbounded default (Jetty warns against a
        // bounded one: it also carries the server's own tasks); what bounds it is that connections
        // (maxConnections) and admitted requests (QoSHandler) are bounded, and a queued request holds no job.
        QueuedThreadPool threads = new QueuedThreadPool(limits.maxThreads(), Math.min(4, limits.maxThreads()));
        threads.setName(name);
        threads.setDaemon(true);
        Server server = new Server(threads);
        server.setStopAtShutdown(false); // whoever started it closes it
        server.setStopTimeout(0);

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(limits.maxRequestHeaderBytes());
        http.setUriCompliance(UriCompliance.UNSAFE);
        HTTP2CServerConnectionFactory h2c = new HTTP2CServerConnectionFactory(http);
        h2c.setMaxConcurrentStreams(Math.max(1, Math.min(128, limits.maxConcurrentRequests() + limits.maxQueuedRequests())));

        // No acceptor thread (the selector accepts) and one selector: the machine may have two cores.
        ServerConnector connector = new ServerConnector(server, 0, 1, new HttpConnectionFactory(http), h2c);
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        connector.setAcceptedTcpNoDelay(true); // no Nagle: a small answer leaves at once, not after the client's ACK
        RequestHeaderTimeout headerTimeout = new RequestHeaderTimeout(name, limits.requestHeaderTimeout());
        connector.addEventListener(headerTimeout);
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));

        QoSHandler queue = new QoSHandler(routes);
        queue.setMaxRequestCount(limits.maxConcurrentRequests());
        queue.setMaxSuspendedRequestCount(limits.maxQueuedRequests());
        queue.setMaxSuspend(limits.maxQueueWait());
        SizeLimitHandler bodies = new SizeLimitHandler(limits.maxRequestBodyBytes(), -1);
        bodies.setHandler(queue);
        server.setHandler(new BodyDrain(limits.maxRequestBodyBytes(), bodies));
        server.setErrorHandler(new JsonErrorHandler());

        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception stop) {
                e.addSuppressed(stop);
            }
            throw e;
        }
        headerTimeout.start(connector.getScheduler());
        return new JettyServer(server, connector, queue, headerTimeout);
    }

    private static InetSocketAddress boundAddress(ServerConnector connector) {
        if (connector.getTransport() instanceof ServerSocketChannel channel) {
            try {
                if (channel.getLocalAddress() instanceof InetSocketAddress bound) {
                    return bound;
                }
            } catch (IOException e) {
                // fall through: the configured host and the port
            }
        }
        return new InetSocketAddress(connector.getHost(), connector.getLocalPort());
    }

    InetSocketAddress address() {
        return address;
    }

    int port() {
        return address.getPort();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8080/} (an IPv6 address in brackets). */
    URI uri() {
        String host = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/");
    }

    /** Requests waiting for their turn now (not holding a thread). */
    int queuedRequests() {
        return queue.getSuspendedRequestCount();
    }

    /** HTTP/1 connections closed because their request headers did not arrive within the timeout. */
    long headerTimeouts() {
        return headerTimeout.cutOff();
    }

    /** Open connections now. */
    int connections() {
        return connector.getConnectedEndPoints().size();
    }

    /** Stops at once: open connections are closed, requests in progress are not waited for. */
    @Override
    public void close() {
        headerTimeout.stop();
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the HTTP server at " + uri() + ": " + e.getMessage(), e);
        }
    }
}
