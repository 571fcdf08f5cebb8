package io.streamvec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.StreamvecConfig;
import io.streamvec.avro.TokenizedText;
import io.streamvec.kafka.EmbeddedKafka;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run --config FILE} against a cluster named only by a standard properties file. */
class RunCommandIntegrationTest {

    @Test
    void runsTheTopologyFromAPropertiesFile(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Path file = Files.writeString(dir.resolve("streamvec.properties"), String.join("\n",
                    "bootstrap.servers=" + kafka.bootstrapServers(),
                    "application.id=streamvec-run-it",
                    "state.dir=" + dir.resolve("state"),
                    "http.port=0",
                    "metrics.port=0",
                    "tokenizer.max.length=16"));
            CountDownLatch stop = new CountDownLatch(1);
            ExecutorService runner = Executors.newSingleThreadExecutor();
            Future<Integer> exit = runner.submit(() -> RunCommand.runUntil(StreamvecConfig.load(file), stop));

            Properties producerConfig = new Properties();
            producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (KafkaProducer<String, byte[]> producer =
                         new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(Topics.TEXT_EVENTS, "run-1",
                        "a text with more than sixteen word pieces, so that the configured maximum truncates it for sure"
                                .getBytes(StandardCharsets.UTF_8)));
            }
            List<ConsumerRecord<String, TokenizedText>> out = new ArrayList<>();
            Properties consumerConfig = new Properties();
            consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "run-it-reader");
            consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            try (KafkaConsumer<String, TokenizedText> consumer = new KafkaConsumer<>(consumerConfig,
                    new StringDeserializer(), new AvroSerde<>(TokenizedText.class, EmbeddedSchemaRegistry.bundled())
                    .deserializer())) {
                consumer.subscribe(List.of(Topics.TEXT_TOKENS));
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (out.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                }
            }
            stop.countDown();
            assertEquals(0, exit.get());
            runner.shutdown();

            assertEquals(1, out.size());
            assertEquals("run-1", out.get(0).key());
            assertEquals(16, out.get(0).value().getTokenIds().size(), "streamvec's own key from the file applies");
            assertTrue(out.get(0).value().getTruncated());
        }
    }

    @Test
    void aMissingConfigFileIsAClearError(@TempDir Path dir) {
        CliRun run = CliRun.of("run", "--config", dir.resolve("nope.properties").toString());
        assertNotEquals(0, run.exitCode());
        assertTrue(run.err().contains("nope.properties"), run.err());
    }
}
