package io.streamvec.song2vec.model;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Walker alias table over the current vocabulary, rebuilt from the running counts whenever the token count
 * has grown by {@code rebuildFraction} (at least {@code minRebuildTokens}) since the last build. A draw is
 * one read of a packed long (probability bits + alias) in a table of vocabulary size (75k songs = 600 KB,
 * mostly cache resident), instead of a random miss into a 10M-entry unigram table. Songs admitted since the
 * last build are simply not drawn as negatives until the next build, which is harmless because their
 * count^0.75 mass is tiny. Rebuild is O(V) and publishes a new immutable table through a volatile field,
 * so concurrent (Hogwild) trainers can keep sampling while one thread rebuilds.
 */
public final class AliasUnigramSampler implements UnigramSampler {
    private final Vocabulary vocab;
    private final double rebuildFraction;
    private final long minRebuildTokens;
    private final AtomicBoolean building = new AtomicBoolean();
    private volatile long[] table; // hi 32 bits: acceptance threshold (unsigned int), lo 32 bits: alias
    private volatile long builtAt = Long.MIN_VALUE / 2;
    private volatile int builtSize;
    private long rebuilds;

    public AliasUnigramSampler(Vocabulary vocab) {
        this(vocab, 0.05, 20_000);
    }

    public AliasUnigramSampler(Vocabulary vocab, double rebuildFraction, long minRebuildTokens) {
        this.vocab = vocab;
        this.rebuildFraction = rebuildFraction;
        this.minRebuildTokens = minRebuildTokens;
    }

    @Override public void onIncrement(int idx, long newCount) { }

    @Override public void onEvict(int idx) { }

    @Override
    public void maintain(long totalTokens) {
        boolean due = builtSize == 0
                ? vocab.size() > 0
                : totalTokens - builtAt >= Math.max(minRebuildTokens, (long) (rebuildFraction * totalTokens));
        if (!due) return;
        if (!building.compareAndSet(false, true)) return;
        try {
            rebuild();
            builtAt = totalTokens;
        } finally {
            building.set(false);
        }
    }

    /** Rebuilds the alias table from the current counts (Vose's method). */
    public void rebuild() {
        int n = vocab.size();
        long[] counts = vocab.countsArray();
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double w = counts[i] > 0 ? pow(counts[i]) : 0.0;
            p[i] = w;
            sum += w;
        }
        if (sum <= 0) return;
        int[] small = new int[n];
        int[] large = new int[n];
        int ns = 0, nl = 0;
        for (int i = 0; i < n; i++) {
            p[i] = p[i] * n / sum;
            if (p[i] < 1.0) small[ns++] = i; else large[nl++] = i;
        }
        long[] t = new long[n];
        while (ns > 0 && nl > 0) {
            int s = small[--ns];
            int l = large[--nl];
            t[s] = (threshold(p[s]) << 32) | (l & 0xFFFFFFFFL);
            p[l] = (p[l] + p[s]) - 1.0;
            if (p[l] < 1.0) small[ns++] = l; else large[nl++] = l;
        }
        while (nl > 0) { int l = large[--nl]; t[l] = (0xFFFFFFFFL << 32) | l; }
        while (ns > 0) { int s = small[--ns]; t[s] = (0xFFFFFFFFL << 32) | s; }
        table = t;
        builtSize = n;
        rebuilds++;
    }

    private static final int POW_CACHE = 1 << 16;
    private static final double[] POW = new double[POW_CACHE];
    static {
        for (int i = 0; i < POW_CACHE; i++) POW[i] = Math.pow(i, POWER);
    }

    private static double pow(long c) {
        return c < POW_CACHE ? POW[(int) c] : Math.pow(c, POWER);
    }

    private static long threshold(double prob) {
        double v = prob * 4294967296.0;
        return v >= 4294967295.0 ? 0xFFFFFFFFL : (long) v;
    }

    @Override
    public int sample(long random) {
        long[] t = table;
        if (t == null) return -1;
        int bucket = Rng.below(random, t.length);
        long e = t[bucket];
        // low 32 random bits vs. threshold: accept the bucket itself, else its alias
        return (random & 0xFFFFFFFFL) < (e >>> 32) ? bucket : (int) e;
    }

    public long rebuilds() { return rebuilds; }

    @Override public String describe() { return "alias(rebuild " + rebuildFraction + ")"; }
}
