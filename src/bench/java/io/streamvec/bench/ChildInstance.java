package io.streamvec.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One streamvec instance in a child JVM ({@code run --config FILE}), optionally pinned to CPU cores with
 * {@code taskset}; its output goes to a log file, from which the bound ports are read.
 */
public final class ChildInstance implements AutoCloseable {

    private static final Pattern OPERATIONS = Pattern.compile("metrics and health at (http://\\S+/)");
    private static final Pattern EVENTS = Pattern.compile("(?m)^streamvec_song2vec_events_total\\{[^}]*} (\\S+)$");
    private static final Pattern DELTA_ROWS = Pattern.compile(
            "(?m)^streamvec_song2vec_delta_rows_total\\{[^}]*direction=\"published\"[^}]*} (\\S+)$");

    private final Process process;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private URI operations;

    private ChildInstance(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code run --config} with {@code properties} written to {@code dir}; {@code cores} null: unpinned. */
    public static ChildInstance start(Properties properties, Path dir, String cores, String heap) throws IOException {
        Files.createDirectories(dir);
        Path config = dir.resolve("streamvec.properties");
        try (var writer = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            properties.store(writer, "bench child");
        }
        return start(config, dir.resolve("streamvec.log"), cores, heap);
    }

    /** Starts {@code run --config config}, its output to {@code log}; {@code cores} null: unpinned. */
    public static ChildInstance start(Path config, Path log, String cores, String heap) throws IOException {
        List<String> command = new ArrayList<>();
        if (cores != null) {
            command.addAll(List.of("taskset", "-c", cores));
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap,
                "--add-modules", "jdk.incubator.vector", "-jar", jar().toString(), "run", "--config", config.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ChildInstance(process, log);
    }

    public Process process() {
        return process;
    }

    /** The streamvec jar this code runs from (target/streamvec.jar). */
    static Path jar() {
        try {
            Path location = Path.of(ChildInstance.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!location.toString().endsWith(".jar")) {
                location = location.getParent().resolve("streamvec.jar"); // target/classes -> target/streamvec.jar
            }
            if (!Files.isRegularFile(location)) {
                throw new IllegalStateException(location + " not found: build it with mvn package");
            }
            return location;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the instance reports RUNNING on /health/ready. */
    public void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the instance exited (" + process.exitValue() + "):\n" + tail());
            }
            if (operations == null) {
                Matcher m = OPERATIONS.matcher(output());
                if (m.find()) {
                    operations = URI.create(m.group(1));
                }
            } else if (status(operations.resolve("/health/ready")) == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the instance was not ready within " + timeout + ":\n" + tail());
    }

    /** Playlist events trained by this instance (all its tasks), from /metrics; 0 while none is reported. */
    public long events() {
        return (long) sum(EVENTS);
    }

    /** Model rows this instance's replicas published to the others (data-parallel training). */
    public long deltaRowsPublished() {
        return (long) sum(DELTA_ROWS);
    }

    private double sum(Pattern samples) {
        String metrics = body(operations.resolve("/metrics"));
        double sum = 0;
        if (metrics != null) {
            Matcher m = samples.matcher(metrics);
            while (m.find()) {
                sum += Double.parseDouble(m.group(1));
            }
        }
        return sum;
    }

    /** The ready document (state, threads, tasks) as JSON text. */
    public String health() {
        return body(operations.resolve("/health/ready"));
    }

    /** The status of a GET, or -1 when there is no answer. */
    public int status(URI uri) {
        HttpResponse<String> response = get(uri);
        return response == null ? -1 : response.statusCode();
    }

    /** The body of a 200 answer to a GET, else null. */
    public String body(URI uri) {
        HttpResponse<String> response = get(uri);
        return response != null && response.statusCode() == 200 ? response.body() : null;
    }

    /** The answer to a GET, or null when there is none (not listening yet, timed out). */
    public HttpResponse<String> get(URI uri) {
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

    /** Everything the instance has written so far. */
    public String output() {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8); // lenient: a log may hold any bytes
        } catch (IOException e) {
            return "";
        }
    }

    /** The last lines of the instance's log, for error messages. */
    public String tail() {
        List<String> lines = output().lines().toList();
        return "\n--- last lines of " + log.getFileName() + " ---\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** SIGKILL (what {@link Process#destroyForcibly} sends on Linux); true once the process is gone. */
    public boolean kill() throws InterruptedException {
        process.destroyForcibly();
        return process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Stops the instance (SIGTERM: a graceful shutdown), killing it after 30 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
