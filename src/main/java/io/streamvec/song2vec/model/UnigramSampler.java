package io.streamvec.song2vec.model;

/**
 * Negative sampler drawing row indices with probability proportional to count^0.75, kept up to date
 * while counts change. Implementations: {@link AliasUnigramSampler} (periodically rebuilt alias table
 * over the vocabulary, default) and {@link ReservoirUnigramSampler} (Kaji &amp; Kobayashi 2017
 * incrementally maintained unigram table).
 */
public interface UnigramSampler {
    double POWER = 0.75;

    /** Called once per occurrence, after the count of {@code idx} became {@code newCount}. */
    void onIncrement(int idx, long newCount);

    /**
     * Gives row {@code idx} the mass of {@code count} occurrences at once, as read back after a restart or from
     * a warm-start file. The default replays the increments one by one.
     */
    default void onRestore(int idx, long count) {
        for (long c = 1; c <= count; c++) {
            onIncrement(idx, c);
        }
    }

    /** Called when a row is recycled for a new song (its old mass must go). */
    void onEvict(int idx);

    /** Draws a row index from 64 random bits. Returns -1 if nothing can be sampled yet. */
    int sample(long random);

    /** Periodic maintenance hook (cheap when nothing to do); totalTokens = tokens seen so far. */
    default void maintain(long totalTokens) {}

    String describe();
}
