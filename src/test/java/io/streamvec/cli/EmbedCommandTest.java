package io.streamvec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbedCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private static void assertUnitVector(JsonNode line) {
        assertEquals(384, line.get("dim").asInt(), line.toString());
        JsonNode vector = line.get("vector");
        assertTrue(vector.isArray());
        assertEquals(384, vector.size());
        double norm = 0;
        for (JsonNode v : vector) {
            assertTrue(v.isNumber());
            norm += v.asDouble() * v.asDouble();
        }
        assertEquals(1.0, Math.sqrt(norm), 1e-4);
    }

    @Test
    void helloPrintsOneJsonObjectWithAUnitVector() throws Exception {
        CliRun run = run("embed", "--device", "cpu", "hello");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(1, run.lines().length, run.out());
        JsonNode line = JSON.readTree(run.lines()[0]);
        assertEquals("hello", line.get("text").asText());
        assertEquals("all-MiniLM-L6-v2", line.get("model").asText());
        assertUnitVector(line);
    }

    @Test
    void twoTextsGiveTwoLinesInOrder() throws Exception {
        CliRun run = run("embed", "hello", "Kafka Streams turns \"events\" into vectors");
        assertEquals(0, run.exitCode(), run.err());
        String[] lines = run.lines();
        assertEquals(2, lines.length, run.out());
        JsonNode first = JSON.readTree(lines[0]);
        JsonNode second = JSON.readTree(lines[1]);
        assertEquals("hello", first.get("text").asText());
        assertEquals("Kafka Streams turns \"events\" into vectors", second.get("text").asText());
        assertUnitVector(first);
        assertUnitVector(second);
        assertNotEquals(first.get("vector"), second.get("vector"));
    }

    @Test
    void aMissingModelDirectoryIsAClearOneLineErrorAndNonZeroExit(@TempDir Path dir) {
        CliRun run = run("embed", "--model", dir.resolve("no-such-model").toString(), "hello");
        assertNotEquals(0, run.exitCode());
        assertEquals("", run.out());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains("no-such-model") && run.err().contains("is not a directory"), run.err());
    }

    @Test
    void aModelDirectoryWithoutItsFilesIsAClearOneLineError(@TempDir Path dir) {
        CliRun run = run("embed", "--model", dir.toString(), "hello");
        assertNotEquals(0, run.exitCode());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains("has no config.json"), run.err());
    }

    @Test
    void aPoolingTheModelContradictsIsAClearOneLineError() {
        CliRun run = run("embed", "--device", "cpu", "--pooling", "cls", "hello");
        assertNotEquals(0, run.exitCode());
        assertEquals("", run.out());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains("--pooling=cls contradicts the bundled all-MiniLM-L6-v2"), run.err());
    }

    @Test
    void meanPoolingWithoutNormalisationIsTheSameDirectionLonger() throws Exception {
        JsonNode normalized = JSON.readTree(run("embed", "--device", "cpu", "hello").lines()[0]);
        CliRun run = run("embed", "--device", "cpu", "--pooling", "mean", "--normalize", "false", "hello");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode raw = JSON.readTree(run.lines()[0]).get("vector");
        double norm = 0;
        double dot = 0;
        for (int i = 0; i < raw.size(); i++) {
            norm += raw.get(i).asDouble() * raw.get(i).asDouble();
            dot += raw.get(i).asDouble() * normalized.get("vector").get(i).asDouble();
        }
        assertTrue(Math.abs(Math.sqrt(norm) - 1) > 1e-3, "not unit length: " + Math.sqrt(norm));
        assertEquals(1.0, dot / Math.sqrt(norm), 1e-5);
    }
}
