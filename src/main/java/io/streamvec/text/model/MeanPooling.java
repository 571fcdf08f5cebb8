package io.streamvec.text.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** sentence-transformers pooling: attention-masked mean over tokens, then L2 normalisation. */
public final class MeanPooling {

    private MeanPooling() {}

    /**
     * @param hidden float32 {@code [batch, seq, hidden]}
     * @param attentionMask int64 {@code [batch, seq]}
     * @return float32 {@code [batch, hidden]}, unit length rows
     */
    public static NDArray meanPoolNormalize(NDArray hidden, NDArray attentionMask) {
        NDArray mask = attentionMask.toType(DataType.FLOAT32, false).expandDims(-1); // [B, T, 1]
        NDArray sum = hidden.mul(mask).sum(new int[] {1}); // [B, H]
        NDArray count = mask.sum(new int[] {1}).maximum(1e-9f); // [B, 1]
        return sum.div(count).normalize(2, 1, 1e-12); // torch.nn.functional.normalize
    }

    /** Same computation on plain arrays (used for the ONNX Runtime output). */
    public static float[][] meanPoolNormalize(float[] hidden, int batch, int seq, int dim, long[] attentionMask) {
        float[][] out = new float[batch][dim];
        for (int b = 0; b < batch; b++) {
            float[] acc = out[b];
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
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                acc[d] *= inv;
                norm += (double) acc[d] * acc[d];
            }
            float scale = (float) (1.0 / Math.max(Math.sqrt(norm), 1e-12));
            for (int d = 0; d < dim; d++) {
                acc[d] *= scale;
            }
        }
        return out;
    }
}
