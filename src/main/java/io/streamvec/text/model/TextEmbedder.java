package io.streamvec.text.model;

import java.util.List;

/**
 * A sentence-embedding model: its tokenizer, and a forward pass over one batch of token id sequences
 * (each with its special tokens) to pooled vectors (unit length unless the model's pooling says otherwise). One
 * instance per JVM, shared read-only by every stream thread; {@link #embed} is thread-safe.
 */
public interface TextEmbedder extends AutoCloseable {

    String modelName();

    int dimension();

    /** The model's own tokenizer: token ids given to {@link #embed} must come from it. */
    TextTokenizer tokenizer();

    /** One pooled vector per sequence, in order (L2-normalised unless the pooling says otherwise). */
    float[][] embed(List<long[]> tokenIds);

    /**
     * The sentence vectors, as {@link #embed}, and each token's vector (the last hidden states that were pooled)
     * from the same forward pass.
     *
     * @throws UnsupportedOperationException if the model gives no per-token vectors (the default)
     */
    default EmbeddedText[] embedWithTokens(List<long[]> tokenIds) {
        throw new UnsupportedOperationException(modelName() + " gives no per-token vectors");
    }

    /**
     * Called once on each worker thread before its first {@link #embed} (see {@link EmbeddingWorkers}): that
     * thread's intra-op parallelism, 0 leaving the engine's choice. Default: nothing to set.
     */
    default void configureWorkerThread(int intraOpThreads) {}

    /** Tokenizes and embeds texts as one batch. */
    default float[][] embedTexts(List<String> texts) {
        return embed(tokenizer().tokenizeAll(texts).stream().map(Tokens::ids).toList());
    }

    @Override
    void close();
}
