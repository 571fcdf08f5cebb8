package io.streamvec.song2vec.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The word2vec text and binary formats, as gensim writes them, and the one-line errors of a bad file. */
class Word2vecFileTest {

    @TempDir
    Path dir;

    private static final List<String> IDS = List.of("12", "7", "s:é");
    private static final float[] VALUES = {0.1f, -1.0f / 3, 1e-7f, Float.MIN_VALUE, -3.4e38f, 0f, 12345.678f, -0f, 2f};

    @Test
    void textRoundTripIsExactAndKeepsTheOrder() throws IOException {
        Path file = dir.resolve("v.txt");
        Word2vecFile.write(file, IDS, 3, VALUES);
        assertTrue(Files.readString(file).startsWith("3 3\n12 0.1 "), Files.readString(file));
        Word2vecFile.Vectors read = Word2vecFile.read(file);
        assertFalse(read.binary());
        assertEquals(IDS, read.ids());
        assertEquals(3, read.dim());
        assertArrayEquals(VALUES, read.values(), 0f);
        assertArrayEquals(new long[] {3, 2, 1}, read.counts(), "counts from the order, as gensim makes them up");
        assertEquals(file + " line 3", read.where(1));
    }

    @Test
    void gensimStyleTextWithReprValuesAndTrailingSpaces() throws IOException {
        Path file = Files.writeString(dir.resolve("g.txt"), "2 2\nA 0.123456789 -1e-05 \nB 3.0 4\n\n");
        Word2vecFile.Vectors read = Word2vecFile.read(file);
        assertEquals(List.of("A", "B"), read.ids());
        assertArrayEquals(new float[] {0.123456789f, -1e-5f, 3f, 4f}, read.values(), 0f);
    }

