package io.streamvec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.avro.TextEvent;
import io.streamvec.avro.TokenizedText;
import io.streamvec.kafka.KafkaBroker;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The text path end to end through a real (in-process KRaft) broker, exactly-once. */
class StreamvecIntegrationTest {

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @Test
    void textEventsBecomeTokensAndBadOnesAreDeadLettered(@TempDir Path stateDir) throws Exception {
        Map<String, Object> properties = StreamvecConfig.local(KAFKA.bootstrapServers(), "streamvec-it", stateDir);
        try (StreamvecApp app = new StreamvecApp(new StreamvecConfig(properties)).start()) {
            app.awaitRunning(Duration.ofSeconds(60));
            AvroSerde<TextEvent> events = new AvroSerde<>(TextEvent.class, app.registry());

            int texts = 200;
            Properties producerConfig = new Properties();
            producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
            try (KafkaProducer<String, byte[]> producer =
                         new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < texts; i++) {
                    String text = "event number " + i + " streams through Kafka";
                    byte[] value = i % 2 == 0 ? text.getBytes(StandardCharsets.UTF_8)
                            : events.serialize(Topics.TEXT_EVENTS, TextEvent.newBuilder().setId("id-" + i)
                                    .setText(text).build());
                    producer.send(new ProducerRecord<>(Topics.TEXT_EVENTS, "id-" + i, value));
                    if (i % 50 == 0) {
                        producer.send(new ProducerRecord<>(Topics.TEXT_EVENTS, "bad-" + i, new byte[] {0, 1, 2}));
                    }
                }
            }

            Map<String, TokenizedText> tokens = new HashMap<>();
            int duplicates = 0;
            List<ConsumerRecord<byte[], byte[]>> dead = new java.util.ArrayList<>();
            try (KafkaConsumer<String, TokenizedText> consumer = consumer(
                    new AvroSerde<>(TokenizedText.class, app.registry()).deserializer());
                 KafkaConsumer<byte[], byte[]> dlqConsumer = new KafkaConsumer<>(consumerConfig(),
                         new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(Topics.TEXT_TOKENS));
                dlqConsumer.subscribe(List.of(Topics.DLQ));
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while ((tokens.size() < texts || dead.size() < 4) && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, TokenizedText> record : consumer.poll(Duration.ofMillis(100))) {
                        if (tokens.put(record.key(), record.value()) != null) {
                            duplicates++;
                        }
                    }
                    dlqConsumer.poll(Duration.ofMillis(10)).forEach(dead::add);
                }
            }
            assertEquals(texts, tokens.size(), "every text event produced its tokens");
            assertEquals(0, duplicates, "exactly once");
            assertEquals(List.of("[CLS]", "event", "number", "1"), tokens.get("id-1").getTokens().subList(0, 4));
            assertEquals(4, dead.size());
            assertTrue(dead.stream().allMatch(r -> new String(r.key(), StandardCharsets.UTF_8).startsWith("bad-")));
        }
    }

    private static Properties consumerConfig() {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + System.nanoTime());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return config;
    }

    private static <V> KafkaConsumer<String, V> consumer(org.apache.kafka.common.serialization.Deserializer<V> values) {
        return new KafkaConsumer<>(consumerConfig(), new StringDeserializer(), values);
    }
}
