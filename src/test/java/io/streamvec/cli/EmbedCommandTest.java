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

    @Test
    void tokensPrintsEveryTokensVectorAndTheirMeanIsTheSentenceVector() throws Exception {
        JsonNode sentence = JSON.readTree(run("embed", "--device", "cpu", "Hello wonderful world").lines()[0]);
        CliRun run = run("embed", "--device", "cpu", "--tokens", "Hello wonderful world", "ok");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(2, run.lines().length, run.out());
        JsonNode line = JSON.readTree(run.lines()[0]);
        java.util.List<String> fields = new java.util.ArrayList<>();
        line.fieldNames().forEachRemaining(fields::add);
        assertEquals(java.util.List.of("text", "model", "dim", "tokens"), fields);
        assertEquals("Hello wonderful world", line.get("text").asText());
        assertEquals("all-MiniLM-L6-v2", line.get("model").asText());
        assertEquals(384, line.get("dim").asInt());
        JsonNode tokens = line.get("tokens");
        assertEquals(5, tokens.size(), tokens.toString().substring(0, 200));
        String[] pieces = {"[CLS]", "hello", "wonderful", "world", "[SEP]"};
        int[][] spans = {{0, 0}, {0, 5}, {6, 15}, {16, 21}, {0, 0}};
        double[] mean = new double[384];
        for (int i = 0; i < tokens.size(); i++) {
            JsonNode token = tokens.get(i);
            assertEquals(pieces[i], token.get("piece").asText());
            assertEquals(spans[i][0], token.get("start").asInt(), pieces[i]);
            assertEquals(spans[i][1], token.get("end").asInt(), pieces[i]);
            assertTrue(token.get("id").canConvertToLong());
            assertEquals(384, token.get("vector").size());
            for (int d = 0; d < 384; d++) {
                mean[d] += token.get("vector").get(d).asDouble() / tokens.size();
            }
        }
        assertEquals(101, tokens.get(0).get("id").asInt());
        double dot = 0;
        double norm = 0;
        for (int d = 0; d < 384; d++) {
            dot += mean[d] * sentence.get("vector").get(d).asDouble();
            norm += mean[d] * mean[d];
        }
        assertEquals(1.0, dot / Math.sqrt(norm), 1e-5, "the mean of the token vectors points where the sentence does");
        assertEquals("ok", JSON.readTree(run.lines()[1]).get("text").asText());
    }
}
