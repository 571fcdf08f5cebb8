package io.streamvec.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only HTTP server (the JDK's {@link HttpServer}): every path goes to {@link SongHttpHandler},
 * served by a small pool of daemon threads. {@link #close()} stops it at once.
 */
public final class SongHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SongHttpServer.class);
    private static final int THREADS = 4;
    private static final int QUEUE = 256;

    private final HttpServer server;
    private final ExecutorService executor;

    private SongHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** A single instance: binds {@code host:port} (port 0: any free port) and starts serving. */
    public static SongHttpServer start(String host, int port, SongQueries queries) {
        return start(host, port, queries, null, null);
    }

    /**
     * Binds {@code host:port} and starts serving; {@code self} is this instance's {@code application.server}
     * (null for a single instance), and playlist queries held by another instance are forwarded to it.
     */
    public static SongHttpServer start(String host, int port, SongQueries queries, HostInfo self) {
        return start(host, port, queries, self, self == null ? null : new Forwarder());
    }

    /** As {@link #start(String, int, SongQueries, HostInfo)} with a given forwarder (its timeouts). */
    static SongHttpServer start(String host, int port, SongQueries queries, HostInfo self, Forwarder forwarder) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the HTTP server to " + host + ":" + port
                    + " (http.host, http.port): " + e.getMessage(), e);
        }
        AtomicInteger threads = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(QUEUE), runnable -> {
                    Thread thread = new Thread(runnable, "streamvec-http-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        server.setExecutor(executor);
        server.createContext("/", new SongHttpHandler(queries, self, forwarder));
        server.start();
        SongHttpServer started = new SongHttpServer(server, executor);
        LOG.info("HTTP endpoints at {}", started.uri());
        return started;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The bound port (the one chosen when http.port is 0). */
    public int port() {
        return address().getPort();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8080/}. */
    public URI uri() {
        String host = address().getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/");
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
