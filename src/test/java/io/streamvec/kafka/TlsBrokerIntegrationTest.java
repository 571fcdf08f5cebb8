package io.streamvec.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
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
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * streamvec over TLS, configured only by standard Kafka client properties: a broker with three more listeners,
 * one-way TLS ({@code SSL}), mutual TLS ({@code SSL} with {@code ssl.client.auth=required}) and SCRAM over TLS
 * ({@code SASL_SSL}), with a CA, keystores and a truststore that {@code keytool} makes for the test. On each,
 * streamvec creates its topics and turns a text into tokens end to end; a client that does not trust the CA,
 * or that shows no certificate where one is required, is refused with an SSL handshake error; and no keystore
 * or truststore password reaches the log.
 */
class TlsBrokerIntegrationTest {

    private static final String TLS = "TLS";
    private static final String MUTUAL_TLS = "MTLS";
    private static final String SCRAM_TLS = "SCRAMTLS";
    /** Distinctive, so that any occurrence in the log is this password. */
    private static final String STORE_PASSWORD = "Ks-4hW9r-streamvec-tls-store";
    private static final String USER = "streamvec-app";
    private static final String SCRAM_PASSWORD = "Pw-6tY2v-streamvec-scram-tls";
    private static final String SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule";

    private static final TestCertificates CERTIFICATES = TestCertificates.create(STORE_PASSWORD);

    /** The broker's side of a TLS listener: its key and certificate, and (for mutual TLS) whom it trusts. */
    private static Map<String, String> brokerTls(String listener, boolean requireClientCertificates) {
        String prefix = "listener.name." + listener.toLowerCase() + ".";
        Map<String, String> properties = new HashMap<>(Map.of(
                prefix + "ssl.keystore.location", CERTIFICATES.brokerKeystore.toString(),
                prefix + "ssl.keystore.password", STORE_PASSWORD,
                prefix + "ssl.keystore.type", "PKCS12"));
        if (requireClientCertificates) {
            properties.putAll(Map.of(
                    prefix + "ssl.client.auth", "required",
                    prefix + "ssl.truststore.location", CERTIFICATES.truststore.toString(),
                    prefix + "ssl.truststore.password", STORE_PASSWORD,
                    prefix + "ssl.truststore.type", "PKCS12"));
        }
        return properties;
    }

    private static Map<String, String> scramOverTls() {
        Map<String, String> properties = brokerTls(SCRAM_TLS, false);
        String prefix = "listener.name." + SCRAM_TLS.toLowerCase() + ".";
        properties.put(prefix + "sasl.enabled.mechanisms", "SCRAM-SHA-256");
        properties.put(prefix + "scram-sha-256.sasl.jaas.config", SCRAM_LOGIN + " required;");
        return properties;
    }

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker(
            new EmbeddedKafka.Listener(TLS, SecurityProtocol.SSL, brokerTls(TLS, false)),
            new EmbeddedKafka.Listener(MUTUAL_TLS, SecurityProtocol.SSL, brokerTls(MUTUAL_TLS, true)),
            new EmbeddedKafka.Listener(SCRAM_TLS, SecurityProtocol.SASL_SSL, scramOverTls()));

