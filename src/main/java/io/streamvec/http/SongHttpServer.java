package io.streamvec.http;

import java.io.UncheckedIOException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only HTTP server: every path goes to {@link SongHttpHandler}, on Jetty 12 (HTTP/1.1 keep-alive and
 * h2c) with the limits of {@link HttpLimits#QUERIES} unless given others (see {@link JettyServer}).
 * {@link #close()} stops it at once.
 */
public final class SongHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SongHttpServer.class);

    private final JettyServer server;

    private SongHttpServer(JettyServer server) {
        this.server = server;
    }

    /** A single instance with the song routes only: binds {@code host:port} (port 0: any free port) and starts serving. */
    public static SongHttpServer start(String host, int port, SongQueries queries) {
        return start(host, port, queries, null, HttpLimits.QUERIES);
    }

    /**
     * The song routes only, with other limits; {@code self} is this instance's {@code application.server} (null for
     * a single instance), and playlist queries held by another instance are forwarded to it.
     */
    public static SongHttpServer start(String host, int port, SongQueries queries, HostInfo self, HttpLimits limits) {
        return start(host, port, queries, TextQueries.NONE, ExplorerQueries.NONE, self,
                self == null ? null : new Forwarder(), limits);
    }

    /**
     * Every route: the song routes answered by {@code queries}, the text routes by {@code texts}, and the explorer
     * (its page at {@code /}, {@code /songs/map}, {@code /stats}) by {@code explorer}; {@code self} as above. A
     * server without some of them takes {@link TextQueries#NONE} or {@link ExplorerQueries#NONE} (503).
     */
    public static SongHttpServer start(String host, int port, SongQueries queries, TextQueries texts,
                                       ExplorerQueries explorer, HostInfo self) {
        return start(host, port, queries, texts, explorer, self, self == null ? null : new Forwarder(),
                HttpLimits.QUERIES);
    }

    /** The song routes with a given forwarder (its timeouts). */
    static SongHttpServer start(String host, int port, SongQueries queries, HostInfo self, Forwarder forwarder) {
        return start(host, port, queries, TextQueries.NONE, ExplorerQueries.NONE, self, forwarder, HttpLimits.QUERIES);
    }

    /** Every part given: the others are this with the parts they leave out absent (NONE) or at their defaults. */
    static SongHttpServer start(String host, int port, SongQueries queries, TextQueries texts,
                                ExplorerQueries explorer, HostInfo self, Forwarder forwarder, HttpLimits limits) {
        JettyServer server;
        try {
            server = JettyServer.start("streamvec-http", host, port, limits,
                    new SongHttpHandler(queries, texts, explorer, self, forwarder));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the HTTP server to " + host + ":" + port
                    + " (http.host, http.port): " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the HTTP server at " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
        SongHttpServer started = new SongHttpServer(server);
        LOG.info("HTTP endpoints at {}", started.uri());
        return started;
    }

    public InetSocketAddress address() {
        return server.address();
    }

    /** The bound port (the one chosen when http.port is 0). */
    public int port() {
        return server.port();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8080/}. */
    public URI uri() {
        return server.uri();
    }

    /** Requests waiting for their turn now. */
    int queuedRequests() {
        return server.queuedRequests();
    }

    /** Connections closed because their request headers did not arrive within the timeout. */
    long headerTimeouts() {
        return server.headerTimeouts();
    }

    @Override
    public void close() {
        server.close();
    }
}
