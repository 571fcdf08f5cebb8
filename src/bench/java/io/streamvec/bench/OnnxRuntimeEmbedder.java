package io.streamvec.bench;

import io.streamvec.text.model.BundledModel;
import io.streamvec.text.model.PaddedBatchEmbedder;
import io.streamvec.text.model.Pooling;
import io.streamvec.text.model.TextTokenizer;
import io.streamvec.text.model.TokenBatch;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Map;

/**
 * The anchor: the bundled all-MiniLM-L6-v2 ONNX graph on ONNX Runtime (CPU, all graph optimisations,
 * {@code intraOpThreads} threads), with the same tokenization, batching and pooling as streamvec's
 * own path, and its last hidden state per token. Used by {@code bench embed} and the exactness tests, never by
 * the pipeline.
 */
public final class OnnxRuntimeEmbedder extends PaddedBatchEmbedder {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final TextTokenizer tokenizer;
    private final int dim;
    private final Pooling pooling;

    public OnnxRuntimeEmbedder(int maxLength, int intraOpThreads, int subBatch) {
        this(maxLength, intraOpThreads, subBatch, Pooling.MEAN_NORMALIZED);
    }

    /** @param pooling applied to the graph's last hidden state, as streamvec's encoder applies it */
    public OnnxRuntimeEmbedder(int maxLength, int intraOpThreads, int subBatch, Pooling pooling) {
        super(subBatch);
        this.pooling = pooling;
        this.env = OrtEnvironment.getEnvironment();
        this.tokenizer = TextTokenizer.bundled(maxLength);
        this.dim = 384;
        try (InputStream in = BundledModel.open(BundledModel.ONNX_RESOURCE);
             OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            this.session = env.createSession(in.readAllBytes(), options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot create the ONNX Runtime session", e);
        }
    }

    @Override
    protected float[][] embedBatch(TokenBatch batch) {
        return pooling.pool(lastHiddenState(batch), batch.batch(), batch.seq(), dim, batch.attentionMask());
    }

    /** The graph's {@code last_hidden_state} for one padded batch, {@code [batch, seq, dim]} row-major. */
    private float[] lastHiddenState(TokenBatch batch) {
        long[] shape = {batch.batch(), batch.seq()};
        try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(batch.inputIds()), shape);
             OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(batch.attentionMask()), shape);
             OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[batch.inputIds().length]), shape);
             OrtSession.Result result = session.run(
                     Map.of("input_ids", ids, "attention_mask", mask, "token_type_ids", types))) {
            FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] flat = new float[hidden.remaining()];
            hidden.get(flat);
            return flat;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime inference failed", e);
        }
    }

    /**
     * Each sequence's last hidden state, one text per run (no padding): {@code [tokens, dim]} row-major per
     * sequence, in order.
     */
    public float[][] tokenStates(java.util.List<long[]> tokenIds) {
        float[][] out = new float[tokenIds.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = lastHiddenState(TokenBatch.pad(java.util.List.of(tokenIds.get(i))));
        }
        return out;
    }

    @Override
    public String modelName() {
        return BundledModel.NAME + " (ONNX Runtime)";
    }

    @Override
    public int dimension() {
        return dim;
    }

    @Override
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
        tokenizer.close();
    }
}
