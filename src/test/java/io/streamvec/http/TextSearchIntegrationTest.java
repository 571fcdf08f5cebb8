package io.streamvec.http;

import io.streamvec.Await;
import io.streamvec.FreePorts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.StreamvecApp;
import io.streamvec.StreamvecConfig;
import io.streamvec.kafka.EmbeddedKafka;
import io.streamvec.kafka.TopicCatalog;
import io.streamvec.kafka.TopicSpec;
import io.streamvec.kafka.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text search across two instances, each holding one of text-events' two partitions. A search on either instance
 * embeds the query once, asks the other instance for its part and merges both halves: every indexed text is found
 * once, from both partitions, the same answer on both instances, the paraphrase's original first; a similar query
 * for a text held by the other instance answers without it. With one instance stopped (no leave: its partition
 * stays assigned to it until its session times out) the answer is partial and names that partition; once the
 * group has moved the partition to the survivor, which restores that index from its changelog, the answer is
 * complete again with every text.
 */
class TextSearchIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP_ID = "streamvec-text-search-it";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String FOX = "The quick brown fox jumps over the lazy dog.";
    private static final String PARAPHRASE = "A fast brown fox leaps over a sleepy dog";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void searchesMergeBothInstancesAndNameTheMissingPartitionWhenOneIsDown(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            TopicSpec spec = TopicCatalog.load().get(Topics.TEXT_EVENTS);
            admin.createTopics(List.of(new NewTopic(Topics.TEXT_EVENTS, Optional.of(2), Optional.empty())
                    .configs(spec.toNewTopic((short) -1).configs()))).all().get(60, TimeUnit.SECONDS);
            TopicCatalog.load().createMissing(admin, (short) -1, 60_000);
            int[] ports = FreePorts.take(2);

            try (StreamvecApp a = app(kafka, dir.resolve("state-a"), ports[0]).start();
                 StreamvecApp b = app(kafka, dir.resolve("state-b"), ports[1]).start()) {
                await("each instance holds one text-events partition", () ->
                        a.streams().state() == KafkaStreams.State.RUNNING
                                && b.streams().state() == KafkaStreams.State.RUNNING
                                && textPartitions(a.streams()).size() == 1 && textPartitions(b.streams()).size() == 1
                                && !textPartitions(a.streams()).equals(textPartitions(b.streams())));
                int partitionOfB = textPartitions(b.streams()).iterator().next();

                Map<String, String> texts = new LinkedHashMap<>();
                texts.put("fox", FOX);
                String[] topics = {"the weather", "a football match", "a new phone", "the stock market", "a recipe",
                        "a train delay", "a concert", "a software bug", "a holiday", "a museum"};
                for (int i = 0; i < 23; i++) {
                    texts.put("t" + i, "A short note about " + topics[i % topics.length] + ", number " + i + ".");
                }
                produce(kafka, texts);

                String search = "/texts/search?k=100&q=" + URLEncoder.encode(PARAPHRASE, StandardCharsets.UTF_8);
                JsonNode fromA = awaitComplete(a.httpUri().resolve(search), texts.size());
                JsonNode fromB = awaitComplete(b.httpUri().resolve(search), texts.size());
                assertEquals(ids(fromA), ids(fromB), "the same answer from both instances");
                assertEquals(texts.keySet(), new HashSet<>(ids(fromA)), "every text once");
                assertEquals(texts.size(), ids(fromA).size());
                assertEquals("fox", fromA.get("results").get(0).get("id").asText(), "the paraphrase finds its original");
                assertEquals(FOX, fromA.get("results").get(0).get("text").asText());
                assertTrue(fromA.get("results").get(0).get("score").asDouble() > 0.7, fromA.toString());
                double previous = 2;
                for (JsonNode hit : fromA.get("results")) {
                    assertTrue(hit.get("score").asDouble() <= previous, "best first");
                    previous = hit.get("score").asDouble();
                    assertTrue(hit.get("timestampMs").asLong() > 0);
                }

                // Each half comes from one instance: their parts split the texts between them.
                String vector = TextRoutes.encodeVector(new float[384]);
                JsonNode partA = JSON.readTree(get(a.httpUri().resolve("/texts/search?k=100&vector=" + vector),
                        TextRoutes.PART).body());
                JsonNode partB = JSON.readTree(get(b.httpUri().resolve("/texts/search?k=100&vector=" + vector),
                        TextRoutes.PART).body());
                assertEquals(1, partA.get("partitions").size());
                assertEquals(List.of(partitionOfB), List.of(partB.get("partitions").get(0).asInt()));
                Set<String> halfA = new HashSet<>(ids(partA));
                Set<String> halfB = new HashSet<>(ids(partB));
                assertFalse(halfA.isEmpty() || halfB.isEmpty(), "both halves hold texts: " + halfA + " " + halfB);
                Set<String> both = new HashSet<>(halfA);
                both.addAll(halfB);
                assertEquals(texts.keySet(), both);
                assertEquals(texts.size(), halfA.size() + halfB.size(), "no text in both halves");

                // Similar to a text held by the other instance.
                StreamvecApp holder = halfA.contains("fox") ? a : b;
                StreamvecApp other = holder == a ? b : a;
                HttpResponse<String> similar = get(other.httpUri().resolve("/texts/fox/similar?k=5"), null);
                assertEquals(200, similar.statusCode(), similar.body());
                JsonNode similarBody = JSON.readTree(similar.body());
                assertEquals("fox", similarBody.get("id").asText());
                assertEquals(5, similarBody.get("results").size());
                assertFalse(ids(similarBody).contains("fox"), "the text itself is left out");
                assertFalse(similarBody.get("partial").asBoolean());
                assertEquals(404, get(a.httpUri().resolve("/texts/nobody/similar"), null).statusCode());

                // B stops without leaving the group: its partition is still B's for A, which cannot reach it.
                b.streams().close(CloseOptions.groupMembershipOperation(
                        CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP).withTimeout(Duration.ofSeconds(30)));
                b.close();
                HttpResponse<String> partial = get(a.httpUri().resolve(search), null);
                assertEquals(200, partial.statusCode(), partial.body());
                JsonNode partialBody = JSON.readTree(partial.body());
                assertTrue(partialBody.get("partial").asBoolean(), partial.body());
                List<Integer> missing = new ArrayList<>();
                partialBody.get("missingPartitions").forEach(p -> missing.add(p.asInt()));
                assertTrue(missing.contains(partitionOfB), "names B's partition: " + partial.body());
                assertTrue(halfA.containsAll(ids(partialBody)), "only A's half: " + partial.body());

                // Once the group gives B's partition to A, A restores its index from the changelog: complete again.
                JsonNode recovered = awaitComplete(a.httpUri().resolve(search), texts.size());
                assertEquals(texts.keySet(), new HashSet<>(ids(recovered)));
                assertEquals("fox", recovered.get("results").get(0).get("id").asText());
                assertTrue(a.metrics().registry().get("streamvec.text.searches").tag("outcome", "partial").counter()
                        .count() >= 1);
            }
        }
    }

    private static StreamvecApp app(EmbeddedKafka kafka, Path stateDir, int port) {
        Map<String, Object> properties = StreamvecConfig.local(kafka.bootstrapServers(), APP_ID, stateDir);
        properties.put(StreamvecConfig.HTTP_PORT, port);
        properties.put(StreamsConfig.APPLICATION_SERVER_CONFIG, "127.0.0.1:" + port);
        properties.put("session.timeout.ms", 6000);
        properties.put("heartbeat.interval.ms", 1000);
        properties.put(StreamvecConfig.EMBEDDING_LINGER_MS, 20L);
        return new StreamvecApp(new StreamvecConfig(properties));
    }

    private static void produce(EmbeddedKafka kafka, Map<String, String> texts) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer())) {
            texts.forEach((id, text) -> producer.send(new ProducerRecord<>(Topics.TEXT_EVENTS, id, text)));
            producer.flush();
        }
    }

    /** A 200 answer that is complete and holds {@code count} results, within the wait. */
    private JsonNode awaitComplete(URI uri, int count) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> answer = get(uri, null);
            last = answer.statusCode() + " " + answer.body();
            if (answer.statusCode() == 200) {
                JsonNode body = JSON.readTree(answer.body());
                if (!body.get("partial").asBoolean() && body.get("results").size() == count) {
                    return body;
                }
            }
            Thread.sleep(200);
        }
        fail("no complete answer with " + count + " results from " + uri + " within " + WAIT + "; last: " + last);
        return null;
    }

    private HttpResponse<String> get(URI uri, String header) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        if (header != null) {
            request.header(header, "1");
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> ids(JsonNode answer) {
        List<String> ids = new ArrayList<>();
        answer.get("results").forEach(hit -> ids.add(hit.get("id").asText()));
        return ids;
    }

    private static Set<Integer> textPartitions(KafkaStreams streams) {
        Set<Integer> partitions = new TreeSet<>();
        try {
            for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
                for (TaskMetadata task : thread.activeTasks()) {
                    task.topicPartitions().stream().filter(tp -> tp.topic().equals(Topics.TEXT_EVENTS))
                            .forEach(tp -> partitions.add(tp.partition()));
                }
            }
        } catch (RuntimeException e) {
            return Set.of();
        }
        return partitions;
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        Await.until(WAIT, what, condition);
    }
}
