package io.streamvec.text.model.weights;

/** Shape hyper-parameters of a BERT encoder. */
public record BertConfig(
        int hiddenSize, int numHeads, int numLayers, int intermediateSize, int maxPositions, float layerNormEps) {

    /** sentence-transformers/all-MiniLM-L6-v2. */
    public static final BertConfig MINILM_L6 = new BertConfig(384, 12, 6, 1536, 512, 1e-12f);

    public BertConfig {
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("hidden size " + hiddenSize + " not divisible by " + numHeads);
        }
    }

    public int headSize() {
        return hiddenSize / numHeads;
    }
}
