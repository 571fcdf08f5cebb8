package io.streamvec;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.bench.ChildInstance;
import io.streamvec.kafka.EmbeddedKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A streamvec child JVM ({@code java -jar target/streamvec.jar run --config FILE}, started by the
 * benchmarks' {@link ChildInstance}) for tests that kill an instance for real; its output goes to a log
 * file (where it also prints its ports). Subclasses add what their test reads from it.
 */
abstract class ChildJvm {

    final Process process;
    private final ChildInstance instance;

    ChildJvm(Path config, Path log) throws IOException {
        this.instance = ChildInstance.start(config, log, null, "512m");
        this.process = instance.process();
    }

    /**
     * Writes a child's config file: the broker, {@code appId}, {@code stateDir}, ports picked by the child
     * (it logs them), a 6 s session timeout (a killed member never leaves the group; the broker drops it
     * after 6 s, not 45) and {@code more} lines.
     */
    static Path writeConfig(Path file, EmbeddedKafka kafka, String appId, Path stateDir, String... more)
            throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "bootstrap.servers=" + kafka.bootstrapServers(),
                "application.id=" + appId,
                "state.dir=" + stateDir,
                "http.port=0",
                "metrics.port=0",
                "session.timeout.ms=6000",
                "heartbeat.interval.ms=1000"));
        lines.addAll(List.of(more));
        return Files.writeString(file, String.join("\n", lines) + "\n");
    }

    int status(URI uri) {
        return instance.status(uri);
    }

    String body(URI uri) {
        return instance.body(uri);
    }

    HttpResponse<String> get(URI uri) {
        return instance.get(uri);
    }

    String output() {
        return instance.output();
    }

    String tail() {
        return instance.tail();
    }

    /** Why waiting on this child is pointless (it exited, with its output's tail), or null while it runs. */
    String exited() {
        return process.isAlive() ? null : "the child JVM exited with " + process.exitValue() + tail();
    }

    /** SIGKILL, then waits until the process is gone. */
    void kill() throws InterruptedException {
        assertTrue(instance.kill(), "the child died");
    }

    void destroy() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
