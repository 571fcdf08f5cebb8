package io.streamvec.text.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextTokenizerTest {

    private static TextTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = TextTokenizer.bundled(TextTokenizer.DEFAULT_MAX_LENGTH);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void helloWorldHasBertsWordPieceIds() {
        Tokens tokens = tokenizer.tokenize("Hello world");
        assertArrayEquals(new String[] {"[CLS]", "hello", "world", "[SEP]"}, tokens.pieces());
        assertArrayEquals(new long[] {101, 7592, 2088, 102}, tokens.ids());
        assertFalse(tokens.truncated());
    }

    @Test
    void noFixedPaddingDespiteTheTokenizerJson() {
        // The bundled tokenizer.json pads to 128; streamvec pads batches itself.
        assertEquals(3, tokenizer.tokenize("hi").size());
    }

    @Test
    void offsetsPointIntoTheOriginalText() {
        String text = "Grüße aus Köln 🚀, naïve café!";
        Tokens tokens = tokenizer.tokenize(text);
        for (int i = 0; i < tokens.size(); i++) {
            String piece = tokens.pieces()[i];
            if (piece.equals("[CLS]") || piece.equals("[SEP]")) {
                assertEquals(tokens.starts()[i], tokens.ends()[i], "special tokens have an empty span");
                continue;
            }
            String covered = text.substring(tokens.starts()[i], tokens.ends()[i]);
            assertFalse(covered.isEmpty(), "token " + piece + " covers some text");
            String stripped = piece.startsWith("##") ? piece.substring(2) : piece;
            // The model lowercases and strips accents: compare the same way.
            String normalized = java.text.Normalizer.normalize(covered.toLowerCase(), java.text.Normalizer.Form.NFD)
                    .replaceAll("\\p{M}", "");
            assertTrue(normalized.equals(stripped) || stripped.equals("[UNK]"),
                    "token '" + piece + "' at [" + tokens.starts()[i] + "," + tokens.ends()[i] + ") covers '" + covered + "'");
        }
    }

    @Test
    void longTextsAreTruncatedAndFlagged() {
        String text = "word ".repeat(1000);
        Tokens tokens = tokenizer.tokenize(text);
        assertEquals(TextTokenizer.DEFAULT_MAX_LENGTH, tokens.size());
        assertTrue(tokens.truncated());
        assertEquals("[SEP]", tokens.pieces()[tokens.size() - 1], "truncation keeps the closing special token");

        try (TextTokenizer short16 = TextTokenizer.bundled(16)) {
            Tokens cut = short16.tokenize(text);
            assertEquals(16, cut.size());
            assertTrue(cut.truncated());
            assertFalse(short16.tokenize("exactly fourteen words fit here because there are sixteen tokens in all now")
                    .truncated());
        }
    }

    @Test
    void batchTokenizationMatchesOneByOne() {
        List<String> texts = List.of("Hello world", "Songs are words", "a", "word ".repeat(300));
        List<Tokens> batch = tokenizer.tokenizeAll(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(tokenizer.tokenize(texts.get(i)).ids(), batch.get(i).ids(), texts.get(i));
        }
    }

    @Test
    void anyTokenizerJsonLoadsFromAPath(@TempDir Path dir) throws Exception {
        Path modelDir = Files.createDirectories(dir.resolve("my-model"));
        try (InputStream in = BundledModel.open(BundledModel.TOKENIZER_RESOURCE)) {
            Files.copy(in, modelDir.resolve("tokenizer.json"));
        }
        try (TextTokenizer fromDir = TextTokenizer.fromPath(modelDir, 64);
             TextTokenizer fromFile = TextTokenizer.fromPath(modelDir.resolve("tokenizer.json"), 64)) {
            assertEquals("my-model", fromDir.name());
            assertArrayEquals(tokenizer.tokenize("Hello world").ids(), fromFile.tokenize("Hello world").ids());
        }
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> TextTokenizer.fromPath(dir.resolve("nope.json"), 64));
        assertTrue(missing.getMessage().contains("nope.json"));
        Path garbage = Files.writeString(dir.resolve("garbage.json"), "{not json");
        assertThrows(IllegalArgumentException.class, () -> TextTokenizer.fromPath(garbage, 64));
    }

    @Test
    void theVocabularyComesFromTheFileAndDecodeRejectsIdsOutsideIt() {
        Vocabulary vocabulary = tokenizer.vocabulary();
        assertEquals(30522, vocabulary.size());
        assertEquals(30521, vocabulary.maxId());
        assertTrue(vocabulary.isSpecial(101) && vocabulary.isSpecial(102) && vocabulary.isSpecial(100));
        assertFalse(vocabulary.isSpecial(7592));
        Tokens tokens = tokenizer.tokenize("Hello world");
        assertArrayEquals(new boolean[] {true, false, false, true}, tokens.special());
        assertEquals("hello world", tokenizer.decode(tokens.ids(), true));
        assertEquals("[CLS] hello world [SEP]", tokenizer.decode(tokens.ids(), false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tokenizer.decode(new long[] {7592, 30522}, true));
        assertEquals("token id 30522 is not in the vocabulary of all-MiniLM-L6-v2 (30522 ids, 0 to 30521)",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new long[] {-1}, true));
    }

    @Test
    void aByteLevelBpeTokenizerGivesOffsetsThatCoverItsLeadingSpaceAndSplitCharacters() {
        try (TextTokenizer gpt2 = TextTokenizer.fromPath(Path.of("src/test/resources/tokenizers/gpt2-tiny"), 64)) {
            assertEquals("gpt2-tiny", gpt2.name());
            assertEquals(274, gpt2.vocabulary().size());
            Tokens tokens = gpt2.tokenize("Hello world");
            assertArrayEquals(new String[] {"Hello", "\u0120world"}, tokens.pieces());
            assertEquals(" world", "Hello world".substring(tokens.starts()[1], tokens.ends()[1]));
            assertEquals("Hello world", gpt2.decode(tokens.ids(), true));
            Tokens emoji = gpt2.tokenize("a😀");
            assertEquals(5, emoji.size(), "one byte per token for the emoji: no merges in the tiny vocabulary");
            for (int i = 1; i < 5; i++) {
                assertEquals("😀", "a😀".substring(emoji.starts()[i], emoji.ends()[i]));
            }
        }
    }

    @Test
    void aFileThatIsNotATokenizerIsOneClearLine(@TempDir Path dir) throws Exception {
        for (String content : new String[] {"hello there\nsecond line", "{\"a\": 1}"}) {
            Path file = Files.writeString(dir.resolve("bad.json"), content);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TextTokenizer.fromPath(file, 16));
            assertTrue(e.getMessage().startsWith("cannot load tokenizer " + file + ": not a Hugging Face tokenizer.json"),
                    e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
    }
}