    @BeforeAll
    static void createScramCredentials() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), SCRAM_PASSWORD))).all().get();
        }
        // The controller commits the credentials, then publishes them to the broker: wait until it knows them.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try (Admin admin = Admin.create(new HashMap<>(scramTlsClient()))) {
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

    @AfterAll
    static void deleteCertificates() {
        CERTIFICATES.close();
    }

    /** What a client of a TLS listener sets to trust the broker: the CA's certificate. */
    private static Map<String, String> trustTheCa() {
        return Map.of(
                SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, CERTIFICATES.truststore.toString(),
                SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, STORE_PASSWORD,
                SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
    }

    private static Map<String, String> tlsClient() {
        Map<String, String> client = new LinkedHashMap<>(trustTheCa());
        client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(TLS));
        client.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        return client;
    }

    private static Map<String, String> mutualTlsClient() {
        Map<String, String> client = new LinkedHashMap<>(trustTheCa());
        client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(MUTUAL_TLS));
        client.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        client.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, CERTIFICATES.clientKeystore.toString());
        client.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, STORE_PASSWORD);
        client.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12");
        return client;
    }

    private static Map<String, String> scramTlsClient() {
        Map<String, String> client = new LinkedHashMap<>(trustTheCa());
        client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(SCRAM_TLS));
        client.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        client.put(SaslConfigs.SASL_MECHANISM, "SCRAM-SHA-256");
        client.put(SaslConfigs.SASL_JAAS_CONFIG, SCRAM_LOGIN + " required username=\"" + USER + "\" password=\""
                + SCRAM_PASSWORD + "\";");
        return client;
    }

    @Test
    void oneWayTls(@TempDir Path dir) throws Exception {
        assertStreamvecRunsOver(tlsClient(), "tls", dir);
    }

    @Test
    void mutualTls(@TempDir Path dir) throws Exception {
        assertStreamvecRunsOver(mutualTlsClient(), "mtls", dir);
    }

    @Test
    void scramOverTls(@TempDir Path dir) throws Exception {
        assertStreamvecRunsOver(scramTlsClient(), "scram-tls", dir);
    }

    /**
     * streamvec from a properties file that holds {@code security} (the standard client keys) creates its
     * topics if needed and tokenizes two texts produced over the same listener; its log holds no password.
     */
    private static void assertStreamvecRunsOver(Map<String, String> security, String name, Path dir) throws Exception {
        Path configFile = propertiesFile(security, name, dir);
        String log;
        List<String> keys = List.of(name + "-1", name + "-2");
        try (SecuredBrokerIntegrationTest.LogCapture capture = SecuredBrokerIntegrationTest.LogCapture.open()) {
            StreamvecConfig config = StreamvecConfig.load(configFile);
            try (StreamvecApp app = new StreamvecApp(config).start()) {
                app.awaitRunning(Duration.ofSeconds(60));
                produce(security, keys.get(0), "a text that crossed a " + name + " listener");
                produce(security, keys.get(1), "and a second one");
                Map<String, TokenizedText> out = consumeTokens(security, name, Set.copyOf(keys));
                assertEquals(new TreeSet<>(keys), new TreeSet<>(out.keySet()));
                out.values().forEach(tokens -> assertTrue(tokens.getTokenIds().size() > 2, "tokens: " + tokens));
            }
            log = capture.text();
        }
        try (Admin plaintext = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.bootstrapServers()))) {
            assertTrue(plaintext.listTopics().names().get().contains(Topics.TEXT_TOKENS));
        }
        assertTrue(log.contains("ssl.truststore.password = [hidden]"), "the clients' config dumps are captured");
        assertFalse(log.contains(STORE_PASSWORD), "a store password is in the log");
        assertFalse(log.contains(SCRAM_PASSWORD), "the SCRAM password is in the log");
    }

    private static Path propertiesFile(Map<String, String> security, String name, Path dir) throws Exception {
        StringBuilder file = new StringBuilder();
        security.forEach((key, value) -> file.append(key).append('=').append(value).append('\n'));
        file.append("application.id=streamvec-").append(name).append("-it\n")
                .append("state.dir=").append(dir.resolve("state")).append('\n')
                .append("http.port=0\n")
                .append("metrics.port=0\n")
                .append("tokenizer.max.length=16\n");
        return Files.writeString(dir.resolve("streamvec.properties"), file);
    }

    /**
     * Without the CA in its truststore a client does not trust the broker's certificate; without a certificate
     * of its own it is refused by the mutual-TLS listener: both are SSL authentication failures that say why,
     * for the test's clients and for streamvec, which stops at start-up with that error instead of retrying.
     */
    @Test
    void aClientThatDoesNotTrustTheCaOrHasNoCertificateIsRefused(@TempDir Path dir) throws Exception {
        Map<String, String> noTruststore = new HashMap<>(tlsClient());
        trustTheCa().keySet().forEach(noTruststore::remove);
        Map<String, String> noCertificate = new HashMap<>(mutualTlsClient());
        noCertificate.keySet().removeIf(key -> key.startsWith("ssl.keystore."));
        Map<String, String> scramWithoutTruststore = new HashMap<>(scramTlsClient());
        trustTheCa().keySet().forEach(scramWithoutTruststore::remove);

        // The client's own words: the CA is not trusted; the mutual-TLS listener's answer (in TLS 1.3 after the
        // handshake proper) to a client without a certificate.
        String untrusted = "unable to find valid certification path to requested target";
        Map<Map<String, String>, String> refusals = Map.of(noTruststore, untrusted,
                noCertificate, "Received fatal alert: bad_certificate", scramWithoutTruststore, untrusted);
        refusals.forEach((refused, reason) -> {
            try (Admin admin = Admin.create(new HashMap<>(refused))) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> admin.describeCluster().clusterId().get());
                assertInstanceOf(SslAuthenticationException.class, e.getCause(), e.toString());
                assertTrue(chain(e).contains(reason), chain(e));
            }
        });

        StreamvecConfig config = StreamvecConfig.load(propertiesFile(noTruststore, "untrusted", dir));
        try (StreamvecApp app = new StreamvecApp(config)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, app::start);
            assertTrue(e.getMessage().startsWith("cannot create streamvec's topics")
                    && e.getMessage().contains("SSL handshake failed"), e.getMessage());
        }
    }

    private static String chain(Throwable t) {
        StringBuilder out = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            out.append(c).append('\n');
        }
        return out.toString();
    }

    private static void produce(Map<String, String> security, String key, String text) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(new HashMap<>(security),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.TEXT_EVENTS, key, text.getBytes(StandardCharsets.UTF_8))).get();
        }
    }

    /** The tokens of {@code keys} (other tests' texts share the topic), read committed, or what came in 60 s. */
    private static Map<String, TokenizedText> consumeTokens(Map<String, String> security, String name,
                                                            Set<String> keys) {
        Properties config = new Properties();
        config.putAll(security);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "tls-it-reader-" + name);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, TokenizedText> out = new HashMap<>();
        try (KafkaConsumer<String, TokenizedText> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new AvroSerde<>(TokenizedText.class, EmbeddedSchemaRegistry.bundled()).deserializer())) {
            consumer.subscribe(List.of(Topics.TEXT_TOKENS));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!out.keySet().containsAll(keys) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, TokenizedText> record : consumer.poll(Duration.ofMillis(200))) {
                    if (keys.contains(record.key())) {
                        out.put(record.key(), record.value());
                    }
                }
            }
        }
        return out;
    }
}
