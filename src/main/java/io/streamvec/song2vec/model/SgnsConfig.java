package io.streamvec.song2vec.model;

/** Immutable trainer configuration. Defaults are the measured streaming defaults (see README.md). */
public final class SgnsConfig {

    public enum Mode { SKIP_GRAM, CBOW }

    public enum SamplerKind { ALIAS, RESERVOIR }

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

    @Override
    public String toString() {
        return (mode == Mode.SKIP_GRAM ? "sg" : "cbow") + " dim=" + dim + " win=" + window + " neg=" + negative
                + " alpha=" + alpha + " decay=" + (long) alphaDecayTokens + " minAlpha=" + minAlpha
                + " sample=" + sample + " minCount=" + minCount + " sampler=" + sampler;
    }

    public static final class Builder {
        private Mode mode = Mode.CBOW;
        private int dim = 32;
        private int window = 10;
        private int negative = 5;
        private float alpha = 0.005f;
        private float minAlpha = 0.0001f;
        private double alphaDecayTokens = 0;
        private double sample = 1e-3;
        private long sampleWarmupTokens = 100_000;
        private int minCount = 1;
        private boolean reducedWindow = true;
        private boolean exactSigmoid = false;
        private long seed = 1;
        private int capacity = 1 << 17;
        private SamplerKind sampler = SamplerKind.ALIAS;
        private int reservoirSize = 1 << 22;

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
