package io.streamvec.song2vec.model;

/**
 * Immutable trainer configuration. The {@code DEFAULT_*} constants are the one source of the song path's
 * trainer defaults (the {@code song2vec.*} keys of the configuration read them); they are the measured
 * streaming defaults, see docs/design/song2vec.md ("Defaults and why").
 */
public final class SgnsConfig {

    public enum Mode { SKIP_GRAM, CBOW }

    public enum SamplerKind { ALIAS, RESERVOIR }

    public static final Mode DEFAULT_MODE = Mode.CBOW;
    public static final int DEFAULT_DIM = 32;
    public static final int DEFAULT_WINDOW = 10;
    public static final int DEFAULT_NEGATIVE = 5;
    /** A double so that the configuration shows 0.005; the trainer uses it as a float. */
    public static final double DEFAULT_ALPHA = 0.005;
    /** A double so that the configuration shows 0.0001; the trainer uses it as a float. */
    public static final double DEFAULT_MIN_ALPHA = 0.0001;
    /** 0: a constant learning rate. */
    public static final double DEFAULT_ALPHA_DECAY_TOKENS = 0.0;
    public static final double DEFAULT_SAMPLE = 1e-3;
    public static final long DEFAULT_SAMPLE_WARMUP_TOKENS = 100_000;
    public static final int DEFAULT_MIN_COUNT = 1;
    public static final long DEFAULT_SEED = 1;
    public static final int DEFAULT_CAPACITY = 1 << 17;
    public static final SamplerKind DEFAULT_SAMPLER = SamplerKind.ALIAS;
    public static final int DEFAULT_RESERVOIR_SIZE = 1 << 22;

    public final Mode mode;
    public final int dim;
    public final int window;
    public final int negative;
    /** Initial learning rate. */
    public final float alpha;
    /** Floor of the learning rate. */
    public final float minAlpha;
    /** alpha_t = max(minAlpha, alpha / (1 + t / alphaDecayTokens)), t = tokens seen; <= 0 means constant. */
    public final double alphaDecayTokens;
    /** gensim's sample (frequent-song downsampling threshold); 0 disables. */
    public final double sample;
    /** Downsampling is off until this many tokens were counted (running counts are meaningless early). */
    public final long sampleWarmupTokens;
    /** A song takes part in training once its running count reaches minCount (gensim min_count). */
    public final int minCount;
    /** gensim's reduced window: effective window = window - b, b uniform in [0, window). */
    public final boolean reducedWindow;
    /** Use exact sigmoid instead of the table (tests only). */
    public final boolean exactSigmoid;
    public final long seed;
    public final int capacity;
    public final SamplerKind sampler;
    public final int reservoirSize;

    private SgnsConfig(Builder b) {
        this.mode = b.mode;
        this.dim = b.dim;
        this.window = b.window;
        this.negative = b.negative;
        this.alpha = b.alpha;
        this.minAlpha = b.minAlpha;
        this.alphaDecayTokens = b.alphaDecayTokens;
        this.sample = b.sample;
        this.sampleWarmupTokens = b.sampleWarmupTokens;
        this.minCount = b.minCount;
        this.reducedWindow = b.reducedWindow;
        this.exactSigmoid = b.exactSigmoid;
        this.seed = b.seed;
        this.capacity = b.capacity;
        this.sampler = b.sampler;
        this.reservoirSize = b.reservoirSize;
        if (dim <= 0 || window <= 0 || negative < 0 || capacity <= 0) {
            throw new IllegalArgumentException("bad config " + this);
        }
        if ((long) capacity * dim > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("song2vec.capacity x song2vec.dim = " + capacity + " x " + dim
                    + " exceeds the largest Java array (" + (Integer.MAX_VALUE - 8) + " floats)");
        }
    }

