package io.streamvec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * Docker cannot run here, so the deployment files are kept consistent by parsing them: the compose
 * services, the ports the app listens on, the Prometheus scrape target and the Grafana datasource agree.
 * (The metric names the dashboard and alert rules use are checked against a live scrape in
 * OperationsIntegrationTest and PrometheusIntegrationTest.)
 */
public class DeploymentFilesTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode yaml(String path) throws Exception {
        return YAML.readTree(Path.of(path).toFile());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.asText()));
        return out;
    }

    @Test
    void composeServicesPortsAndTargetsAgreeWithTheApp() throws Exception {
        JsonNode services = yaml("docker/docker-compose.yml").get("services");
        for (String service : List.of("kafka", "streamvec", "prometheus", "grafana")) {
            assertTrue(services.has(service), "compose service " + service);
        }
        StreamvecConfig app = StreamvecConfig.load(Path.of("docker/streamvec.properties"));
        int metricsPort = app.metricsPort();
        int httpPort = app.getInt(StreamvecConfig.HTTP_PORT);
        assertEquals("0.0.0.0", app.metricsHost(), "inside a container the endpoints listen on every interface");
        List<String> published = texts(services.get("streamvec").get("ports"));
        assertTrue(published.contains(metricsPort + ":" + metricsPort), "metrics port published: " + published);
        assertTrue(published.contains(httpPort + ":" + httpPort), "HTTP port published: " + published);
        assertTrue(texts(services.get("streamvec").get("volumes")).stream()
                .anyMatch(v -> v.startsWith("./streamvec.properties:/etc/streamvec/streamvec.properties")));
        assertEquals(List.of("run", "--config", "/etc/streamvec/streamvec.properties"),
                texts(services.get("streamvec").get("command")));

        String bootstrap = (String) app.streamsProperties().get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
        assertEquals("kafka:9092", bootstrap);
        assertTrue(services.get("kafka").get("environment").get("KAFKA_ADVERTISED_LISTENERS").asText()
                .contains("//" + bootstrap), "the broker advertises the address streamvec uses");

        JsonNode prometheus = yaml("docker/prometheus/prometheus.yml");
        JsonNode job = prometheus.get("scrape_configs").get(0);
        assertEquals("/metrics", job.get("metrics_path").asText());
        assertEquals(List.of("streamvec:" + metricsPort), texts(job.get("static_configs").get(0).get("targets")),
                "Prometheus scrapes the streamvec service on metrics.port");
        assertEquals(List.of("alerts.yml"), texts(prometheus.get("rule_files")));
        List<String> mounts = texts(services.get("prometheus").get("volumes"));
        assertTrue(mounts.contains("./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro"), mounts.toString());
        assertTrue(mounts.contains("./prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro"),
                "the rules file sits beside the config, as rule_files expects");

        JsonNode datasource = yaml("docker/grafana/provisioning/datasources/prometheus.yml").get("datasources").get(0);
        assertEquals("http://prometheus:9090", datasource.get("url").asText());
        assertTrue(texts(services.get("prometheus").get("ports")).contains("9090:9090"));
        String dashboards = yaml("docker/grafana/provisioning/dashboards/streamvec.yml").get("providers").get(0)
                .get("options").get("path").asText();
        assertTrue(texts(services.get("grafana").get("volumes")).contains("./grafana/dashboards:" + dashboards + ":ro"));
    }

    @Test
    void theDashboardQueriesTheProvisionedDatasource() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Path.of("docker/grafana/dashboards/streamvec.json").toFile());
        String uid = yaml("docker/grafana/provisioning/datasources/prometheus.yml").get("datasources").get(0)
                .get("uid").asText();
        assertTrue(dashboard.get("panels").size() >= 10);
        for (JsonNode panel : dashboard.get("panels")) {
            assertEquals(uid, panel.get("datasource").get("uid").asText(), panel.get("title").asText());
            assertTrue(panel.get("targets").get(0).get("expr").asText().length() > 0);
        }
    }

    /** Metric names used by the dashboard and the alert rules (for the live checks). */
    public static Set<String> referencedMetrics() throws Exception {
        String text = Files.readString(Path.of("docker/grafana/dashboards/streamvec.json"))
                + Files.readString(Path.of("docker/prometheus/alerts.yml"));
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\b((?:kafka|streamvec|jvm)_[a-z0-9_]+)").matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }
}
