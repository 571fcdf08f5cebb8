package io.streamvec.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * The load generator used where wrk is not installed, with wrk's method: one thread per connection, raw
 * HTTP/1.1 over a socket (TCP_NODELAY, keep-alive), the next request sent as soon as the previous answer has
 * been read, latencies (send to the last byte of the answer) in an HdrHistogram per connection, merged at the
 * end. A connection the server closes (or that fails) is counted as an error and opened again.
 *
 * <p>With a {@code pace} each connection sends one request per pace instead, on a schedule (a probe, such as a
 * scraper's request every so often, or an offered rate: 16 connections each paced at 3.2 ms offer 5,000
 * requests/s). A request's latency then runs from the time it was due, not from when it went out: a request
 * held back behind a slow answer counts the time it waited (no coordinated omission), as wrk2 measures.
 */
public final class JavaLoadClient implements HttpLoadClient {

    /** Latencies up to a minute, 3 significant digits. */
    private static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int READ_TIMEOUT_MS = 10_000;

    private final Duration pace;

    /** A closed loop. */
    public JavaLoadClient() {
        this(Duration.ZERO);
    }

    /** At most one request per {@code pace} on each connection ({@link Duration#ZERO}: a closed loop). */
    public JavaLoadClient(Duration pace) {
        this.pace = pace;
    }

    @Override
    public String describe() {
        return pace.isZero() ? "java (socket per thread, HdrHistogram)" : "java, one request per " + pace.toMillis() + " ms";
    }

    @Override
    public Result run(URI base, List<String> paths, int connections, Duration duration) throws Exception {
        if (connections < 1 || paths.isEmpty()) {
            throw new IllegalArgumentException("need at least one connection and one path");
        }
        byte[][] requests = new byte[paths.size()][];
        String host = base.getHost() + ":" + base.getPort();
        for (int i = 0; i < requests.length; i++) {
            requests[i] = request(paths.get(i), host);
        }
        InetSocketAddress address = new InetSocketAddress(base.getHost(), base.getPort());
        CountDownLatch connected = new CountDownLatch(connections);
        CountDownLatch go = new CountDownLatch(1);
        long[] startAt = new long[1];
        List<Connection> workers = new ArrayList<>(connections);
        List<Thread> threads = new ArrayList<>(connections);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int c = 0; c < connections; c++) {
            // Spread the connections over the paths: each starts at its own offset.
            Connection worker = new Connection(address, requests, (int) ((long) c * requests.length / connections));
            workers.add(worker);
            Thread thread = new Thread(() -> {
                try {
                    worker.open();
                    connected.countDown();
                    go.await();
                    worker.loop(startAt[0] + duration.toNanos(), pace.toNanos());
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    connected.countDown();
                } finally {
                    worker.close();
                }
            }, "http-load-" + c);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        if (!connected.await(30, TimeUnit.SECONDS)) {
            throw new IOException("the load connections did not open within 30 s");
        }
        if (failure.get() != null) {
            go.countDown();
            throw new IOException("cannot open the load connections to " + address + ": " + failure.get(), failure.get());
        }
        startAt[0] = System.nanoTime();
        go.countDown();
        for (Thread thread : threads) {
            thread.join(duration.toMillis() + 2L * READ_TIMEOUT_MS);
        }
        double seconds = (System.nanoTime() - startAt[0]) / 1e9;
        if (failure.get() != null) {
            throw new IOException("the load failed: " + failure.get(), failure.get());
        }
        Histogram all = new Histogram(HIGHEST_NANOS, 3);
        long errors = 0;
        for (Connection worker : workers) {
            all.add(worker.latencies);
            errors += worker.errors;
        }
        return result(all, errors, seconds);
    }

