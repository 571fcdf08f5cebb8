package io.streamvec.text.model;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic stand-in for the neural model in processor tests that are about batching, state and
 * delivery rather than about vectors: each token id adds a fixed pseudo-random direction, then the sum
 * is normalised. Records every batch size it was asked for.
 */
public class HashingTestEmbedder implements TextEmbedder {

    public static final int DIMENSION = 8;
    public final List<Integer> batchSizes = new java.util.concurrent.CopyOnWriteArrayList<>();
    final AtomicInteger calls = new AtomicInteger();
    private final TextTokenizer tokenizer;

    public HashingTestEmbedder(TextTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    @Override
    public String modelName() {
        return "hashing-test";
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public float[][] embed(List<long[]> tokenIds) {
        calls.incrementAndGet();
        batchSizes.add(tokenIds.size());
        float[][] out = new float[tokenIds.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = vectorOf(tokenIds.get(i));
        }
        return out;
    }

    /**
     * Token vectors: each id's fixed pseudo-random direction, so that their mean, normalised, is
     * {@link #vectorOf} (as with mean pooling).
     */
    @Override
    public EmbeddedText[] embedWithTokens(List<long[]> tokenIds) {
        float[][] vectors = embed(tokenIds);
        EmbeddedText[] out = new EmbeddedText[vectors.length];
        for (int i = 0; i < out.length; i++) {
            long[] ids = tokenIds.get(i);
            float[] tokens = new float[ids.length * DIMENSION];
            for (int t = 0; t < ids.length; t++) {
                System.arraycopy(tokenVectorOf(ids[t]), 0, tokens, t * DIMENSION, DIMENSION);
            }
            out[i] = new EmbeddedText(vectors[i], tokens);
        }
        return out;
    }

    public static float[] tokenVectorOf(long id) {
        java.util.Random random = new java.util.Random(id);
        float[] v = new float[DIMENSION];
        for (int d = 0; d < DIMENSION; d++) {
            v[d] = (float) random.nextGaussian();
        }
        return v;
    }

    public static float[] vectorOf(long[] ids) {
        float[] v = new float[DIMENSION];
        for (long id : ids) {
            float[] token = tokenVectorOf(id);
            for (int d = 0; d < DIMENSION; d++) {
                v[d] += token[d];
            }
        }
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        for (int d = 0; d < DIMENSION; d++) {
            v[d] /= (float) Math.sqrt(norm);
        }
        return v;
    }

    @Override
    public void close() {}
}
