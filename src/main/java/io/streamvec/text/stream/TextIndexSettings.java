package io.streamvec.text.stream;

import io.streamvec.text.model.SearchMode;

/**
 * The text index's settings ({@code text.index.*} and {@code text.neighbors.*}).
 *
 * @param maxTexts      texts kept per task; past it the oldest (by event time) are evicted
 * @param retentionMs   a text older than this (event time, against the newest text the task has indexed) is
 *                      evicted; 0 keeps texts whatever their age
 * @param neighbors     whether each newly embedded text's near duplicates go to {@code text-neighbors}
 * @param neighborsMinScore the cosine an earlier text must reach to be a near duplicate
 * @param neighborsK    the most near duplicates one record lists
 * @param search        how the working copy holds and scans its vectors
 */
public record TextIndexSettings(int maxTexts, long retentionMs, boolean neighbors, float neighborsMinScore,
                                int neighborsK, SearchMode search) {

    public static final int DEFAULT_MAX_TEXTS = 100_000;
    public static final long DEFAULT_RETENTION_MS = 7L * 24 * 3600 * 1000;
    public static final boolean DEFAULT_NEIGHBORS = false;
    public static final double DEFAULT_NEIGHBORS_MIN_SCORE = 0.9;
    public static final int DEFAULT_NEIGHBORS_K = 10;
    public static final SearchMode DEFAULT_SEARCH = SearchMode.EXACT;
    /** The characters of a text the index keeps (and answers with). */
    public static final int MAX_TEXT_CHARS = 1000;

    public TextIndexSettings {
        if (maxTexts < 1 || retentionMs < 0 || neighborsK < 1 || !(neighborsMinScore >= -1f && neighborsMinScore <= 1f)) {
            throw new IllegalArgumentException("text index needs max texts >= 1, retention >= 0, k >= 1 and a min "
                    + "score in [-1, 1], got " + maxTexts + ", " + retentionMs + ", " + neighborsK + ", "
                    + neighborsMinScore);
        }
        if (search == null) {
            throw new IllegalArgumentException("text index needs a search mode");
        }
    }

    /** Settings searched in the default mode. */
    public TextIndexSettings(int maxTexts, long retentionMs, boolean neighbors, float neighborsMinScore,
                             int neighborsK) {
        this(maxTexts, retentionMs, neighbors, neighborsMinScore, neighborsK, DEFAULT_SEARCH);
    }

    public static TextIndexSettings defaults() {
        return new TextIndexSettings(DEFAULT_MAX_TEXTS, DEFAULT_RETENTION_MS, DEFAULT_NEIGHBORS,
                (float) DEFAULT_NEIGHBORS_MIN_SCORE, DEFAULT_NEIGHBORS_K);
    }

    public TextIndexSettings withNeighbors(boolean on) {
        return new TextIndexSettings(maxTexts, retentionMs, on, neighborsMinScore, neighborsK, search);
    }

    public TextIndexSettings withSearch(SearchMode mode) {
        return new TextIndexSettings(maxTexts, retentionMs, neighbors, neighborsMinScore, neighborsK, mode);
    }

    /**
     * The heap the text index of one task may take at its bound, texts aside: {@code maxTexts} vectors of
     * {@code dim} values as the search mode keeps them (4 bytes a value exact; 1 byte and a scale int8), with the
     * event time and ~64 bytes of bookkeeping each.
     */
    public long heapBytesPerTask(int dim) {
        long perText = (search == SearchMode.EXACT ? 4L * dim : dim + 4L) + Long.BYTES + 64;
        return maxTexts * perText;
    }

    /**
     * A warning when the text indexes of {@code partitions} tasks at their bound would take more than half of
     * {@code maxHeapBytes}; empty when they fit. The index grows to its bound as texts arrive, so a heap too small
     * for it fails hours into a run (the stream thread runs out of memory and is replaced, over and over).
     */
    public java.util.Optional<String> heapWarning(int partitions, int dim, long maxHeapBytes) {
        long need = partitions * heapBytesPerTask(dim);
        if (partitions < 1 || need <= maxHeapBytes / 2) {
            return java.util.Optional.empty();
        }
        long int8 = withSearch(SearchMode.INT8).heapBytesPerTask(dim) * partitions;
        return java.util.Optional.of(String.format(java.util.Locale.ROOT, "the text index may grow to %d MB of heap "
                + "(%d text-events partitions x text.index.max.texts=%d x %d-dimensional vectors, the texts besides), "
                + "more than half of the %d MB this JVM may use: it would run out of memory once the index fills. "
                + "Lower text.index.max.texts, set text.index.search=int8 (%d MB), or raise -Xmx",
                need >> 20, partitions, maxTexts, dim, maxHeapBytes >> 20, int8 >> 20));
    }

    /** The text as the index keeps it: its first {@value #MAX_TEXT_CHARS} characters (a split surrogate pair dropped). */
    public static String clipped(String text) {
        if (text.length() <= MAX_TEXT_CHARS) {
            return text;
        }
        int end = MAX_TEXT_CHARS;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }
}
