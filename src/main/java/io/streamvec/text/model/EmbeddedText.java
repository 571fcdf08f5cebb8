package io.streamvec.text.model;

/**
 * One text through the model: its sentence vector and its tokens' vectors, the encoder's last hidden states
 * before pooling (contextual token embeddings), both from the same forward pass.
 *
 * @param vector       the pooled sentence vector
 * @param tokenVectors one vector per token, {@code [tokens, dimension]} row-major, special tokens included and in
 *                     the order of the token ids; with mean pooling their mean is {@code vector} before
 *                     normalisation
 */
public record EmbeddedText(float[] vector, float[] tokenVectors) {

    public int dimension() {
        return vector.length;
    }

    public int tokenCount() {
        return vector.length == 0 ? 0 : tokenVectors.length / vector.length;
    }

    /** Token {@code i}'s vector (a copy). */
    public float[] tokenVector(int i) {
        return java.util.Arrays.copyOfRange(tokenVectors, i * vector.length, (i + 1) * vector.length);
    }
}
