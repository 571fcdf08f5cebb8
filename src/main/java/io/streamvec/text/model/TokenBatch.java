package io.streamvec.text.model;

import java.util.List;

/** A batch of token id sequences right-padded with 0 to the longest one, row-major {@code [batch, seq]}. */
public record TokenBatch(int batch, int seq, long[] inputIds, long[] attentionMask) {

    public static TokenBatch pad(List<long[]> sequences) {
        int batch = sequences.size();
        int seq = 1;
        for (long[] s : sequences) {
            seq = Math.max(seq, s.length);
        }
        long[] ids = new long[batch * seq];
        long[] mask = new long[batch * seq];
        for (int b = 0; b < batch; b++) {
            long[] s = sequences.get(b);
            System.arraycopy(s, 0, ids, b * seq, s.length);
            java.util.Arrays.fill(mask, b * seq, b * seq + s.length, 1L);
        }
        return new TokenBatch(batch, seq, ids, mask);
    }
}
