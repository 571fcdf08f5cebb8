package io.streamvec.text.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class PackedBatchTest {

    private static final List<long[]> TEXTS = List.of(
            new long[] {101, 7, 102}, new long[] {101, 102}, new long[] {101, 5, 6, 8, 102});

    @Test
    void packsTokensWithoutPaddingAndPositionsRestartPerText() {
        PackedBatch p = PackedBatch.pack(TEXTS, 2);
        assertArrayEquals(new long[] {101, 7, 102, 101, 102, 101, 5, 6, 8, 102}, p.inputIds());
        assertArrayEquals(new long[] {0, 1, 2, 0, 1, 0, 1, 2, 3, 4}, p.positions());
        assertArrayEquals(new int[] {0, 3, 5, 10}, p.textStarts());
        assertEquals(3, p.texts());
        assertEquals(10, p.tokens());
    }

    @Test
    void groupsArePaddedToTheirOwnLongestTextAndPadsPointAtTheirTextsFirstToken() {
        PackedBatch p = PackedBatch.pack(TEXTS, 2);
        assertEquals(2, p.groups().size());
        PackedBatch.Group first = p.groups().get(0);
        assertEquals(2, first.texts());
        assertEquals(3, first.seq());
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 3}, first.gatherIndex());
        assertArrayEquals(new long[] {1, 1, 1, 1, 1, 0}, first.mask());
        PackedBatch.Group second = p.groups().get(1);
        assertEquals(1, second.texts());
        assertEquals(5, second.seq());
        assertArrayEquals(new long[] {5, 6, 7, 8, 9}, second.gatherIndex());
        assertEquals(11, p.paddedRows());
    }

    @Test
    void unpaddingInvertsTheGather() {
        for (int groupSize : new int[] {1, 2, 3, 8}) {
            PackedBatch p = PackedBatch.pack(TEXTS, groupSize);
            long[] paddedToPacked = new long[p.paddedRows()];
            int offset = 0;
            for (PackedBatch.Group g : p.groups()) {
                System.arraycopy(g.gatherIndex(), 0, paddedToPacked, offset, g.gatherIndex().length);
                offset += g.gatherIndex().length;
            }
            for (int token = 0; token < p.tokens(); token++) {
                int row = (int) p.unpadIndex()[token];
                assertEquals(token, paddedToPacked[row], "token " + token + ", groups of " + groupSize);
            }
        }
    }

    @Test
    void rejectsEmptyTextsAndGroupSizesBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> PackedBatch.pack(List.of(new long[0]), 4));
        assertThrows(IllegalArgumentException.class, () -> PackedBatch.pack(TEXTS, 0));
    }
}
