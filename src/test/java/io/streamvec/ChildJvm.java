package io.streamvec;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A streamvec child JVM ({@code java -jar target/streamvec.jar run --config FILE}) for tests that kill an
 * instance for real; its output goes to a log file (where it also prints its ports). Subclasses add what
 * their test reads from it.
 */
abstract class ChildJvm {

    final Process process;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    ChildJvm(Path config, Path log) throws IOException {
        Path jar = Path.of("target", "streamvec.jar").toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), jar + " is built by mvn package, before the integration tests");
        this.process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "--add-modules", "jdk.incubator.vector",
                "-jar", jar.toString(), "run", "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        this.log = log;
    }

    /** The status of a GET, or -1 when there is no answer. */
    int status(URI uri) {
        HttpResponse<String> response = get(uri);
        return response == null ? -1 : response.statusCode();
    }

    /** The body of a 200 answer, else null. */
    String body(URI uri) {
        HttpResponse<String> response = get(uri);
        return response != null && response.statusCode() == 200 ? response.body() : null;
    }

    /** The answer, or null when there is none (not listening yet, timed out). */
    HttpResponse<String> get(URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    String output() {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The end of the child's log, for assertion messages. */
    String tail() {
        String[] lines = output().split("\n");
        return "\n--- last lines of " + log.getFileName() + " ---\n"
                + String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
    }

    /** SIGKILL (what {@link Process#destroyForcibly} sends on Linux), then waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the child died");
    }

    void destroy() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
