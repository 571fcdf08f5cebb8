package io.streamvec.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients that connect and trickle a request's header one byte at a time and never finish it (slowloris):
 * {@code count} connections, each sent its next byte every {@code interval} by one thread. A connection the
 * server cuts off (its request-header timeout) is opened again, so that {@code count} stay connected.
 */
public final class SlowClients implements AutoCloseable {

    /** A request line and the start of a header that never ends (no blank line ever comes). */
    private static final byte[] PREFIX = "GET /songs/slow/similar HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
            .getBytes(StandardCharsets.ISO_8859_1);

    private final InetSocketAddress address;
    private final Duration interval;
    private final Socket[] sockets;
    private final int[] sent;
    private final Thread thread;
    private final AtomicLong cutOff = new AtomicLong();
    private final AtomicLong reconnectFailures = new AtomicLong();
    private volatile boolean stop;

    /** Opens {@code count} connections to {@code address} and starts trickling. */
    public SlowClients(InetSocketAddress address, int count, Duration interval) throws IOException {
        this.address = address;
        this.interval = interval;
        this.sockets = new Socket[count];
        this.sent = new int[count];
        for (int i = 0; i < count; i++) {
            sockets[i] = open();
            sendNext(i);
        }
        thread = new Thread(this::trickle, "slow-clients");
        thread.setDaemon(true);
        thread.start();
    }

    /** Connections the server closed (and that were opened again) so far. */
    public long cutOff() {
        return cutOff.get();
    }

    /** Connections open now. */
    public int connected() {
        int n = 0;
        for (Socket socket : sockets) {
            if (socket != null && !socket.isClosed()) {
                n++;
            }
        }
        return n;
    }

    private Socket open() throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(address, 5_000);
        return socket;
    }

    private void sendNext(int i) throws IOException {
        OutputStream out = sockets[i].getOutputStream();
        out.write(sent[i] < PREFIX.length ? PREFIX[sent[i]] : 'a');
        out.flush();
        sent[i]++;
    }

    private void trickle() {
        while (!stop) {
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            for (int i = 0; i < sockets.length && !stop; i++) {
                try {
                    if (sockets[i] == null) {
                        sockets[i] = open();
                        sent[i] = 0;
                    }
                    sendNext(i);
                } catch (IOException e) {
                    // Cut off by the server (a write to a closed connection fails): connect again next round.
                    if (sockets[i] != null) {
                        cutOff.incrementAndGet();
                        closeQuietly(sockets[i]);
                    } else {
                        reconnectFailures.incrementAndGet();
                    }
                    sockets[i] = null;
                }
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.interrupt();
        thread.join(5_000);
        for (Socket socket : sockets) {
            if (socket != null) {
                closeQuietly(socket);
            }
        }
    }
}
