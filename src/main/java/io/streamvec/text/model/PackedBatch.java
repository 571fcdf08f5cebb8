package io.streamvec.text.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Token sequences packed end to end without padding, {@code [tokens]}, for the encoder's dense layers, plus the
 * padded views that attention needs: the texts are cut, in the given order, into groups of at most
 * {@code groupSize}, each padded to its own longest text. Give it texts sorted by length and the padding is
 * small; the dense layers (most of the work) never see it.
 *
 * @param inputIds    token ids, text after text
 * @param positions   each token's position within its text
 * @param textStarts  where text {@code i} starts; {@code textStarts[texts]} is the token count
 * @param groups      the padded attention groups, in text order
 * @param unpadIndex  for each packed token, its row in the groups' padded rows laid end to end
 */
public record PackedBatch(long[] inputIds, long[] positions, int[] textStarts, List<Group> groups,
                          long[] unpadIndex) {

    /**
     * One attention group: {@code texts} texts padded to {@code seq}.
     *
     * @param gatherIndex for each padded slot ({@code [texts * seq]}, row-major), the packed token there; a pad
     *                    slot points at its text's first token (a masked key, and a query whose output is dropped)
     * @param mask        1 for tokens, 0 for padding, {@code [texts * seq]}
     */
    public record Group(int texts, int seq, long[] gatherIndex, long[] mask) {}

    public static PackedBatch pack(List<long[]> sequences, int groupSize) {
        if (groupSize < 1) {
            throw new IllegalArgumentException("group size must be >= 1");
        }
        int texts = sequences.size();
        int[] starts = new int[texts + 1];
        for (int t = 0; t < texts; t++) {
            if (sequences.get(t).length == 0) {
                throw new IllegalArgumentException("text " + t + " has no tokens");
            }
            starts[t + 1] = starts[t] + sequences.get(t).length;
        }
        long[] ids = new long[starts[texts]];
        long[] positions = new long[ids.length];
        long[] unpad = new long[ids.length];
        List<Group> groups = new ArrayList<>();
        int paddedRows = 0;
        for (int first = 0; first < texts; first += groupSize) {
            int end = Math.min(texts, first + groupSize);
            int seq = 0;
            for (int t = first; t < end; t++) {
                seq = Math.max(seq, sequences.get(t).length);
            }
            long[] gather = new long[(end - first) * seq];
            long[] mask = new long[gather.length];
            for (int t = first; t < end; t++) {
                long[] s = sequences.get(t);
                int slot = (t - first) * seq;
                System.arraycopy(s, 0, ids, starts[t], s.length);
                Arrays.fill(gather, slot, slot + seq, starts[t]);
                for (int p = 0; p < s.length; p++) {
                    positions[starts[t] + p] = p;
                    gather[slot + p] = starts[t] + p;
                    mask[slot + p] = 1;
                    unpad[starts[t] + p] = paddedRows + slot + p;
                }
            }
            groups.add(new Group(end - first, seq, gather, mask));
            paddedRows += gather.length;
        }
        return new PackedBatch(ids, positions, starts, List.copyOf(groups), unpad);
    }

    public int texts() {
        return textStarts.length - 1;
    }

    public int tokens() {
        return inputIds.length;
    }

    /** Rows of the groups' padded views together. */
    public int paddedRows() {
        return groups.stream().mapToInt(g -> g.texts() * g.seq()).sum();
    }
}