    @Test
    void binaryWithAndWithoutNewlinesAfterEachVector() throws IOException {
        for (boolean newline : new boolean[] {false, true}) {
            Path file = dir.resolve("v" + newline + ".bin");
            Files.write(file, binary(IDS, 3, VALUES, newline));
            Word2vecFile.Vectors read = Word2vecFile.read(file);
            assertTrue(read.binary(), "newline " + newline);
            assertEquals(IDS, read.ids());
            assertArrayEquals(VALUES, read.values(), 0f);
        }
        // Random values: the format is told apart by its content, whatever the floats.
        Random random = new Random(1);
        float[] values = new float[50 * 32];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * 0.1f;
        }
        List<String> ids = java.util.stream.IntStream.range(0, 50).mapToObj(Integer::toString).toList();
        Path file = Files.write(dir.resolve("r.bin"), binary(ids, 32, values, false));
        assertArrayEquals(values, Word2vecFile.read(file).values(), 0f);
    }

    @Test
    void badFilesAreOneLineErrorsWithTheLineNumber() throws IOException {
        assertError("", "is empty");
        assertError("3\n", "line 1: expected a word2vec header");
        assertError("x 3\n", "line 1: expected a word2vec header");
        assertError("2 0\n", "line 1: expected a word2vec header");
        assertError("2 3\na 1 2 3\nb 1 2\n", "line 3: expected a song id and 3 values, found 2 values (truncated line?)");
        assertError("2 3\na 1 2 3\nb 1 2 3 4\n", "line 3: expected a song id and 3 values, found 4 values");
        assertError("2 3\na 1 2 3\n\nb 1 2 3\n", "line 3: expected a song id and 3 values, found 0 values");
        assertError("2 3\na 1 2 3\nb 1 NaN 3\n", "line 3: value 2 of song b is NaN, not a finite number");
        assertError("2 3\na 1 2 Infinity\nb 1 2 3\n", "line 2: value 3 of song a is Infinity");
        assertError("2 3\na 1 2 3\nb 1 two 3\n", "line 3: value 2 'two' is not a number");
        assertError("3 3\na 1 2 3\nb 1 2 3\n", "line 4: the file ends after 2 of the 3 vectors");
        assertError("1 3\na 1 2 3\nb 1 2 3\n", "line 3: more vectors than the 1 its header announces");
        assertError("2 3\na 1 2 3\na 4 5 6\n", "line 3: song a appears twice");

        byte[] whole = binary(IDS, 3, VALUES, false);
        Path truncated = Files.write(dir.resolve("t.bin"), java.util.Arrays.copyOf(whole, whole.length - 5));
        IOException e = assertThrows(IOException.class, () -> Word2vecFile.read(truncated));
        assertEquals(truncated + " line 4: the file ends inside the vector of song s:é (truncated)", e.getMessage());
        float[] nan = VALUES.clone();
        nan[4] = Float.NaN;
        Path withNan = Files.write(dir.resolve("n.bin"), binary(IDS, 3, nan, true));
        e = assertThrows(IOException.class, () -> Word2vecFile.read(withNan));
        assertTrue(e.getMessage().endsWith("line 3: value 2 of song 7 is NaN, not a finite number"), e.getMessage());
    }

    @Test
    void valuesReadAsGensimReadsThemAndWrittenValuesComeBackExactly() {
        Random random = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            float f = switch (i % 4) {
                case 0 -> (float) random.nextGaussian();
                case 1 -> (float) (random.nextGaussian() * Math.pow(10, random.nextInt(60) - 30));
                case 2 -> Float.intBitsToFloat(random.nextInt()); // any bits, NaN and infinities included
                default -> (float) random.nextGaussian() * 1e-3f;
            };
            if (!Float.isFinite(f)) {
                continue;
            }
            assertEquals(Float.floatToIntBits(f), Float.floatToIntBits(parse(Float.toString(f))), Float.toString(f));
            String repr = Double.toString(f); // like Python's repr of the float32 as a double, which gensim writes
            assertEquals(Float.floatToIntBits((float) Double.parseDouble(repr)), Float.floatToIntBits(parse(repr)), repr);
        }
        assertEquals(-1e-5f, parse("-1e-05"), 0f);
        assertEquals(1234.5f, parse("+1234.50"), 0f);
        assertEquals(0.000123f, parse("0.000123"), 0f);
        assertEquals(5f, parse("5."), 0f);
        assertEquals(0.5f, parse(".5"), 0f);
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(parse("-0.0")));
        assertTrue(Float.isNaN(parse("nan")));
        assertEquals(Float.NEGATIVE_INFINITY, parse("-inf"), 0f);
        assertEquals(Float.POSITIVE_INFINITY, parse("1e400"), 0f);
        assertEquals(0f, parse("1e-400"), 0f);
        for (String bad : new String[] {"", "-", "1.2.3", "1e", "abc", "1f", "0x10", "1,5", "--1"}) {
            assertThrows(NumberFormatException.class, () -> parse(bad), bad);
        }
    }

    private static float parse(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        return Word2vecFile.parseFloat(bytes, 0, bytes.length);
    }

    private void assertError(String content, String expected) throws IOException {
        Path file = Files.writeString(dir.resolve("bad.txt"), content);
        IOException e = assertThrows(IOException.class, () -> Word2vecFile.read(file), content);
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    /** gensim's binary=True layout (no newline) or word2vec's C tool's (a newline after each vector). */
    static byte[] binary(List<String> ids, int dim, float[] values, boolean newline) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((ids.size() + " " + dim + "\n").getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < ids.size(); i++) {
            out.write((ids.get(i) + " ").getBytes(StandardCharsets.UTF_8));
            ByteBuffer floats = ByteBuffer.allocate(4 * dim).order(ByteOrder.LITTLE_ENDIAN);
            for (int j = 0; j < dim; j++) {
                floats.putFloat(values[i * dim + j]);
            }
            out.write(floats.array());
            if (newline) {
                out.write('\n');
            }
        }
        return out.toByteArray();
    }
}
