package io.streamvec.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client still sending a body when the server answers reads the answer, and the connection serves its next
 * request: raw sockets, the body sent after a pause (time for a server to answer early and close).
 */
class BodyDrainTest {

    private static final int LIMIT = 1024;

    /** POST: reads the body, answers its length (413 past the limit); PUT: 405 without reading it; GET: "ok". */
    private static final Handler ROUTES = new Handler.Abstract() {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            switch (request.getMethod()) {
                case "POST" -> {
                    try {
                        ByteBuffer body = Content.Source.asByteBuffer(request);
                        Content.Sink.write(response, true, "read " + body.remaining(), callback);
                    } catch (Exception e) {
                        Response.writeError(request, response, callback, 413);
                    }
                }
                case "PUT" -> { // as streamvec's routes answer: a status and a body, not Jetty's error page
                    response.setStatus(405);
                    Content.Sink.write(response, true, "{\"error\": \"no PUT\"}", callback);
                }
                default -> Content.Sink.write(response, true, "ok", callback);
            }
            return true;
        }
    };

    private JettyServer server;

    @BeforeEach
    void start() throws Exception {
        HttpLimits limits = new HttpLimits(8, 4, 8, Duration.ofSeconds(2), 16, Duration.ofSeconds(10),
                Duration.ofSeconds(5), 8 * 1024, LIMIT);
        server = JettyServer.start("drain-test", "127.0.0.1", 0, limits, ROUTES);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aDeclaredBodyOverTheLimitIsAnswered413AndTheConnectionServesTheNextRequest() throws Exception {
        int length = LIMIT + 64 * 1024;
        List<String> answers = exchange("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: " + length + "\r\n\r\n",
                "a".repeat(length) + "GET /x HTTP/1.1\r\nHost: h\r\n\r\n", 2);
        assertEquals(List.of("413", "200 ok"), statusesAndOkBodies(answers));
        assertTrue(answers.get(0).contains("\"error\""), answers.get(0));
    }

    @Test
    void aChunkedBodyOverTheLimitIsAnswered413AndTheConnectionServesTheNextRequest() throws Exception {
        String chunk = "a".repeat(600);
        String chunks = (Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n").repeat(4) + "0\r\n\r\n";
        List<String> answers = exchange("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
                chunks + "GET /x HTTP/1.1\r\nHost: h\r\n\r\n", 2);
        assertEquals(List.of("413", "200 ok"), statusesAndOkBodies(answers));
    }

    @Test
    void aBodyTheRouteDoesNotReadIsDroppedAfterTheAnswer() throws Exception {
        List<String> answers = exchange("PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 500\r\n\r\n",
                "b".repeat(500) + "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc", 2);
        assertEquals(List.of("405", "200 read 3"), statusesAndOkBodies(answers));
    }

    @Test
    void aBodyFarOverTheLimitIsRefusedAtOnceAndTheConnectionClosed() throws Exception {
        long length = LIMIT + BodyDrain.SWALLOW_BYTES + 1;
        // Only the headers are sent: the answer must come without waiting for a body this large.
        List<String> answers = exchange("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: " + length + "\r\n\r\n", "", 2);
        assertEquals(List.of("413"), statusesAndOkBodies(answers), "413, then the connection closed");
    }

    @Test
    void aBodyWithinTheLimitIsReadByTheRoute() throws Exception {
        List<String> answers = exchange("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: " + LIMIT + "\r\n\r\n",
                "c".repeat(LIMIT) + "GET /x HTTP/1.1\r\nHost: h\r\n\r\n", 2);
        assertEquals(List.of("200 read " + LIMIT, "200 ok"), statusesAndOkBodies(answers));
    }

    /** The status code of each answer, with the body after it for a 200. */
    private static List<String> statusesAndOkBodies(List<String> answers) {
        List<String> out = new ArrayList<>();
        for (String answer : answers) {
            String status = answer.substring(9, 12);
            out.add(status.equals("200") ? status + " " + answer.substring(answer.indexOf("\r\n\r\n") + 4) : status);
        }
        return out;
    }

    /** Sends {@code head}, pauses, sends {@code rest}, and reads up to {@code answers} answers (fewer if closed). */
    private List<String> exchange(String head, String rest, int answers) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000); // a failsafe: the assertions are on what is answered
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(300);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            List<String> read = new ArrayList<>();
            try {
                out.write(rest.getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException closed) {
                // the server closed (far over the limit): read what it answered
            }
            for (int i = 0; i < answers; i++) {
                String answer = readAnswer(in);
                if (answer == null) {
                    break;
                }
                read.add(answer);
            }
            return read;
        }
    }

    /** One HTTP/1.1 answer with a Content-Length body, or null at the end of the stream. */
    private static String readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String headers = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return headers + new String(body, StandardCharsets.UTF_8);
    }
}
