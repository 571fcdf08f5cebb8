package io.streamvec.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * topology/topology.txt is the committed {@code Topology.describe()} of the real topology. When this
 * test fails, regenerate it with {@code java -jar target/streamvec.jar topology --out topology}.
 */
class TopologyDescriptionTest {

    @Test
    void committedDescriptionMatchesTheCode() throws Exception {
        String committed = Files.readString(Path.of("topology/topology.txt"));
        assertEquals(committed, StreamvecTopology.describe(),
                "topology/topology.txt is stale: run `java -jar target/streamvec.jar topology --out topology`");
    }
}
