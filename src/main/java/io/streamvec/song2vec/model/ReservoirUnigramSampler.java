package io.streamvec.song2vec.model;

/**
 * Incrementally maintained unigram table (Kaji &amp; Kobayashi 2017, "Incremental Skip-gram Model with
 * Negative Sampling", Algorithm 2). For every occurrence of w with new count f, the table gains
 * F = f^a - (f-1)^a units of mass: while the table is not full, F copies of w are appended (randomised
 * rounding); afterwards, round(tau*F/z) random cells are overwritten with w, where z is the total mass.
 * Sampling is one uniform read. Trade-offs: O(1) but each draw is a cache miss into a tau-sized int table,
 * updates write random cells, and evicted songs keep stale cells until overwritten.
 */
public final class ReservoirUnigramSampler implements UnigramSampler {
    private static final int POW_CACHE = 1 << 16;
    private static final double[] POW = new double[POW_CACHE];
    static {
        for (int i = 0; i < POW_CACHE; i++) POW[i] = Math.pow(i, POWER);
    }

    private final int[] table;
    private volatile int filled;
    private double z;
    private long rng;

    public ReservoirUnigramSampler(int tableSize, long seed) {
        this.table = new int[tableSize];
        this.rng = seed;
    }

    private static double pow(long c) {
        return c < POW_CACHE ? POW[(int) c] : Math.pow(c, POWER);
    }

    @Override
    public void onIncrement(int idx, long newCount) {
        addMass(idx, pow(newCount) - pow(newCount - 1));
    }

    /** All of a restored count's mass in one step: as many table cells as its increments would bring, in expectation. */
    @Override
    public void onRestore(int idx, long count) {
        addMass(idx, pow(count));
    }

    private void addMass(int idx, double f) {
        z += f;
        int tau = table.length;
        if (filled < tau) {
            int copies = randomRound(f);
            int n = filled;
            for (int k = 0; k < copies && n < tau; k++) table[n++] = idx;
            filled = n;
        } else {
            int copies = randomRound(tau * f / z);
            for (int k = 0; k < copies; k++) {
                rng = Rng.splitmix(rng);
                table[Rng.below(rng, tau)] = idx;
            }
        }
    }

    private int randomRound(double x) {
        int base = (int) x;
        rng = Rng.splitmix(rng);
        return base + (Rng.unit(rng) < x - base ? 1 : 0);
    }

    @Override public void onEvict(int idx) { }

    @Override
    public int sample(long random) {
        int n = filled;
        return n == 0 ? -1 : table[Rng.below(random, n)];
    }

    @Override public String describe() { return "reservoir(" + table.length + ")"; }
}
