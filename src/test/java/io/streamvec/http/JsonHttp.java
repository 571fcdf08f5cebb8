package io.streamvec.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Test calls to streamvec's HTTP endpoints, which answer JSON every time, errors included. */
final class JsonHttp {

    private JsonHttp() {}

    /** Sends the request and checks that the answer is JSON. */
    static HttpResponse<String> send(HttpClient client, HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(SongHttpHandler.CONTENT_TYPE, response.headers().firstValue("Content-Type").orElse(null));
        return response;
    }

    /** A GET with optional header name/value pairs, given up after 10 s. */
    static HttpResponse<String> get(HttpClient client, URI uri, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(client, request);
    }

    /** The instance that answered, as the forwarder marks it. */
    static String servedBy(HttpResponse<String> response) {
        return response.headers().firstValue(Forwarder.SERVED_BY).orElse(null);
    }
}
