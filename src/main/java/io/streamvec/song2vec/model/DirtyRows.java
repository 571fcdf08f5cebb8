package io.streamvec.song2vec.model;

import java.util.Arrays;

/** Set of row indices changed since the last drain: a bitmap for O(1) dedup plus a list for O(changed) drain. */
public final class DirtyRows {
    private final long[] bits;
    private int[] list;
    private int n;

    public DirtyRows(int capacity) {
        bits = new long[(capacity + 63) >>> 6];
        list = new int[1024];
    }

    /** Adds {@code row}; returns whether it was not in the set yet. */
    public boolean mark(int row) {
        int w = row >>> 6;
        long m = 1L << row;
        long b = bits[w];
        if ((b & m) != 0) return false;
        bits[w] = b | m;
        if (n == list.length) list = Arrays.copyOf(list, n * 2);
        list[n++] = row;
        return true;
    }

    public boolean contains(int row) {
        return (bits[row >>> 6] & (1L << row)) != 0;
    }

    public int size() { return n; }

    public int[] drain() {
        int[] out = Arrays.copyOf(list, n);
        for (int i = 0; i < n; i++) bits[list[i] >>> 6] = 0;
        n = 0;
        Arrays.sort(out);
        return out;
    }
}
