package io.streamvec.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
                .version(HttpClient.Version.HTTP_1_1) // the JDK's server speaks HTTP/1.1 only
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
        String query = request.getRawQuery();
        return URI.create("http://" + address(owner) + request.getRawPath() + (query == null ? "" : "?" + query));
    }

    /** Sends {@code method request} (GET or HEAD) to {@code owner} and answers with what it answered. */
    SongHttpHandler.Response forward(HostInfo owner, String method, URI request) {
        URI target = target(owner, request);
        HttpRequest forwarded = HttpRequest.newBuilder(target)
                .timeout(requestTimeout)
                .header(FORWARDED, "1")
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<byte[]> answer;
        try {
            answer = client.send(forwarded, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            LOG.warn("cannot forward {} {} to {}, the instance that holds it: {}", method, request.getRawPath(),
                    address(owner), e.toString());
            return unreachable();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unreachable();
        }
        String contentType = answer.headers().firstValue("Content-Type").orElse("");
        if (!contentType.startsWith("application/json")) {
            LOG.warn("{} answered {} {} with {} {}, not JSON", address(owner), method, request.getRawPath(),
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
