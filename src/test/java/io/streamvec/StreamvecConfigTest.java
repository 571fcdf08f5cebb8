package io.streamvec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.song2vec.model.SgnsConfig;
import io.streamvec.song2vec.stream.Song2vecSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamvecConfigTest {

    @Test
    void defaultsAreExactlyOnceWithADeadLetterQueue() {
        Properties streams = new StreamvecConfig(Map.of()).streamsProperties();
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, streams.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        assertEquals("streamvec-dlq", streams.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG));
        assertEquals("streamvec", streams.get(StreamsConfig.APPLICATION_ID_CONFIG));
    }

    @Test
    void fileKeysOverrideDefaultsAndStreamvecKeysStayOutOfKafkaStreams(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("streamvec.properties"), String.join("\n",
                "bootstrap.servers=broker:9092",
                "processing.guarantee=at_least_once",
                "tokenizer.max.length=64",
                "schema.registry.url=http://registry:8081"));
        StreamvecConfig config = StreamvecConfig.load(file);
        Properties streams = config.streamsProperties();
        assertEquals("at_least_once", streams.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        assertEquals("broker:9092", streams.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        assertFalse(streams.containsKey(StreamvecConfig.TOKENIZER_MAX_LENGTH));
        assertFalse(streams.containsKey(StreamvecConfig.SCHEMA_REGISTRY_URL));
        assertEquals(64, config.tokenizerMaxLength());
        assertEquals("http://registry:8081", config.schemaRegistryUrl());
    }

    @Test
    void invalidValuesAreRejectedWithTheKeyName() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new StreamvecConfig(Map.of(StreamvecConfig.TOKENIZER_MAX_LENGTH, "1")));
        assertTrue(e.getMessage().contains(StreamvecConfig.TOKENIZER_MAX_LENGTH), e.getMessage());
        assertThrows(ConfigException.class, () -> new StreamvecConfig(Map.of(StreamvecConfig.TOPICS_CREATE, "maybe")));
    }

    @Test
    void secretsStayOutOfToStringAndReachKafkaUnchanged(@TempDir Path dir) throws Exception {
        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"app\" "
                + "password=\"Pw-toString-5d2e\";";
        Path file = Files.writeString(dir.resolve("streamvec.properties"), String.join("\n",
                "bootstrap.servers=broker:9093",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=" + jaas,
                "ssl.truststore.password=Pw-truststore-8a1c",
                "schema.registry.url=https://reg:Pw-registry-3f9b@registry:8081"));
        StreamvecConfig config = StreamvecConfig.load(file);
        for (String secret : new String[] {"Pw-toString-5d2e", "Pw-truststore-8a1c", "Pw-registry-3f9b"}) {
            assertFalse(config.toString().contains(secret), config.toString());
        }
        Properties streams = config.streamsProperties();
        assertEquals("SASL_SSL", streams.get("security.protocol"));
        assertEquals("SCRAM-SHA-512", streams.get("sasl.mechanism"));
        assertEquals(jaas, streams.get("sasl.jaas.config"), "passed to Kafka as written");
        assertEquals("Pw-truststore-8a1c", streams.get("ssl.truststore.password"));
        // What the clients log of it: Kafka's config objects print password-typed values as [hidden].
        String clientValues = new AdminClientConfig(streams).values().toString();
        assertTrue(clientValues.contains("sasl.jaas.config=[hidden]"), clientValues);
        assertFalse(clientValues.contains("Pw-toString-5d2e") || clientValues.contains("Pw-truststore-8a1c"));
    }

    @Test
    void httpEndpointsBindToLoopbackByDefault() {
        StreamvecConfig defaults = new StreamvecConfig(Map.of());
        assertEquals("127.0.0.1", defaults.httpHost());
        assertEquals("127.0.0.1", defaults.metricsHost());
    }

    @Test
    void song2vecDefaultsAreTheSettingsOfAnEmptyConfiguration() {
        Song2vecSettings configured = new StreamvecConfig(Map.of()).song2vec();
        Song2vecSettings defaults = Song2vecSettings.defaults();
        assertEquals(defaults.trainer(), configured.trainer(), defaults.trainer() + " vs " + configured.trainer());
        assertEquals(defaults, configured);
        // And the values themselves, so that moving the defaults cannot change them.
        SgnsConfig trainer = configured.trainer();
        assertEquals(SgnsConfig.Mode.CBOW, trainer.mode);
        assertEquals(32, trainer.dim);
        assertEquals(10, trainer.window);
        assertEquals(5, trainer.negative);
        assertEquals(0.005f, trainer.alpha);
        assertEquals(0.0001f, trainer.minAlpha);
        assertEquals(0.0, trainer.alphaDecayTokens);
        assertEquals(1e-3, trainer.sample);
        assertEquals(100_000, trainer.sampleWarmupTokens);
        assertEquals(1, trainer.minCount);
        assertTrue(trainer.reducedWindow);
        assertFalse(trainer.exactSigmoid);
        assertEquals(1, trainer.seed);
        assertEquals(1 << 17, trainer.capacity);
        assertEquals(SgnsConfig.SamplerKind.ALIAS, trainer.sampler);
        assertEquals(1 << 22, trainer.reservoirSize);
        assertEquals(new Song2vecSettings(trainer, true, 10, 1, 60_000L, 1_000L, 60_000L, 10_000, 256, 1, 1_000L),
                configured);
    }

    /**
     * docs/configuration.md is generated from the ConfigDef. When this test fails, regenerate it with
     * {@code java -jar target/streamvec.jar docs --out docs}.
     */
    @Test
    void committedConfigurationReferenceMatchesTheCode() throws Exception {
        String committed = Files.readString(Path.of("docs", ConfigurationReference.FILE_NAME));
        assertEquals(committed, ConfigurationReference.markdown(),
                "docs/configuration.md is stale: run `" + ConfigurationReference.COMMAND + "`");
    }

    @Test
    void theReferenceDocumentsEveryStreamvecKeyInAGroupAndEveryKafkaStreamsDefault() {
        String reference = ConfigurationReference.markdown();
        for (ConfigDef.ConfigKey key : StreamvecConfig.DEFINITION.configKeys().values()) {
            assertTrue(reference.contains("| `" + key.name + "` |"), "docs/configuration.md does not document " + key.name);
            assertNotNull(key.group, key.name + " has no group");
            assertFalse(key.documentation.isBlank(), key.name + " has no documentation");
            assertFalse(key.documentation.contains("README"), key.name + ": " + key.documentation);
        }
        for (String key : StreamvecConfig.streamsDefaults().keySet()) {
            assertTrue(reference.contains("| `" + key + "` |"), "docs/configuration.md does not list " + key);
        }
        assertTrue(reference.contains(ConfigurationReference.COMMAND), "says how it is generated");
    }

    @Test
    void applicationServerIsOptionalAndReadAsKafkaStreamsReadsIt() {
        assertEquals(Optional.empty(), new StreamvecConfig(Map.of()).applicationServer(), "a single instance");
        assertEquals(Optional.empty(), new StreamvecConfig(Map.of(StreamsConfig.APPLICATION_SERVER_CONFIG, ""))
                .applicationServer(), "Kafka Streams' own default, empty");
        StreamvecConfig named = new StreamvecConfig(Map.of(StreamsConfig.APPLICATION_SERVER_CONFIG, "streamvec-1:8080",
                StreamvecConfig.HTTP_PORT, "8080"));
        assertEquals(Optional.of(new HostInfo("streamvec-1", 8080)), named.applicationServer());
        assertEquals("streamvec-1:8080", named.streamsProperties().get(StreamsConfig.APPLICATION_SERVER_CONFIG),
                "and it still goes to Kafka Streams unchanged");
        assertEquals(HostInfo.buildFromEndpoint("[::1]:9000"), new StreamvecConfig(Map.of(
                StreamsConfig.APPLICATION_SERVER_CONFIG, "[::1]:9000", StreamvecConfig.HTTP_PORT, "9000"))
                .applicationServer().orElseThrow());
        assertEquals(new HostInfo("10.1.2.3", 8080), StreamvecConfig.parseApplicationServer("10.1.2.3:8080"));
    }

    @Test
    void aMalformedApplicationServerFailsAtStartUpSayingWhatItMustBe() {
        for (String bad : new String[] {"streamvec-1", "http://streamvec-1:8080", "streamvec-1:8080/", "streamvec-1:",
                ":8080", "streamvec-1:0", "streamvec-1:65536", "streamvec-1:99999", "streamvec 1:8080", "streamvec-1:8080 ",
                "streamvec-1:80a", "::1:8080", "0.0.0.0:8080", "[::]:8080", "user@streamvec-1:8080"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> new StreamvecConfig(Map.of(
                    StreamsConfig.APPLICATION_SERVER_CONFIG, bad, StreamvecConfig.HTTP_PORT, "8080")), bad);
            assertTrue(e.getMessage().contains("application.server") && e.getMessage().contains("HOST:PORT")
                    && e.getMessage().contains("http.port"), e.getMessage());
        }
        ConfigException anyPort = assertThrows(ConfigException.class, () -> new StreamvecConfig(Map.of(
                StreamsConfig.APPLICATION_SERVER_CONFIG, "streamvec-1:8080", StreamvecConfig.HTTP_PORT, "0")));
        assertTrue(anyPort.getMessage().contains("http.port") && anyPort.getMessage().contains("fixed"),
                anyPort.getMessage());
    }
}
