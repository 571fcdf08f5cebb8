package io.streamvec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;

import io.streamvec.bench.ChildInstance;
import io.streamvec.kafka.EmbeddedKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A streamvec child JVM ({@code java -jar target/streamvec.jar run --config FILE}, started by the
 * benchmarks' {@link ChildInstance}) for tests that kill an instance for real; its output goes to a log
 * file (where it also prints its ports). Subclasses add what their test reads from it.
 */
abstract class ChildJvm {

    private static final Pattern HTTP = Pattern.compile("HTTP endpoints at (http://\\S+/)");
    private static final Pattern OPERATIONS = Pattern.compile("metrics and health at (http://\\S+/)");

    final Process process;
    private final ChildInstance instance;
    /** The query server and the operations server, once {@link #awaitReady} has read them from the log. */
    URI api;
    URI operations;

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

    /** A producer of raw (already serialized) values to {@code kafka}. */
    static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    /** The floats of a {@code GET /songs/{id}/vector} answer, exactly as printed, as many as its {@code dim}. */
    static float[] vectorOf(JsonNode answer) {
        JsonNode values = answer.get("vector");
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values.get(i).doubleValue(); // each float is printed to parse back exactly
        }
        assertEquals(answer.get("dim").asInt(), out.length);
        return out;
    }

    /** Waits for the ports in the log, then for /health/ready (RUNNING: tasks assigned and restored). */
    void awaitReady(Duration wait) throws InterruptedException {
        Await.until(wait, "the endpoints are bound", () -> {
            String out = output();
            Matcher h = HTTP.matcher(out);
            Matcher o = OPERATIONS.matcher(out);
            if (h.find() && o.find()) {
                api = URI.create(h.group(1));
                operations = URI.create(o.group(1));
                return true;
            }
            return false;
        }, this::tail, this::exited);
        Await.until(wait, "ready", () -> status(operations.resolve("/health/ready")) == 200, this::tail, this::exited);
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
