package io.streamvec.text.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/**
 * How a sentence vector comes out of the encoder's last hidden states, as sentence-transformers' {@code Pooling}
 * and {@code Normalize} modules do it: the attention-masked mean over the text's tokens, the first token
 * ({@code [CLS]}), or the masked maximum of each dimension; then, if {@code normalize}, L2 normalisation.
 */
public record Pooling(Mode mode, boolean normalize) {

    /** The pooling of the bundled all-MiniLM-L6-v2 and streamvec's default: masked mean, L2-normalised. */
    public static final Pooling MEAN_NORMALIZED = new Pooling(Mode.MEAN, true);

    /** Added to masked positions before the maximum, as sentence-transformers does. */
    private static final float MAX_MASK_BIAS = -1e9f;

    public enum Mode {
        MEAN, CLS, MAX;

        /** {@code mean}, {@code cls} or {@code max}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code mean}, {@code cls} or {@code max} (any case). */
        public static Mode of(String key) {
            for (Mode mode : values()) {
                if (mode.key().equalsIgnoreCase(key.strip())) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("pooling must be mean, cls or max, not '" + key + "'");
        }
    }

    public Pooling {
        if (mode == null) {
            throw new IllegalArgumentException("pooling mode is required");
        }
    }

    /** For logs and messages: {@code mean, normalized} or {@code cls, not normalized}. */
    @Override
    public String toString() {
        return mode.key() + (normalize ? ", normalized" : ", not normalized");
    }

    /**
     * @param hidden float32 {@code [batch, seq, hidden]}; a padded position may hold anything
     * @param attentionMask int64 {@code [batch, seq]}, 1 for tokens; each text's first token is at position 0
     * @return float32 {@code [batch, hidden]}
     */
    public NDArray pool(NDArray hidden, NDArray attentionMask) {
        NDArray pooled = switch (mode) {
            case CLS -> hidden.get(":, 0, :");
            case MEAN -> {
                NDArray mask = attentionMask.toType(DataType.FLOAT32, false).expandDims(-1); // [B, T, 1]
                NDArray sum = hidden.mul(mask).sum(new int[] {1}); // [B, H]
                NDArray count = mask.sum(new int[] {1}).maximum(1e-9f); // [B, 1]
                yield sum.div(count);
            }
            case MAX -> {
                NDArray bias = attentionMask.toType(DataType.FLOAT32, false).neg().add(1f).mul(MAX_MASK_BIAS)
                        .expandDims(-1); // 0 for tokens, -1e9 for padding
                yield hidden.add(bias).max(new int[] {1});
            }
        };
        return normalize ? pooled.normalize(2, 1, 1e-12) : pooled; // torch.nn.functional.normalize
    }

    /** The same computation on plain arrays (the ONNX Runtime anchor's output, per-token vectors). */
    public float[][] pool(float[] hidden, int batch, int seq, int dim, long[] attentionMask) {
        float[][] out = new float[batch][dim];
        for (int b = 0; b < batch; b++) {
            float[] acc = out[b];
            switch (mode) {
                case CLS -> System.arraycopy(hidden, b * seq * dim, acc, 0, dim);
                case MEAN -> {
                    int tokens = 0;
                    for (int t = 0; t < seq; t++) {
                        if (attentionMask[b * seq + t] == 0) {
                            continue;
                        }
                        tokens++;
                        int base = (b * seq + t) * dim;
                        for (int d = 0; d < dim; d++) {
                            acc[d] += hidden[base + d];
                        }
                    }
                    float inv = 1f / Math.max(tokens, 1e-9f);
                    for (int d = 0; d < dim; d++) {
                        acc[d] *= inv;
                    }
                }
                case MAX -> {
                    java.util.Arrays.fill(acc, Float.NEGATIVE_INFINITY);
                    for (int t = 0; t < seq; t++) {
                        int base = (b * seq + t) * dim;
                        float bias = attentionMask[b * seq + t] == 0 ? MAX_MASK_BIAS : 0f;
                        for (int d = 0; d < dim; d++) {
                            acc[d] = Math.max(acc[d], hidden[base + d] + bias);
                        }
                    }
                }
            }
            if (normalize) {
                normalizeInPlace(acc);
            }
        }
        return out;
    }

    /** L2 normalisation with torch's epsilon (a zero vector stays zero). */
    public static void normalizeInPlace(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        float scale = (float) (1.0 / Math.max(Math.sqrt(norm), 1e-12));
        for (int d = 0; d < v.length; d++) {
            v[d] *= scale;
        }
    }
}
