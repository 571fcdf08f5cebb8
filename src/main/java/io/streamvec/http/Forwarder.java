package io.streamvec.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a request on to the instance whose state answers it and relays that instance's answer: status, JSON
 * body, and the {@value #SERVED_BY} and {@code Retry-After} headers. Exactly one hop: the request carries
 * {@value #FORWARDED}, and {@link SongHttpHandler} answers a request that carries it from its own state,
 * whatever its metadata says, so two instances that disagree about an owner during a rebalance can never
 * bounce a request between them. An owner that does not answer within the timeouts is a 503 with
 * {@code Retry-After} (the address and the cause are logged, never shown to the client).
 */
public final class Forwarder {

    /** Marks a request one instance sent on to another; a request that carries it is never forwarded again. */
    public static final String FORWARDED = "X-Streamvec-Forwarded";
    /** The {@code application.server} of the instance whose state answered. */
    public static final String SERVED_BY = "X-Streamvec-Served-By";
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(3);

    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);

    private final HttpClient client;
    private final Duration requestTimeout;

    public Forwarder() {
        this(DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT);
    }

    public Forwarder(Duration connectTimeout, Duration requestTimeout) {
        this.client = HttpClient.newBuilder()
                // Plain HTTP/1.1 keep-alive, which every owner and anything between the instances speaks: no
                // h2c upgrade round trip on each new connection.
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .build();
        this.requestTimeout = requestTimeout;
    }

    /** {@code host:port} as {@code application.server} names it (an IPv6 host in brackets). */
    public static String address(HostInfo host) {
        String name = host.host();
        return (name.indexOf(':') >= 0 ? "[" + name + "]" : name) + ":" + host.port();
    }

    /** The URI of the same request at {@code owner}: its path and query, unchanged (they were validated). */
    static URI target(HostInfo owner, URI request) {
        return target(owner, request.getRawPath(), request.getRawQuery());
    }

    /**
     * The URI of the same request at {@code owner} from its raw path and query (as they came, percent escapes
     * and all). The only change: a character that may not stand in a URI as it is (a client's raw space or
     * non-ASCII letter, which the server let through) is percent-encoded as UTF-8.
     */
    static URI target(HostInfo owner, String rawPath, String rawQuery) {
        return URI.create("http://" + address(owner) + escapeIllegal(rawPath)
                + (rawQuery == null ? "" : "?" + escapeIllegal(rawQuery)));
    }

    /**
     * {@code raw} with every character that RFC 3986 does not allow in a path or query percent-encoded (an
     * escape already there stays as it is).
     */
    static String escapeIllegal(String raw) {
        StringBuilder out = null;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            boolean legal = c < 0x80 && (Character.isLetterOrDigit(c) || "-._~:/?@!$&'()*+,;=%".indexOf(c) >= 0);
            if (legal) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(raw.length() + 16).append(raw, 0, i);
            }
            int end = Character.isHighSurrogate(c) && i + 1 < raw.length() ? i + 2 : i + 1;
            for (byte b : raw.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
            }
            i = end - 1;
        }
        return out == null ? raw : out.toString();
    }

    /** Sends {@code method} (GET or HEAD) of the raw path and query to {@code owner}; answers with its answer. */
    SongHttpHandler.Response forward(HostInfo owner, String method, String rawPath, String rawQuery) {
        URI target = target(owner, rawPath, rawQuery);
        HttpRequest forwarded = HttpRequest.newBuilder(target)
                .timeout(requestTimeout)
                .header(FORWARDED, "1")
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<byte[]> answer;
        try {
            answer = client.send(forwarded, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            LOG.warn("cannot forward {} {} to {}, the instance that holds it: {}", method, rawPath,
                    address(owner), e.toString());
            return unreachable();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unreachable();
        }
        String contentType = answer.headers().firstValue("Content-Type").orElse("");
        if (!contentType.startsWith("application/json")) {
            LOG.warn("{} answered {} {} with {} {}, not JSON", address(owner), method, rawPath,
                    answer.statusCode(), contentType);
            return new SongHttpHandler.Response(502, new Responses.ErrorBody(
                    "the instance that holds this playlist gave an unexpected answer"), Map.of());
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(SERVED_BY, answer.headers().firstValue(SERVED_BY).orElse(address(owner)));
        answer.headers().firstValue("Retry-After").ifPresent(value -> headers.put("Retry-After", value));
        answer.headers().firstValue("Allow").ifPresent(value -> headers.put("Allow", value));
        return new SongHttpHandler.Response(answer.statusCode(), new SongHttpHandler.Relayed(answer.body()), headers);
    }

    private static SongHttpHandler.Response unreachable() {
        return new SongHttpHandler.Response(503, new Responses.ErrorBody(
                "the instance that holds this playlist is not reachable right now; retry shortly"),
                Map.of("Retry-After", "1"));
    }
}
