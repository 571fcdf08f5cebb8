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
