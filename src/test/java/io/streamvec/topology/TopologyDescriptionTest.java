package io.streamvec.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * topology/topology.txt is the committed {@code Topology.describe()} of the real topology and
 * topology/topology.svg its diagram. When this test fails, regenerate both with
 * {@code java -jar target/streamvec.jar topology --out topology}.
 */
class TopologyDescriptionTest {

    @Test
    void committedDescriptionMatchesTheCode() throws Exception {
        String committed = Files.readString(Path.of("topology/topology.txt"));
        assertEquals(committed, StreamvecTopology.describe(),
                "topology/topology.txt is stale: run `java -jar target/streamvec.jar topology --out topology`");
    }

    @Test
    void committedDiagramMatchesTheCode() throws Exception {
        String committed = Files.readString(Path.of("topology/topology.svg"));
        assertEquals(committed, StreamvecTopology.diagram(),
                "topology/topology.svg is stale: run `java -jar target/streamvec.jar topology --out topology`");
    }

    @Test
    void committedTokenVectorsFilesMatchTheCodeAndDifferOnlyByTheOptionalBranch() throws Exception {
        assertEquals(Files.readString(Path.of("topology/topology-token-vectors.txt")), StreamvecTopology.describe(true),
                "topology/topology-token-vectors.txt is stale: run `java -jar target/streamvec.jar topology --out topology`");
        assertEquals(Files.readString(Path.of("topology/topology-token-vectors.svg")), StreamvecTopology.diagram(true),
                "topology/topology-token-vectors.svg is stale: run `java -jar target/streamvec.jar topology --out topology`");
        String with = StreamvecTopology.describe(true);
        String without = StreamvecTopology.describe();
        org.junit.jupiter.api.Assertions.assertFalse(without.contains("text-token-embeddings"));
        org.junit.jupiter.api.Assertions.assertTrue(with.contains(
                "Sink: text-token-embeddings-sink (topic: text-token-embeddings)"), with);
        org.junit.jupiter.api.Assertions.assertTrue(with.contains(
                "Processor: embed (stores: [embedding-buffer-texts, embedding-buffer, embedding-buffer-tokens])"), with);
        org.junit.jupiter.api.Assertions.assertTrue(StreamvecTopology.diagram(true).contains(">text-token-embeddings-sink<"));
    }

    @Test
    void theDiagramShowsEveryNodeOfTheDescription() {
        String svg = StreamvecTopology.diagram();
        java.util.regex.Matcher nodes = java.util.regex.Pattern
                .compile("(?m)^\\s+(?:Source|Processor|Sink): (\\S+)").matcher(StreamvecTopology.describe());
        int count = 0;
        while (nodes.find()) {
            count++;
            org.junit.jupiter.api.Assertions.assertTrue(svg.contains(">" + nodes.group(1) + "<"), nodes.group(1));
        }
        org.junit.jupiter.api.Assertions.assertTrue(count >= 10, "nodes found: " + count);
    }
}
