package io.streamvec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {


    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void helloWorldPrintsItsTokensWithIds() {
        CliRun run = run("tokenize", "Hello world");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(Pattern.compile("(?m)^\\s+7592\\s+hello$").matcher(run.out()).find(), run.out());
        assertTrue(Pattern.compile("(?m)^\\s+2088\\s+world$").matcher(run.out()).find(), run.out());
    }

    @Test
    void oneBlockPerText() {
        CliRun run = run("tokenize", "Hello world", "Songs are words");
        assertEquals(0, run.exitCode(), run.err());
        String[] blocks = run.out().split("\\R\\R");
        assertEquals(2, blocks.length, run.out());
        assertTrue(blocks[1].startsWith("Songs are words"));
    }

    @Test
    void aMissingTokenizerFileIsAClearErrorAndNonZeroExit(@TempDir Path dir) {
        CliRun run = run("tokenize", "--tokenizer", dir.resolve("missing.json").toString(), "hi");
        assertNotEquals(0, run.exitCode());
        assertTrue(run.err().contains("tokenizer file not found"), run.err());
    }

    @Test
    void topologyCommandWritesTheDescription(@TempDir Path dir) throws Exception {
        CliRun run = run("topology", "--out", dir.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(Files.readString(Path.of("topology/topology.txt")), Files.readString(dir.resolve("topology.txt")));
    }
}