    /**
     * One GET on a new connection, closed afterwards: milliseconds from the start of connecting to the end of a
     * 2xx answer. Throws when the connection or the answer fails or is not 2xx.
     */
    public static double once(URI base, String path) throws IOException {
        long started = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), READ_TIMEOUT_MS);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            socket.getOutputStream().write(request(path, base.getHost() + ":" + base.getPort()));
            Answer answer = readAnswer(new BufferedInputStream(socket.getInputStream()));
            double ms = (System.nanoTime() - started) / 1e6;
            if (answer.status() / 100 != 2) {
                throw new IOException("answered " + answer.status());
            }
            return ms;
        }
    }

    /** The summary of a histogram of latencies in nanoseconds. */
    static Result result(Histogram latencies, long errors, double seconds) {
        long n = latencies.getTotalCount();
        return new Result(n, errors, seconds, n == 0 ? Double.NaN : latencies.getMean() / 1e6,
                ms(latencies, n, 50), ms(latencies, n, 99), ms(latencies, n, 99.9),
                n == 0 ? Double.NaN : latencies.getMaxValue() / 1e6);
    }

    private static double ms(Histogram latencies, long n, double percentile) {
        return n == 0 ? Double.NaN : latencies.getValueAtPercentile(percentile) / 1e6;
    }

    /** A GET of {@code path} on a keep-alive HTTP/1.1 connection. */
    static byte[] request(String path, String host) {
        return ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: application/json\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One answer read off the connection: its status, whether the connection stays open, and its body's size. */
    record Answer(int status, boolean keepAlive, long bodyBytes) {}

    /**
     * Reads one HTTP/1.1 answer (to a GET): status line, headers, then the body by {@code Content-Length} or
     * chunked transfer coding; the body is skipped. {@code Connection: close} (or HTTP/1.0 without
     * keep-alive) marks the connection as ending.
     */
    static Answer readAnswer(InputStream in) throws IOException {
        String statusLine = line(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1 status line: " + statusLine);
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP/1 status line: " + statusLine, e);
        }
        boolean keepAlive = !parts[0].equals("HTTP/1.0");
        long length = -1;
        boolean chunked = false;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                throw new IOException("not a header line: " + header);
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.endsWith("chunked");
                case "connection" -> keepAlive = value.contains("keep-alive") || (keepAlive && !value.contains("close"));
                default -> { }
            }
        }
        long body;
        if (status / 100 == 1 || status == 204 || status == 304) {
            body = 0;
        } else if (chunked) {
            body = 0;
            while (true) {
                String sizeLine = line(in);
                int semicolon = sizeLine.indexOf(';');
                long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
                if (size == 0) {
                    while (!line(in).isEmpty()) {
                        // trailers
                    }
                    break;
                }
                skip(in, size);
                body += size;
                if (!line(in).isEmpty()) {
                    throw new IOException("a chunk did not end with CRLF");
                }
            }
        } else if (length >= 0) {
            skip(in, length);
            body = length;
        } else {
            throw new IOException("an answer with neither Content-Length nor chunked coding (status " + status + ")");
        }
        return new Answer(status, keepAlive, body);
    }

    private static void skip(InputStream in, long n) throws IOException {
        in.skipNBytes(n); // throws EOFException when the stream ends first
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the connection closed mid-answer");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
    }

    /** One keep-alive connection and its thread's latencies. */
    private static final class Connection {
        private final InetSocketAddress address;
        private final byte[][] requests;
        private final Histogram latencies = new Histogram(HIGHEST_NANOS, 3);
        private int next;
        private long errors;
        private Socket socket;
        private InputStream in;
        private OutputStream out;

        Connection(InetSocketAddress address, byte[][] requests, int first) {
            this.address = address;
            this.requests = requests;
            this.next = first;
        }

        void open() throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(address, READ_TIMEOUT_MS);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            out = socket.getOutputStream();
        }

        void loop(long deadline, long paceNanos) throws InterruptedException {
            long due = System.nanoTime();
            while (System.nanoTime() < deadline) {
                if (paceNanos > 0) {
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(Math.min(wait, Math.max(0, deadline - System.nanoTime())));
                        if (System.nanoTime() >= deadline) {
                            return;
                        }
                    }
                }
                long scheduled = due;
                if (paceNanos > 0) {
                    due += paceNanos;
                }
                byte[] request = requests[next];
                next = next + 1 == requests.length ? 0 : next + 1;
                try {
                    if (socket == null) {
                        open();
                    }
                    long sent = System.nanoTime();
                    out.write(request);
                    out.flush();
                    Answer answer = readAnswer(in);
                    long from = paceNanos > 0 ? Math.min(scheduled, sent) : sent;
                    latencies.recordValue(Math.min(System.nanoTime() - from, HIGHEST_NANOS));
                    if (answer.status() / 100 != 2) {
                        errors++;
                    }
                    if (!answer.keepAlive()) {
                        close();
                    }
                } catch (IOException e) {
                    errors++;
                    close();
                    Thread.sleep(10); // a server that refuses: no busy loop of failed connections
                }
            }
        }

        void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
                socket = null;
            }
        }
    }
}
