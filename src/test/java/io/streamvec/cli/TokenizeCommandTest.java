package io.streamvec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizeCommandTest {

    /** A GPT-2-style byte-level BPE tokenizer.json with a tiny vocabulary (the 256 bytes, a few merges). */
    private static final String GPT2 = "src/test/resources/tokenizers/gpt2-tiny/tokenizer.json";

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void helloWorldShowsTheVocabularyTheCountAndTheTokensWithSpecialOnesMarked() {
        CliRun run = run("tokenize", "Hello world");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(List.of(
                "Hello world",
                "  all-MiniLM-L6-v2: vocabulary 30522, 4 tokens",
                "    ⟨[CLS]⟩|Hello|world|⟨[SEP]⟩"), run.out().lines().toList());
    }

    @Test
    void severalTokenizersSideBySideWithByteLevelPiecesAsTheTextTheyStandFor() {
        CliRun run = run("tokenize", "--tokenizer", "all-MiniLM-L6-v2", "--tokenizer", GPT2, "Hello world",
                "Songs are words");
        assertEquals(0, run.exitCode(), run.err());
        String[] blocks = run.out().split("\\R\\R");
        assertEquals(2, blocks.length, run.out());
        assertEquals(List.of(
                "Hello world",
                "  all-MiniLM-L6-v2: vocabulary 30522, 4 tokens",
                "    ⟨[CLS]⟩|Hello|world|⟨[SEP]⟩",
                "  gpt2-tiny: vocabulary 274, 2 tokens",
                "    Hello| world"), blocks[0].lines().toList(), "Ġworld shows as ' world'");
        assertTrue(blocks[1].startsWith("Songs are words"), blocks[1]);
        assertTrue(blocks[1].contains("  gpt2-tiny: vocabulary 274, "), blocks[1]);
    }

    @Test
    void theBytesOfASplitCharacterShowTogetherAndSpecialTokensInTheTextAreMarked() {
        CliRun run = run("tokenize", "--tokenizer", GPT2, "--tokenizer", "all-MiniLM-L6-v2",
                "café 😀<|endoftext|>\tend");
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals("café 😀<|endoftext|>\\tend", lines.get(0), "control characters escaped: one line each");
        // é is two bytes, 😀 four: one token each here, shown together as the character
        assertEquals("  gpt2-tiny: vocabulary 274, 15 tokens", lines.get(1));
        assertEquals("    c|a|f|é| |😀|⟨<|endoftext|>⟩|\\t|e|n|d", lines.get(2));
        assertTrue(lines.get(4).startsWith("    ⟨[CLS]⟩|café|⟨[UNK]⟩|<|"), "BERT has no emoji: [UNK] " + lines.get(4));
    }

    @Test
    void idsDecodeBackToTheText() {
        CliRun run = run("tokenize", "--ids", "--tokenizer", GPT2, "--tokenizer", "all-MiniLM-L6-v2", "Hello world");
        assertEquals(0, run.exitCode(), run.err());
        List<String> ids = run.out().lines().filter(l -> l.startsWith("    ids: ")).map(l -> l.substring(9)).toList();
        assertEquals(List.of("264 260", "101 7592 2088 102"), ids);

        CliRun gpt2 = run(("tokenize --tokenizer " + GPT2 + " --decode " + ids.get(0)).split(" "));
        assertEquals(0, gpt2.exitCode(), gpt2.err());
        assertEquals("Hello world\n", gpt2.out().replace("\r\n", "\n"));
        CliRun bert = run(("tokenize --decode " + ids.get(1)).split(" "));
        assertEquals("hello world\n", bert.out().replace("\r\n", "\n"), "uncased, special tokens skipped");
        CliRun both = run("tokenize", "--tokenizer", GPT2, "--tokenizer", "all-MiniLM-L6-v2", "--decode", "72", "73");
        assertEquals(List.of("gpt2-tiny: ij", "all-MiniLM-L6-v2: [unused71] [unused72]"), both.out().lines().toList());
    }

    @Test
    void idsOutsideTheVocabularyAreOneClearLineAndNonZeroExit() {
        CliRun run = run("tokenize", "--tokenizer", GPT2, "--decode", "264", "274");
        assertNotEquals(0, run.exitCode());
        assertEquals("", run.out());
        assertEquals(List.of("streamvec tokenize: token id 274 is not in the vocabulary of gpt2-tiny (274 ids, 0 to 273)"),
                run.err().lines().toList());
    }

    @Test
    void aFileThatIsNotATokenizerIsOneClearLineAndNonZeroExit(@TempDir Path dir) throws Exception {
        Path notJson = Files.writeString(dir.resolve("notes.txt"), "just some notes\nover two lines");
        CliRun run = run("tokenize", "--tokenizer", notJson.toString(), "hi");
        assertNotEquals(0, run.exitCode());
        assertEquals("", run.out());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().contains("cannot load tokenizer " + notJson + ": not a Hugging Face tokenizer.json"),
                run.err());
    }

    @Test
    void aMissingTokenizerFileIsAClearErrorAndNonZeroExit(@TempDir Path dir) {
        CliRun run = run("tokenize", "--tokenizer", dir.resolve("missing.json").toString(), "hi");
        assertNotEquals(0, run.exitCode());
        assertTrue(run.err().contains("tokenizer file not found"), run.err());
    }

    @Test
    void coloursOnlyWhenAskedOrOnATerminal() {
        CliRun always = run("tokenize", "--color", "always", "--tokenizer", GPT2, "Hello  world");
        assertEquals(0, always.exitCode(), always.err());
        String line = always.out().lines().toList().get(2);
        assertTrue(line.contains("\u001b[38;5;16;48;5;"), line);
        assertEquals("    Hello  world", line.replaceAll("\u001b\\[[0-9;]*m", ""), "the text, token after token");
        assertFalse(run("tokenize", "--tokenizer", GPT2, "Hello world").out().contains("\u001b"),
                "auto: captured output is no terminal");
        assertFalse(run("tokenize", "--color", "never", "Hello world").out().contains("\u001b"));
        CliRun bert = run("tokenize", "--color", "always", "Hello   world");
        String stripped = bert.out().lines().toList().get(2).replaceAll("\u001b\\[[0-9;]*m", "");
        assertEquals("    [CLS]Hello   world[SEP]", stripped, "spaces no token covers are shown between tokens");
    }

    @Test
    void textsOrDecodeAreRequired() {
        assertEquals(2, run("tokenize").exitCode());
        assertEquals(2, run("tokenize", "--decode", "101", "hello").exitCode());
    }

    @Test
    void topologyCommandWritesTheDescription(@TempDir Path dir) throws Exception {
        CliRun run = run("topology", "--out", dir.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(Files.readString(Path.of("topology/topology.txt")), Files.readString(dir.resolve("topology.txt")));
    }
}
