package io.streamvec.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.topology.StreamvecTopology;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class TopicCatalogTest {

    private final TopicCatalog catalog = TopicCatalog.load();

    @Test
    void catalogNamesExactlyTheTopicsTheCodeUses() throws Exception {
        Set<String> constants = new HashSet<>();
        for (Field field : Topics.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                constants.add((String) field.get(null));
            }
        }
        assertEquals(constants, catalog.names());
    }

    @Test
    void everyTopicInTheTopologyIsInTheCatalog() {
        Matcher topics = Pattern.compile("topics?: \\[?([\\w.-]+)").matcher(StreamvecTopology.describe(true));
        int found = 0;
        while (topics.find()) {
            assertTrue(catalog.names().contains(topics.group(1)), topics.group(1) + " missing from the catalog");
            found++;
        }
        assertTrue(found >= 2);
    }

    @Test
    void specsBecomeAdminRequests() {
        NewTopic tokens = catalog.get(Topics.TEXT_TOKENS).toNewTopic((short) 3);
        assertEquals(Topics.TEXT_TOKENS, tokens.name());
        assertEquals(catalog.get(Topics.TEXT_TOKENS).partitions(), tokens.numPartitions());
        assertEquals(3, tokens.replicationFactor());
        assertEquals("delete", tokens.configs().get("cleanup.policy"));
        assertEquals(-1, catalog.get(Topics.DLQ).toNewTopic((short) -1).replicationFactor());
    }

    @Test
    void malformedCatalogsAreRejectedClearly() {
        String missingField = "topics:\n  - name: a\n    partitions: 1\n";
        assertThrows(Exception.class, () -> TopicCatalog.parse(stream(missingField)));
        String badPolicy = "topics:\n  - {name: a, description: d, partitions: 1, key: k, value: v, "
                + "cleanup.policy: shred, retention.ms: 1}\n";
        Exception e = assertThrows(Exception.class, () -> TopicCatalog.parse(stream(badPolicy)));
        assertTrue(String.valueOf(e.getMessage()).contains("cleanup.policy"), e.getMessage());
        String duplicate = "topics:\n"
                + "  - {name: a, description: d, partitions: 1, key: k, value: v, cleanup.policy: delete, retention.ms: 1}\n"
                + "  - {name: a, description: d, partitions: 1, key: k, value: v, cleanup.policy: delete, retention.ms: 1}\n";
        assertThrows(IllegalArgumentException.class, () -> TopicCatalog.parse(stream(duplicate)));
        assertThrows(IllegalArgumentException.class, () -> catalog.get("no-such-topic"));
    }

    private static ByteArrayInputStream stream(String yaml) {
        return new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8));
    }
}
