package io.streamvec.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WrkLoadClientTest {

    @Test
    void parsesTheSummaryLineOfTheScript() throws IOException {
        HttpLoadClient.Result result = WrkLoadClient.parse("Running 2s test @ http://127.0.0.1:1\n"
                + "  2 threads and 16 connections\n"
                + "streamvec-wrk requests=12000 duration_us=2000000 errors=3 non2xx=7 mean_us=1234.500 p50_us=1000 "
                + "p99_us=4000 p999_us=9000 max_us=12000\n");
        assertEquals(new HttpLoadClient.Result(12000, 10, 2.0, 1.2345, 1.0, 4.0, 9.0, 12.0), result);
        assertEquals(6000, result.requestsPerSecond(), 1e-9);
        assertThrows(IOException.class, () -> WrkLoadClient.parse("unable to connect to 127.0.0.1:1"));
    }

    @Test
    void theScriptRotatesThePathsAndEscapesQuotes() {
        String lua = WrkLoadClient.script(List.of("/songs/1/similar?k=10", "/a\"b"), 2);
        assertTrue(lua.contains("\"/songs/1/similar?k=10\",\n\"/a\\\"b\",\n"), lua);
        assertTrue(lua.contains("n / 2)"), lua);
        assertTrue(lua.contains("latency:percentile(99.9)"), lua);
        assertThrows(IllegalArgumentException.class, () -> WrkLoadClient.script(List.of("/a\nb"), 1));
    }

    @Test
    void runsWrkWithTheScriptWhenInstalled(@TempDir Path work) throws Exception {
        Optional<Path> wrk = WrkLoadClient.find();
        assumeTrue(wrk.isPresent(), "wrk is not installed");
        try (LoopbackHttpServer server = new LoopbackHttpServer(5)) {
            HttpLoadClient.Result result = new WrkLoadClient(wrk.get(), work, 2)
                    .run(server.uri(), List.of("/a", "/b", "/c"), 2, Duration.ofSeconds(1));
            assertTrue(result.requests() > 0, result.toString());
            assertTrue(Math.abs(result.errors() - result.requests() / 5) <= 3, result.toString()); // the 404s
            assertTrue(result.p50Ms() <= result.p99Ms() && result.p99Ms() <= result.maxMs(), result.toString());
        }
    }
}
