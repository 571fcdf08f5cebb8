package io.streamvec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run --config FILE} refuses a bad file before it connects to anything. */
class RunCommandConfigTest {

    @Test
    void aMalformedApplicationServerStopsRunWithOneClearLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("streamvec.properties"), String.join("\n",
                // no broker listens here: the run must fail on the file, before any connection is tried
                "bootstrap.servers=127.0.0.1:1",
                "application.server=http://streamvec-1:8080",
                "http.port=8080",
                ""));
        CliRun run = CliRun.of("run", "--config", file.toString());
        assertEquals(1, run.exitCode());
        String err = run.err().strip();
        assertTrue(err.startsWith("streamvec run: "), err);
        assertTrue(err.contains("application.server") && err.contains("http://streamvec-1:8080")
                && err.contains("HOST:PORT"), err);
        assertFalse(err.contains("\tat "), "no stack trace: " + err);
    }
}
