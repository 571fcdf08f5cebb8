package io.streamvec.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.opentest4j.AssertionFailedError;
import org.junit.jupiter.api.Test;

/** The fuzz harness itself: it must catch what it claims to catch, or the fuzz tests prove nothing. */
class FuzzerTest {

    /** A parser with a planted bug: an index out of bounds on any input holding the byte 0x42. */
    private static int buggy(byte[] input) throws IOException {
        if (input.length == 0) {
            throw new IOException("empty input");
        }
        for (byte b : input) {
            if (b == 0x42) {
                int[] none = {};
                return none[b]; // out of bounds
            }
        }
        return input.length;
    }

    @Test
    void aDocumentedExceptionWithAMessageIsARejection() {
        assertNull(Fuzz.valueOrDocumentedError("buggy", new byte[0], () -> buggy(new byte[0]), IOException.class));
        assertEquals(2, Fuzz.valueOrDocumentedError("buggy", new byte[2], () -> buggy(new byte[2]), IOException.class));
    }

    @Test
    void anUndocumentedExceptionFailsAndNamesTheInput() {
        byte[] input = {1, 0x42};
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> Fuzz.valueOrDocumentedError("buggy", input, () -> buggy(input), IOException.class));
        assertTrue(e.getMessage().contains("undocumented java.lang.ArrayIndexOutOfBoundsException"), e.getMessage());
        assertTrue(e.getMessage().contains("hex 0142"), e.getMessage());
    }

    @Test
    void anErrorOrAnExceptionWithoutAMessageFails() {
        assertThrows(AssertionFailedError.class, () -> Fuzz.valueOrDocumentedError("oom", "x", () -> {
            throw new OutOfMemoryError("Java heap space");
        }, RuntimeException.class));
        assertThrows(AssertionFailedError.class, () -> Fuzz.valueOrDocumentedError("silent", "x", () -> {
            throw new IllegalArgumentException();
        }, IllegalArgumentException.class));
    }

    @Test
    void theLoopFindsThePlantedBugAndShrinksItToOneByte() {
        List<byte[]> seeds = List.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> Fuzzer.bytes("planted", 20_000,
                random -> Mutations.mutate(random, seeds),
                input -> Fuzz.valueOrDocumentedError("buggy", input, () -> buggy(input), IOException.class)));
        assertTrue(e.getMessage().contains("fails on 1 bytes, hex 42 "), e.getMessage());
        assertTrue(e.getMessage().contains("(seed "), "the seed is reported: " + e.getMessage());
    }

    @Test
    void theSameSeedGivesTheSameInputs() {
        List<byte[]> first = new ArrayList<>();
        List<byte[]> second = new ArrayList<>();
        List<byte[]> seeds = List.of("some seed".getBytes());
        Fuzzer.bytes("repeatable", 50, random -> Mutations.mutate(random, seeds), first::add);
        Fuzzer.bytes("repeatable", 50, random -> Mutations.mutate(random, seeds), second::add);
        assertEquals(first.size(), second.size());
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(first.get(i), second.get(i));
        }
    }

    @Test
    void mutationsChangeSeedsInEveryWay() {
        byte[] seed = "0123456789abcdefghijklmnopqrstuvwxyz".getBytes();
        SplittableRandom random = new SplittableRandom(1);
        boolean shorter = false;
        boolean longer = false;
        boolean sameLengthChanged = false;
        for (int i = 0; i < 1_000; i++) {
            byte[] m = Mutations.mutateOnce(random, seed, List.of(seed));
            shorter |= m.length < seed.length;
            longer |= m.length > seed.length;
            sameLengthChanged |= m.length == seed.length && !java.util.Arrays.equals(m, seed);
        }
        assertTrue(shorter && longer && sameLengthChanged);
        assertArrayEquals(new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f},
                Mutations.zigZagVarint(Integer.MAX_VALUE), "Avro's encoding of a length");
    }
}
