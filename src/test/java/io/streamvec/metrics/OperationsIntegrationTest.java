package io.streamvec.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.StreamvecApp;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.kafka.EmbeddedKafka;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics in Prometheus format and /health/{live,ready} of a running streamvec. */
class OperationsIntegrationTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsAndHealthOfARunningApp(@TempDir Path stateDir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Map<String, Object> properties =
                    StreamvecConfig.local(kafka.bootstrapServers(), "streamvec-operations-it", stateDir);
            properties.put(StreamvecConfig.EMBEDDING_LINGER_MS, 20L);
            URI base;
            try (StreamvecApp app = new StreamvecApp(new StreamvecConfig(properties)).start()) {
                base = app.operationsUri();
                assertEquals("127.0.0.1", base.getHost(), "bound to loopback by default");
                app.awaitRunning(Duration.ofSeconds(60));

                HttpResponse<String> ready = get(base, "/health/ready");
                assertEquals(200, ready.statusCode(), ready.body());
                JsonNode health = new ObjectMapper().readTree(ready.body());
                assertEquals("RUNNING", health.get("state").asText());
                assertEquals("UP", health.get("status").asText());
                assertFalse(health.get("threads").isEmpty(), "per-thread details");
                assertEquals(200, get(base, "/health/live").statusCode());

                Properties config = new Properties();
                config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
                try (KafkaProducer<String, byte[]> producer =
                             new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
                    producer.send(new ProducerRecord<>(Topics.TEXT_EVENTS, "t", "hello metrics".getBytes(StandardCharsets.UTF_8)));
                    producer.send(new ProducerRecord<>(Topics.TEXT_EVENTS, "bad", new byte[] {0, 1}));
                    producer.send(new ProducerRecord<>(Topics.PLAYLIST_EVENTS, "p", new AvroSerde<>(PlaylistEvent.class,
                            app.registry()).serialize(Topics.PLAYLIST_EVENTS,
                            new PlaylistEvent("p", List.of("a", "b", "c"), 1L, true))));
                }
                String metrics = "";
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < deadline && !(value(metrics, "streamvec_records_out_total", "text-embeddings") >= 1
                        && value(metrics, "streamvec_song2vec_events_total", "") >= 1
                        && value(metrics, "streamvec_dlq_records_total", "unreadable") >= 1)) {
                    Thread.sleep(200);
                    HttpResponse<String> scrape = get(base, "/metrics");
                    assertEquals(200, scrape.statusCode());
                    assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
                    metrics = scrape.body();
                }
                assertEquals(1.0, value(metrics, "streamvec_records_out_total", "text-embeddings"), metrics);
                assertEquals(1.0, value(metrics, "streamvec_records_in_total", "path=\"text\""), "the unreadable one is a DLQ record");
                assertEquals(1.0, value(metrics, "streamvec_song2vec_events_total", ""));
                assertEquals(3.0, value(metrics, "streamvec_song2vec_vocabulary", ""));
                assertEquals(1.0, value(metrics, "streamvec_dlq_records_total", "unreadable"));
                assertTrue(metrics.contains("streamvec_embedding_batch_seconds_bucket"), "embedding latency histogram");
                assertTrue(metrics.contains("kafka_stream_"), "Kafka Streams' own metrics through the binder");
                assertTrue(metrics.contains("jvm_memory_used_bytes"));
                assertTrue(metrics.contains("process_cpu_usage"));
                assertFalse(Pattern.compile("(?m)^streamvec_\\S+ NaN$").matcher(metrics).find(), "no NaN gauges");
                for (String name : io.streamvec.DeploymentFilesTest.referencedMetrics()) {
                    assertTrue(Pattern.compile("(?m)^" + name + "[{ ]").matcher(metrics).find(),
                            "the dashboard or an alert uses " + name + ", which must be exported");
                }
                assertTrue(metrics.contains("streamvec_embedding_device{device=\"cpu\""), "device in use");
                assertMetricsListMatches(metrics);
                assertEquals(405, HTTP.send(HttpRequest.newBuilder(base.resolve("/metrics"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode());
                assertEquals(404, get(base, "/nope").statusCode());
            }
            assertThrowsConnect(base);
        }
    }

    /** Families registered only on some deployments or on first use: documented, but absent from this scrape. */
    private static final Set<String> CONDITIONAL = Set.of(
            "streamvec_song2vec_delta_rows"); // data-parallel training only

    /**
     * The metrics table in docs/operations.md cannot drift from the code: every {@code streamvec_*} family this
     * instance exports is documented, and every documented one is exported (except {@link #CONDITIONAL}).
     * Families compare without Prometheus' {@code _total} suffix; a timer's {@code _max} gauge goes with it.
     */
    private static void assertMetricsListMatches(String scrape) throws java.io.IOException {
        Set<String> exported = new TreeSet<>();
        Matcher type = Pattern.compile("(?m)^# TYPE (streamvec_\\w+) ").matcher(scrape);
        while (type.find()) {
            exported.add(type.group(1).replaceAll("_total$", "").replaceAll("_max$", ""));
        }
        String operations = Files.readString(Path.of("docs", "operations.md"));
        Set<String> documented = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| (`streamvec_.*?) \\|").matcher(operations);
        while (row.find()) {
            Matcher name = Pattern.compile("`(streamvec_\\w+)").matcher(row.group(1));
            while (name.find()) {
                documented.add(name.group(1).replaceAll("_total$", ""));
            }
        }
        Set<String> undocumented = new TreeSet<>(exported);
        undocumented.removeAll(documented);
        assertTrue(undocumented.isEmpty(), "exported but not in docs/operations.md: " + undocumented);
        Set<String> missing = new TreeSet<>(documented);
        missing.removeAll(exported);
        missing.removeAll(CONDITIONAL);
        assertTrue(missing.isEmpty(), "in docs/operations.md but not exported: " + missing + "\n" + exported);
    }

    /** The sum of the samples of a metric whose line contains {@code labelFragment}. */
    private static double value(String scrape, String metric, String labelFragment) {
        Matcher m = Pattern.compile("(?m)^" + metric + "(\\{[^}]*\\})? (\\S+)$").matcher(scrape);
        double sum = 0;
        boolean found = false;
        while (m.find()) {
            String labels = m.group(1) == null ? "" : m.group(1);
            if (labels.contains(labelFragment)) {
                sum += Double.parseDouble(m.group(2));
                found = true;
            }
        }
        return found ? sum : -1;
    }

    private static void assertThrowsConnect(URI base) {
        try {
            get(base, "/health/live");
            throw new AssertionError("the operations server still answers after close");
        } catch (java.io.IOException expected) {
            // closed with the app
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
