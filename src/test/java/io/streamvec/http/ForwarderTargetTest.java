package io.streamvec.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/** The target of a forwarded request, built from the raw path and query the server received. */
class ForwarderTargetTest {

    private static final HostInfo OWNER = new HostInfo("streamvec-2", 8080);

    @Test
    void aValidRawPathAndQueryGoAsTheyCame() {
        assertEquals(URI.create("http://streamvec-2:8080/playlists/p%C3%A9%2Fx/next?k=7"),
                Forwarder.target(OWNER, "/playlists/p%C3%A9%2Fx/next", "k=7"));
        assertEquals(URI.create("http://streamvec-2:8080/playlists/a;b+c'd/next"),
                Forwarder.target(OWNER, "/playlists/a;b+c'd/next", null));
    }

    @Test
    void charactersAUriCannotHoldAsTheyAreArePercentEncodedAsUtf8() {
        // The server lets a raw non-ASCII letter or '|' through to the routes; the forwarder must still send it.
        assertEquals(URI.create("http://streamvec-2:8080/playlists/caf%C3%A9/next"),
                Forwarder.target(OWNER, "/playlists/café/next", null));
        assertEquals(URI.create("http://streamvec-2:8080/playlists/a%7Cb%F0%9F%8E%B5/next?k=%7C"),
                Forwarder.target(OWNER, "/playlists/a|b\uD83C\uDFB5/next", "k=|"));
        assertEquals("a%5Bb%5D%23", Forwarder.escapeIllegal("a[b]#"));
        assertEquals("plain", Forwarder.escapeIllegal("plain"));
    }
}
