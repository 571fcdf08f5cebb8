package io.streamvec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.streams.StreamsConfig;

/**
 * docs/configuration.md: the configuration reference, generated from {@link StreamvecConfig#DEFINITION} (a table
 * per group, the Markdown counterpart of Kafka's {@code ConfigDef.toEnrichedRst()}) and
 * {@link StreamvecConfig#STREAMS_DEFAULTS}. A test fails when the committed file differs from {@link #markdown()}.
 */
public final class ConfigurationReference {

    /** The file's name in docs/. */
    public static final String FILE_NAME = "configuration.md";

    /** The command that writes the file. */
    public static final String COMMAND = "java -jar target/streamvec.jar docs --out docs";

    private static final String STREAMS_DEFAULTS_TITLE = "Kafka Streams defaults streamvec changes";

    private ConfigurationReference() {
    }

    /** The reference of {@link StreamvecConfig#DEFINITION}. */
    public static String markdown() {
        return markdown(StreamvecConfig.DEFINITION);
    }

    static String markdown(ConfigDef definition) {
        List<ConfigKey> keys = sorted(definition);
        List<String> groups = new ArrayList<>();
        for (ConfigKey key : keys) {
            String group = groupOf(key);
            if (!groups.contains(group)) {
                groups.add(group);
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("# Configuration reference\n\n");
        md.append("Generated from streamvec's `ConfigDef` (`io.streamvec.StreamvecConfig`) by `").append(COMMAND)
                .append("`:\ndo not edit it; a test fails when it differs from what the command writes.\n\n");
        md.append("`run --config FILE` reads one Kafka Streams properties file. The keys below are streamvec's own;\n")
                .append("every other key goes to Kafka Streams and its clients unchanged, over the\n")
                .append("[").append(STREAMS_DEFAULTS_TITLE).append("](#").append(anchor(STREAMS_DEFAULTS_TITLE))
                .append(").\n\n");
        List<String> contents = new ArrayList<>();
        for (String group : groups) {
            contents.add("[" + group + "](#" + anchor(group) + ")");
        }
        contents.add("[" + STREAMS_DEFAULTS_TITLE + "](#" + anchor(STREAMS_DEFAULTS_TITLE) + ")");
        md.append(String.join(" · ", contents)).append("\n");

        String current = null;
        for (ConfigKey key : keys) {
            String group = groupOf(key);
            if (!group.equals(current)) {
                current = group;
                md.append("\n## ").append(group).append("\n\n");
                md.append("| key | type | default | valid values | importance | meaning |\n");
                md.append("|---|---|---|---|---|---|\n");
            }
            md.append("| `").append(key.name).append("` | ")
                    .append(key.type.toString().toLowerCase(Locale.ROOT)).append(" | ")
                    .append(code(defaultOf(key))).append(" | ")
                    .append(key.validator == null ? "" : code(key.validator.toString())).append(" | ")
                    .append(key.importance.toString().toLowerCase(Locale.ROOT)).append(" | ")
                    .append(cell(key.documentation)).append(" |\n");
        }

        md.append("\n## ").append(STREAMS_DEFAULTS_TITLE).append("\n\n");
        md.append("Each can be overridden in the same file.\n\n");
        md.append("| key | streamvec's default | Kafka's default | why |\n");
        md.append("|---|---|---|---|\n");
        for (StreamvecConfig.StreamsDefault d : StreamvecConfig.STREAMS_DEFAULTS) {
            md.append("| `").append(d.key()).append("` | ")
                    .append(code(String.valueOf(d.value()))).append(" | ")
                    .append(code(kafkaDefault(d.key()))).append(" | ")
                    .append(cell(d.reason())).append(" |\n");
        }
        return md.toString();
    }

    /** Kafka's order ({@code ConfigDef.sortedConfigs}): group, order in group, required first, importance, name. */
    private static List<ConfigKey> sorted(ConfigDef definition) {
        Map<String, Integer> groupOrder = new HashMap<>();
        for (String group : definition.groups()) {
            groupOrder.putIfAbsent(group, groupOrder.size());
        }
        Comparator<ConfigKey> byGroup = Comparator.comparingInt(k -> k.group == null ? -1 : groupOrder.get(k.group));
        List<ConfigKey> keys = new ArrayList<>();
        for (ConfigKey key : definition.configKeys().values()) {
            if (!key.internalConfig) {
                keys.add(key);
            }
        }
        keys.sort(byGroup.thenComparingInt((ConfigKey k) -> k.orderInGroup)
                .thenComparing(ConfigKey::hasDefault)
                .thenComparing(k -> k.importance)
                .thenComparing(k -> k.name));
        return keys;
    }

    private static String groupOf(ConfigKey key) {
        return key.group == null ? "Other" : key.group;
    }

    private static String defaultOf(ConfigKey key) {
        if (!key.hasDefault()) {
            return null;
        }
        if (key.defaultValue == null) {
            return null;
        }
        if (key.type == ConfigDef.Type.DOUBLE) {
            return BigDecimal.valueOf((Double) key.defaultValue).stripTrailingZeros().toPlainString(); // 0.0001
        }
        String value = ConfigDef.convertToString(key.defaultValue, key.type);
        return value.isEmpty() ? "\"\"" : value;
    }

    /** The default Kafka Streams, or for a {@code producer.} key the producer, has without streamvec. */
    private static String kafkaDefault(String key) {
        String producerPrefix = StreamsConfig.producerPrefix("");
        ConfigKey kafka = key.startsWith(producerPrefix)
                ? ProducerConfig.configDef().configKeys().get(key.substring(producerPrefix.length()))
                : StreamsConfig.configDef().configKeys().get(key);
        if (kafka == null) {
            throw new IllegalStateException("not a Kafka Streams or producer key: " + key);
        }
        return defaultOf(kafka);
    }

    /** Inline code, or "none" for no value. */
    private static String code(String value) {
        if (value == null) {
            return "none";
        }
        return "`" + value.replace("|", "\\|") + "`";
    }

    private static String cell(String text) {
        return text.replace("\r", "").replace("\n", " ").replace("|", "\\|").strip();
    }

    /** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
    static String anchor(String heading) {
        return heading.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
    }
}
