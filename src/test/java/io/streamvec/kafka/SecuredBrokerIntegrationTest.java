package io.streamvec.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import io.streamvec.StreamvecApp;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.TokenizedText;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * streamvec against a broker listener that requires SASL/SCRAM-SHA-256, configured only by standard Kafka
 * client properties in its properties file: topic creation (admin), Kafka Streams and the test's own clients
 * all authenticate; a wrong password is rejected; and the password never reaches the log.
 *
 * <p>The in-process broker keeps its plaintext listeners for inter-broker and controller traffic (the test
 * kit's SASL support is PLAIN only, with a JVM-wide JAAS file) and gets a third, SASL_PLAINTEXT listener
 * that offers SCRAM-SHA-256 only. The SCRAM credentials are created over the plaintext listener, as an
 * operator would with {@code kafka-configs --alter --add-config SCRAM-SHA-256=...}.
 */
class SecuredBrokerIntegrationTest {

    private static final String LISTENER = "SECURED";
    private static final String USER = "streamvec-app";
    /** Distinctive, so that any occurrence in the log is this password. */
    private static final String PASSWORD = "Pw-9f3Kx7-streamvec-scram";
    private static final String WRONG_PASSWORD = "Pw-2bQ8-not-the-right-one";
    private static final String SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule";

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker(new EmbeddedKafka.Listener(LISTENER,
            SecurityProtocol.SASL_PLAINTEXT, Map.of("sasl.enabled.mechanisms", "SCRAM-SHA-256",
                    "listener.name." + LISTENER.toLowerCase() + ".scram-sha-256.sasl.jaas.config",
                    SCRAM_LOGIN + " required;")));

    @BeforeAll
    static void createCredentials() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), PASSWORD))).all().get();
        }
        awaitCredentialsOnTheBroker();
    }

    /** The standard client properties of the secured listener, as a properties file would hold them. */
    private static Map<String, String> clientSecurity(String user, String password) {
        return Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(LISTENER),
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-256",
                SaslConfigs.SASL_JAAS_CONFIG, SCRAM_LOGIN + " required username=\"" + user + "\" password=\""
                        + password + "\";");
    }

    /** The credentials are committed by the controller, then published to the broker: wait until it knows them. */
    private static void awaitCredentialsOnTheBroker() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try (Admin admin = Admin.create(new HashMap<>(clientSecurity(USER, PASSWORD)))) {
                admin.describeCluster().clusterId().get();
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof SaslAuthenticationException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            Thread.sleep(100);
        }
    }

    @Test
    void streamvecRunsOverSaslScramFromStandardPropertiesAndNeverLogsThePassword(@TempDir Path dir) throws Exception {
        Map<String, String> security = clientSecurity(USER, PASSWORD);
        StringBuilder file = new StringBuilder();
        security.forEach((key, value) -> file.append(key).append('=').append(value).append('\n'));
        file.append("application.id=streamvec-sasl-it\n")
                .append("state.dir=").append(dir.resolve("state")).append('\n')
                .append("http.port=0\n")
                .append("metrics.port=0\n")
                .append("tokenizer.max.length=16\n");
        Path configFile = Files.writeString(dir.resolve("streamvec.properties"), file);

        try (Admin plaintext = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.bootstrapServers()))) {
            assertFalse(plaintext.listTopics().names().get().contains(Topics.TEXT_TOKENS), "streamvec creates them");
        }

        String log;
        try (LogCapture capture = LogCapture.open()) {
            StreamvecConfig config = StreamvecConfig.load(configFile);
            assertFalse(config.toString().contains(PASSWORD), config.toString());
            List<ConsumerRecord<String, TokenizedText>> out;
            try (StreamvecApp app = new StreamvecApp(config).start()) {
                app.awaitRunning(Duration.ofSeconds(60));
                produce(security, "sasl-1", "a text that crossed an authenticated listener");
                produce(security, "sasl-2", "and a second one");
                out = consumeTokens(security, 2);
            }
            assertEquals(List.of("sasl-1", "sasl-2"), out.stream().map(ConsumerRecord::key).sorted().toList());
            for (ConsumerRecord<String, TokenizedText> record : out) {
                assertTrue(record.value().getTokenIds().size() > 2, "tokens: " + record.value());
            }
            log = capture.text();
        }
        try (Admin plaintext = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.bootstrapServers()))) {
            assertTrue(plaintext.listTopics().names().get().contains(Topics.TEXT_TOKENS),
                    "streamvec's admin client created the topics over the secured listener");
        }

        // The capture saw the clients' configuration dumps (so it would have seen a leak), and no password.
        assertTrue(log.contains("sasl.jaas.config = [hidden]"), "the clients' config dumps are captured");
        assertTrue(log.contains("AdminClientConfig values"), "streamvec's admin client logged its config");
        assertFalse(log.contains(PASSWORD), "the password is in the log");
    }

    @Test
    void aWrongPasswordOrUnknownUserIsRejected() {
        for (Map<String, String> wrong : List.of(clientSecurity(USER, WRONG_PASSWORD),
                clientSecurity("nobody", PASSWORD))) {
            try (Admin admin = Admin.create(new HashMap<>(wrong))) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> admin.describeCluster().clusterId().get());
                assertInstanceOf(SaslAuthenticationException.class, e.getCause(), e.toString());
            }
            Map<String, Object> producerConfig = new HashMap<>(wrong);
            producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
            try (KafkaProducer<String, byte[]> producer =
                         new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer())) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> producer.send(
                        new ProducerRecord<>(Topics.TEXT_EVENTS, "k", new byte[] {1})).get());
                assertInstanceOf(SaslAuthenticationException.class, e.getCause(), e.toString());
            }
        }
    }

    private static void produce(Map<String, String> security, String key, String text) throws Exception {
        Map<String, Object> config = new HashMap<>(security);
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.TEXT_EVENTS, key, text.getBytes(StandardCharsets.UTF_8))).get();
        }
    }

    private static List<ConsumerRecord<String, TokenizedText>> consumeTokens(Map<String, String> security, int count) {
        Properties config = new Properties();
        config.putAll(security);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "sasl-it-reader");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, TokenizedText>> out = new java.util.ArrayList<>();
        try (KafkaConsumer<String, TokenizedText> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new AvroSerde<>(TokenizedText.class, EmbeddedSchemaRegistry.bundled()).deserializer())) {
            consumer.subscribe(List.of(Topics.TEXT_TOKENS));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /**
     * Everything logged through SLF4J (logback, the project's binding; the broker's Log4j 2 API is routed to
     * it) while open, with Kafka's loggers at INFO so that every client's configuration dump is seen.
     */
    static final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

        private static final List<String> LOUDER = List.of("org.apache.kafka", "kafka", "io.streamvec");

        private final StringBuffer text = new StringBuffer();
        private final Map<String, Level> previous = new HashMap<>();

        static LogCapture open() {
            LogCapture capture = new LogCapture();
            Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            capture.setContext(root.getLoggerContext());
            capture.start();
            for (String name : LOUDER) {
                Logger logger = (Logger) LoggerFactory.getLogger(name);
                capture.previous.put(name, logger.getLevel());
                logger.setLevel(name.equals("io.streamvec") ? Level.DEBUG : Level.INFO);
            }
            root.addAppender(capture);
            return capture;
        }

        @Override
        protected void append(ILoggingEvent event) {
            text.append(event.getLevel()).append(' ').append(event.getLoggerName()).append(" - ")
                    .append(event.getFormattedMessage()).append('\n');
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                text.append(ThrowableProxyUtil.asString(thrown)).append('\n');
            }
        }

        String text() {
            return text.toString();
        }

        @Override
        public void close() {
            Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            root.detachAppender(this);
            previous.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
            stop();
        }
    }
}