    public static Builder builder() { return new Builder(); }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.mode = mode; b.dim = dim; b.window = window; b.negative = negative; b.alpha = alpha;
        b.minAlpha = minAlpha; b.alphaDecayTokens = alphaDecayTokens; b.sample = sample;
        b.sampleWarmupTokens = sampleWarmupTokens; b.minCount = minCount; b.reducedWindow = reducedWindow;
        b.exactSigmoid = exactSigmoid; b.seed = seed; b.capacity = capacity; b.sampler = sampler;
        b.reservoirSize = reservoirSize;
        return b;
    }

    /** Learning rate after {@code tokens} tokens. */
    public float alphaAt(long tokens) {
        if (alphaDecayTokens <= 0) return alpha;
        return (float) Math.max(minAlpha, alpha / (1.0 + tokens / alphaDecayTokens));
    }

    /** Equal when every setting is. */
    @Override
    public boolean equals(Object o) {
        return o instanceof SgnsConfig c && mode == c.mode && dim == c.dim && window == c.window
                && negative == c.negative && Float.compare(alpha, c.alpha) == 0
                && Float.compare(minAlpha, c.minAlpha) == 0 && Double.compare(alphaDecayTokens, c.alphaDecayTokens) == 0
                && Double.compare(sample, c.sample) == 0 && sampleWarmupTokens == c.sampleWarmupTokens
                && minCount == c.minCount && reducedWindow == c.reducedWindow && exactSigmoid == c.exactSigmoid
                && seed == c.seed && capacity == c.capacity && sampler == c.sampler && reservoirSize == c.reservoirSize;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(mode, dim, window, negative, alpha, minAlpha, alphaDecayTokens, sample,
                sampleWarmupTokens, minCount, reducedWindow, exactSigmoid, seed, capacity, sampler, reservoirSize);
    }

    @Override
    public String toString() {
        return (mode == Mode.SKIP_GRAM ? "sg" : "cbow") + " dim=" + dim + " win=" + window + " neg=" + negative
                + " alpha=" + alpha + " decay=" + (long) alphaDecayTokens + " minAlpha=" + minAlpha
                + " sample=" + sample + " minCount=" + minCount + " sampler=" + sampler;
    }

    public static final class Builder {
        private Mode mode = DEFAULT_MODE;
        private int dim = DEFAULT_DIM;
        private int window = DEFAULT_WINDOW;
        private int negative = DEFAULT_NEGATIVE;
        private float alpha = (float) DEFAULT_ALPHA;
        private float minAlpha = (float) DEFAULT_MIN_ALPHA;
        private double alphaDecayTokens = DEFAULT_ALPHA_DECAY_TOKENS;
        private double sample = DEFAULT_SAMPLE;
        private long sampleWarmupTokens = DEFAULT_SAMPLE_WARMUP_TOKENS;
        private int minCount = DEFAULT_MIN_COUNT;
        private boolean reducedWindow = true;
        private boolean exactSigmoid = false;
        private long seed = DEFAULT_SEED;
        private int capacity = DEFAULT_CAPACITY;
        private SamplerKind sampler = DEFAULT_SAMPLER;
        private int reservoirSize = DEFAULT_RESERVOIR_SIZE;

        public Builder mode(Mode v) { mode = v; return this; }
        public Builder dim(int v) { dim = v; return this; }
        public Builder window(int v) { window = v; return this; }
        public Builder negative(int v) { negative = v; return this; }
        public Builder alpha(float v) { alpha = v; return this; }
        public Builder minAlpha(float v) { minAlpha = v; return this; }
        public Builder alphaDecayTokens(double v) { alphaDecayTokens = v; return this; }
        public Builder sample(double v) { sample = v; return this; }
        public Builder sampleWarmupTokens(long v) { sampleWarmupTokens = v; return this; }
        public Builder minCount(int v) { minCount = v; return this; }
        public Builder reducedWindow(boolean v) { reducedWindow = v; return this; }
        public Builder exactSigmoid(boolean v) { exactSigmoid = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder capacity(int v) { capacity = v; return this; }
        public Builder sampler(SamplerKind v) { sampler = v; return this; }
        public Builder reservoirSize(int v) { reservoirSize = v; return this; }
        public SgnsConfig build() { return new SgnsConfig(this); }
    }
}
