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
}
