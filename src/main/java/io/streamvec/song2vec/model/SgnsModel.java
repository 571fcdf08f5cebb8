package io.streamvec.song2vec.model;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Shared model state: vocabulary, negative sampler and the two dense row-major matrices
 * {@code syn0} (input/song vectors) and {@code syn1neg} (output vectors), each capacity x dim.
 * Several {@link SgnsTrainer}s (one per thread) may train one model concurrently, Hogwild style.
 */
public final class SgnsModel {
    public final SgnsConfig config;
    public final Vocabulary vocab;
    public final UnigramSampler sampler;
    public final float[] syn0;
    public final float[] syn1neg;
    public final AtomicLong tokens = new AtomicLong();
    /** (centre, context) pairs trained, all trainers together, as of their last sync. */
    final AtomicLong pairs = new AtomicLong();

    public SgnsModel(SgnsConfig config) {
        this(config, new Vocabulary(config.capacity));
    }

    public SgnsModel(SgnsConfig config, Vocabulary vocab) {
        this(config, vocab, null);
    }

    /** With an explicit sampler (null = the one named by the config). */
    public SgnsModel(SgnsConfig config, Vocabulary vocab, UnigramSampler sampler) {
        if (vocab.capacity() != config.capacity) throw new IllegalArgumentException("capacity mismatch");
        this.config = config;
        this.vocab = vocab;
        this.syn0 = new float[config.capacity * config.dim];
        this.syn1neg = new float[config.capacity * config.dim];
        this.sampler = sampler != null ? sampler : config.sampler == SgnsConfig.SamplerKind.ALIAS
                ? new AliasUnigramSampler(vocab)
                : new ReservoirUnigramSampler(config.reservoirSize, config.seed ^ 0x5DEECE66DL);
        vocab.setEvictionListener((idx, oldId, newId) -> this.sampler.onEvict(idx));
    }

    /** Tokens (song occurrences) counted so far, all trainers together (approximate while training). */
    public long tokens() { return tokens.get(); }

    /** (centre, context) pairs trained so far (approximate while training: trainers publish at sync). */
    public long pairs() { return pairs.get(); }

    /** Current learning rate. */
    public float alpha() { return config.alphaAt(tokens.get()); }

    /**
     * Maps a song id to its row, admitting it if new (initialising its rows deterministically from the id,
     * so replicas agree). Returns -1 if refused by the vocabulary policy.
     */
    public int admit(String songId) {
        int idx = vocab.admit(songId);
        if (idx >= 0 && vocab.count(idx) == 0) initRow(idx, songId);
        return idx;
    }

    /** gensim 4's init: syn0 uniform in [-1/dim, 1/dim), syn1neg zero. */
    void initRow(int idx, String songId) {
        initialRow(config, songId, syn0, syn1neg, idx * config.dim);
    }

    /** Writes a song's initial input and output vectors at {@code offset}: a function of the seed and the id only. */
    public static void initialRow(SgnsConfig config, String songId, float[] in, float[] out, int offset) {
        int dim = config.dim;
        long h = Rng.hash(config.seed, songId.hashCode());
        for (int i = 0; i < dim; i++) {
            h = Rng.splitmix(h);
            in[offset + i] = (float) ((2 * Rng.unit(h) - 1) / dim);
            out[offset + i] = 0f;
        }
    }

    /** Sets the token counter, as read from the durable model store after a restart. */
    public void restoreTokens(long tokens) {
        this.tokens.set(tokens);
    }

    /** Rebuilds the negative sampler from the current counts (after a restore). */
    public void rebuildSampler() {
        if (sampler instanceof AliasUnigramSampler alias) {
            alias.rebuild();
        } else {
            for (int row = 0; row < vocab.size(); row++) {
                sampler.onRestore(row, vocab.count(row));
            }
        }
    }

    /**
     * Starts this new, empty model from given input vectors (a warm start): row i becomes song {@code ids.get(i)}
     * with count {@code counts[i]} and input vector {@code vectors[i*dim, (i+1)*dim)}; output vectors start at
     * zero (a word2vec file has none) and the token count at the counts' sum, as if the songs had been seen that
     * often. Training then continues from there.
     */
    public void warmStart(java.util.List<String> ids, long[] counts, float[] vectors) {
        int dim = config.dim;
        if (vocab.size() != 0) {
            throw new IllegalStateException("a warm start needs an empty model; this one has " + vocab.size() + " songs");
        }
        if (counts.length != ids.size() || vectors.length != ids.size() * dim) {
            throw new IllegalArgumentException(ids.size() + " songs, " + counts.length + " counts and "
                    + vectors.length + " values of dimension " + dim);
        }
        if (ids.size() > config.capacity) {
            throw new IllegalArgumentException(ids.size() + " songs do not fit song2vec.capacity " + config.capacity);
        }
        long total = 0;
        for (int row = 0; row < ids.size(); row++) {
            if (counts[row] < 1) {
                throw new IllegalArgumentException("song " + ids.get(row) + " has count " + counts[row] + " (at least 1)");
            }
            vocab.restore(row, ids.get(row), counts[row]);
            System.arraycopy(vectors, row * dim, syn0, row * dim, dim);
            total += counts[row];
        }
        tokens.set(total);
        rebuildSampler();
    }

    /** Copy of row {@code idx} of syn0. */
    public float[] vector(int idx) {
        float[] v = new float[config.dim];
        System.arraycopy(syn0, idx * config.dim, v, 0, config.dim);
        return v;
    }
}
