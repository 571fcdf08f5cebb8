package io.streamvec;

import io.streamvec.kafka.DeadLetterDeserializationHandler;
import io.streamvec.kafka.Topics;
import io.streamvec.text.TextTokenizer;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;

/**
 * streamvec's configuration: one standard Kafka Streams properties file. The keys defined here are
 * streamvec's own; every other key goes to Kafka Streams (and its clients) unchanged, over streamvec's
 * defaults for Kafka Streams (see {@link #streamsDefaults()}).
 */
public final class StreamvecConfig extends AbstractConfig {

    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String TOKENIZER_PATH = "tokenizer.path";
    public static final String TOKENIZER_MAX_LENGTH = "tokenizer.max.length";
    public static final String TOPICS_CREATE = "topics.create";
    public static final String TOPICS_REPLICATION_FACTOR = "topics.replication.factor";

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(SCHEMA_REGISTRY_URL, Type.STRING, "", Importance.HIGH,
                    "URL of a Confluent-compatible schema registry. Empty: the embedded registry, whose schema "
                            + "ids derive from the schemas bundled with streamvec (no server).")
            .define(TOKENIZER_PATH, Type.STRING, "", Importance.MEDIUM,
                    "Path of a Hugging Face tokenizer.json (or a directory holding one). Empty: the bundled "
                            + "all-MiniLM-L6-v2 tokenizer.")
            .define(TOKENIZER_MAX_LENGTH, Type.INT, TextTokenizer.DEFAULT_MAX_LENGTH, Range.between(2, 8192),
                    Importance.MEDIUM, "Maximum tokens per text, special tokens included; longer texts are "
                            + "truncated and flagged truncated=true.")
            .define(TOPICS_CREATE, Type.BOOLEAN, true, Importance.LOW,
                    "Create the catalog's topics (topology/topics.yaml) that do not exist at start-up.")
            .define(TOPICS_REPLICATION_FACTOR, Type.SHORT, (short) -1, Importance.LOW,
                    "Replication factor of topics streamvec creates; -1 takes the broker's default.");

    private final Map<String, Object> streamsOverrides;

    public StreamvecConfig(Map<?, ?> properties) {
        super(DEFINITION, ownKeys(properties), false);
        Map<String, Object> others = new HashMap<>();
        properties.forEach((k, v) -> {
            if (!DEFINITION.names().contains(k.toString())) {
                others.put(k.toString(), v);
            }
        });
        this.streamsOverrides = others;
    }

    private static Map<String, Object> ownKeys(Map<?, ?> properties) {
        Map<String, Object> own = new HashMap<>();
        properties.forEach((k, v) -> {
            if (DEFINITION.names().contains(k.toString())) {
                own.put(k.toString(), v);
            }
        });
        return own;
    }

    /** Reads a properties file (UTF-8). */
    public static StreamvecConfig load(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        return new StreamvecConfig(properties);
    }

    /** streamvec's defaults for Kafka Streams; any of them can be overridden in the properties file. */
    public static Map<String, Object> streamsDefaults() {
        Map<String, Object> defaults = new HashMap<>();
        defaults.put(StreamsConfig.APPLICATION_ID_CONFIG, "streamvec");
        defaults.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        defaults.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.DLQ);
        defaults.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterDeserializationHandler.class.getName());
        defaults.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndContinueProcessingExceptionHandler.class.getName());
        defaults.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        return defaults;
    }

    /** The properties for {@code KafkaStreams}: streamvec's defaults overridden by the file's other keys. */
    public Properties streamsProperties() {
        Properties properties = new Properties();
        properties.putAll(streamsDefaults());
        properties.putAll(streamsOverrides);
        return properties;
    }

    public String schemaRegistryUrl() {
        return getString(SCHEMA_REGISTRY_URL);
    }

    public String tokenizerPath() {
        return getString(TOKENIZER_PATH);
    }

    public int tokenizerMaxLength() {
        return getInt(TOKENIZER_MAX_LENGTH);
    }

    public boolean createTopics() {
        return getBoolean(TOPICS_CREATE);
    }

    public short topicsReplicationFactor() {
        return getShort(TOPICS_REPLICATION_FACTOR);
    }
}
