package io.streamvec.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.StreamvecApp;
import io.streamvec.StreamvecConfig;
import io.streamvec.kafka.EmbeddedKafka;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Prometheus files are valid (promtool), agree with the application's port, and a real
 * Prometheus (Debian's package, installed by .ci/run) scrapes a running streamvec and finds its series,
 * including every metric the alert rules use.
 */
class PrometheusIntegrationTest {

    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    private static final Path CONFIG = Path.of("docker/prometheus/prometheus.yml");
    private static final Path RULES = Path.of("docker/prometheus/alerts.yml");
    private static final Path RULE_TESTS = Path.of("docker/prometheus/alerts.test.yml");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "timed out: " + command);
        assertEquals(0, process.exitValue(), command + "\n" + output);
        return output;
    }

    @Test
    void shippedConfigAndRulesPassPromtoolAndMatchTheAppsPort() throws Exception {
        String config = Files.readString(CONFIG);
        int defaultPort = (Integer) StreamvecConfig.DEFINITION.configKeys().get(StreamvecConfig.METRICS_PORT).defaultValue;
        assertTrue(config.contains("streamvec:" + defaultPort), "the scrape target uses metrics.port " + defaultPort);
        assertTrue(config.contains("metrics_path: /metrics"));
        assumeTrue(Files.isExecutable(PROMTOOL), "promtool is not installed (.ci/run installs Debian's prometheus)");
        run(List.of(PROMTOOL.toString(), "check", "config", CONFIG.toString()));
        run(List.of(PROMTOOL.toString(), "check", "rules", RULES.toString()));
        // the rules' own unit tests: series in, alerts out (a dead-lettered model delta, diverging replicas)
        String tested = run(List.of(PROMTOOL.toString(), "test", "rules", RULE_TESTS.toString()));
        assertTrue(tested.contains("SUCCESS"), tested);
    }

    @Test
    void aRealPrometheusScrapesStreamvec(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(PROMETHEUS), "prometheus is not installed (.ci/run installs Debian's prometheus)");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Map<String, Object> properties =
                    StreamvecConfig.local(kafka.bootstrapServers(), "streamvec-prometheus-it", dir.resolve("state"));
            try (StreamvecApp app = new StreamvecApp(new StreamvecConfig(properties)).start()) {
                app.awaitRunning(Duration.ofSeconds(60));
                int appPort = app.operationsUri().getPort();
                // one unreadable record, so that the dead-letter counter (created on first use) exists
                java.util.Properties producerConfig = new java.util.Properties();
                producerConfig.put("bootstrap.servers", kafka.bootstrapServers());
                try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(producerConfig,
                        new org.apache.kafka.common.serialization.StringSerializer(),
                        new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                    producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                            io.streamvec.kafka.Topics.TEXT_EVENTS, "bad", new byte[] {0, 7}));
                }
                // The shipped config, adapted to this test: the app's port on loopback, a fast scrape.
                String config = Files.readString(CONFIG)
                        .replace("streamvec:9464", "127.0.0.1:" + appPort)
                        .replace("scrape_interval: 15s", "scrape_interval: 1s")
                        .replace("- alerts.yml", "- " + RULES.toAbsolutePath());
                Path configFile = Files.writeString(dir.resolve("prometheus.yml"), config);
                int promPort;
                try (ServerSocket socket = new ServerSocket(0)) {
                    promPort = socket.getLocalPort();
                }
                Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + configFile,
                        "--web.listen-address=127.0.0.1:" + promPort, "--storage.tsdb.path=" + dir.resolve("tsdb"))
                        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
                try {
                    URI api = URI.create("http://127.0.0.1:" + promPort + "/api/v1/query?query=");
                    assertEquals("1", awaitValue(api, "up{job=\"streamvec\"}", dir), "Prometheus scrapes streamvec");
                    assertTrue(Integer.parseInt(awaitValue(api, "count({__name__=~\"kafka_stream_.+\"})", dir)) > 0);
                    assertTrue(Integer.parseInt(awaitValue(api, "count({__name__=~\"streamvec_.+\"})", dir)) > 0);
                    // every metric an alert rule uses exists (streamvec's own, and the binder's)
                    Matcher metrics = Pattern.compile("\\b((?:kafka|streamvec)_[a-z0-9_]+)").matcher(Files.readString(RULES));
                    while (metrics.find()) {
                        String name = metrics.group(1);
                        assertTrue(Integer.parseInt(awaitValue(api, "count({__name__=\"" + name + "\"})", dir)) > 0,
                                "alert rules use " + name + ", which streamvec exports");
                    }
                } finally {
                    prometheus.destroy();
                    prometheus.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** The first result's value of an instant query, waiting up to 60 s for a non-empty result. */
    private static String awaitValue(URI api, String query, Path dir) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create(api + URLEncoder.encode(query, StandardCharsets.UTF_8))).build(),
                        HttpResponse.BodyHandlers.ofString());
                last = response.body();
                JsonNode result = new ObjectMapper().readTree(last).path("data").path("result");
                if (result.size() > 0 && !result.get(0).path("value").path(1).asText().equals("0")) {
                    return result.get(0).path("value").path(1).asText();
                }
            } catch (java.io.IOException notYetListening) {
                last = notYetListening.toString();
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no result for " + query + ": " + last + "\nprometheus log:\n"
                + Files.readString(dir.resolve("prometheus.log")));
    }
}
