package io.streamvec.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal keep-alive HTTP/1.1 server on loopback for the load clients' tests: a thread per connection reads
 * each request's header and answers {@code {"ok":true}} with 200, except every {@code failEvery}-th request
 * (counted over all connections), answered 404.
 */
final class LoopbackHttpServer implements AutoCloseable {

    private final ServerSocket server;
    private final Thread acceptor;
    private final int failEvery;
    private final AtomicLong requests = new AtomicLong();

    LoopbackHttpServer(int failEvery) throws IOException {
        this.failEvery = failEvery;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "loopback-http");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");
    }

    long requests() {
        return requests.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread connection = new Thread(() -> serve(socket), "loopback-http-connection");
                connection.setDaemon(true);
                connection.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (readHeader(in)) {
                long n = requests.incrementAndGet();
                boolean fail = failEvery > 0 && n % failEvery == 0;
                String body = fail ? "{\"error\":\"no such song\"}" : "{\"ok\":true}";
                out.write(((fail ? "HTTP/1.1 404 Not Found" : "HTTP/1.1 200 OK") + "\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** Reads up to the blank line that ends a request header; false at the end of the stream. */
    private static boolean readHeader(InputStream in) throws IOException {
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return false;
            }
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
