package io.streamvec.kafka;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The topic catalog, {@code topology/topics.yaml}, packaged as a classpath resource. */
public final class TopicCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(TopicCatalog.class);
    public static final String RESOURCE = "topology/topics.yaml";

    private final Map<String, TopicSpec> topics;

    private TopicCatalog(List<TopicSpec> specs) {
        Map<String, TopicSpec> byName = new LinkedHashMap<>();
        for (TopicSpec spec : specs) {
            if (byName.put(spec.name(), spec) != null) {
                throw new IllegalArgumentException("topic catalog names " + spec.name() + " twice");
            }
        }
        this.topics = Map.copyOf(byName);
    }

    private record File(List<TopicSpec> topics) {
        @JsonCreator
        File(@JsonProperty(value = "topics", required = true) List<TopicSpec> topics) {
            this.topics = topics;
        }
    }

    /** The catalog bundled with the application. */
    public static TopicCatalog load() {
        try (InputStream in = TopicCatalog.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath");
            }
            return parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    public static TopicCatalog parse(InputStream yaml) throws IOException {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        return new TopicCatalog(mapper.readValue(yaml, File.class).topics());
    }

    public Collection<TopicSpec> all() {
        return topics.values();
    }

    public Set<String> names() {
        return topics.keySet();
    }

    public TopicSpec get(String name) {
        TopicSpec spec = topics.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("topic " + name + " is not in " + RESOURCE);
        }
        return spec;
    }

    /** Creates every catalog topic that does not exist yet; existing topics are left as they are. */
    public void createMissing(Admin admin, short replicationFactor, long timeoutMs) {
        createMissing(admin, replicationFactor, timeoutMs, name -> true);
    }

    /**
     * Creates the {@code wanted} catalog topics that do not exist yet (an optional output that is switched off,
     * such as {@code text-token-embeddings}, is not wanted); existing topics are left as they are.
     */
    public void createMissing(Admin admin, short replicationFactor, long timeoutMs,
                              java.util.function.Predicate<String> wanted) {
        try {
            Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (TopicSpec spec : topics.values()) {
                if (wanted.test(spec.name()) && !existing.contains(spec.name())) {
                    missing.add(spec.toNewTopic(replicationFactor));
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                    throw e;
                }
            }
            LOG.info("created topics {}", missing.stream().map(NewTopic::name).toList());
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create streamvec's topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }
}
