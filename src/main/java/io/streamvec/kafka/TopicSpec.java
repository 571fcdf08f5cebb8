package io.streamvec.kafka;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/** One entry of the topic catalog; {@code maxMessageBytes} is optional (null: the broker's default). */
public record TopicSpec(
        String name,
        String description,
        int partitions,
        String key,
        String value,
        String cleanupPolicy,
        long retentionMs,
        Long maxMessageBytes) {

    @JsonCreator
    public TopicSpec(
            @JsonProperty(value = "name", required = true) String name,
            @JsonProperty(value = "description", required = true) String description,
            @JsonProperty(value = "partitions", required = true) int partitions,
            @JsonProperty(value = "key", required = true) String key,
            @JsonProperty(value = "value", required = true) String value,
            @JsonProperty(value = "cleanup.policy", required = true) String cleanupPolicy,
            @JsonProperty(value = "retention.ms", required = true) long retentionMs,
            @JsonProperty(value = "max.message.bytes") Long maxMessageBytes) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("topic without a name");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + ": partitions must be >= 1, got " + partitions);
        }
        if (!cleanupPolicy.equals(TopicConfig.CLEANUP_POLICY_DELETE)
                && !cleanupPolicy.equals(TopicConfig.CLEANUP_POLICY_COMPACT)
                && !cleanupPolicy.equals("compact,delete")) {
            throw new IllegalArgumentException("topic " + name + ": unknown cleanup.policy " + cleanupPolicy);
        }
        this.name = name;
        this.description = description;
        this.partitions = partitions;
        this.key = key;
        this.value = value;
        this.cleanupPolicy = cleanupPolicy;
        this.retentionMs = retentionMs;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The admin request that creates this topic; {@code replicationFactor} -1 takes the broker's default. */
    public NewTopic toNewTopic(short replicationFactor) {
        Map<String, String> configs = new HashMap<>();
        configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, cleanupPolicy);
        configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs));
        if (maxMessageBytes != null) {
            configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Long.toString(maxMessageBytes));
        }
        Optional<Short> replicas = replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor);
        return new NewTopic(name, Optional.of(partitions), replicas).configs(configs);
    }
}
