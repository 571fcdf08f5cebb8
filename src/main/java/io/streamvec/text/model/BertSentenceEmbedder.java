package io.streamvec.text.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import io.streamvec.text.model.weights.EmbeddingModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sentence embeddings from a BERT encoder written in DJL NDArray ops on the PyTorch engine, with
 * sentence-transformers' pooling (see {@link Pooling}: the model's own unless configured). One instance per JVM: the weights are
 * created once on the chosen device and shared read-only; every batch runs in its own NDManager, closed
 * when the batch is done, so nothing accumulates.
 */
public final class BertSentenceEmbedder implements TextEmbedder {

    private static final Logger LOG = LoggerFactory.getLogger(BertSentenceEmbedder.class);
    /** Texts per padded attention group, after sorting a flush by length (the dense layers see no padding). */
    public static final int ATTENTION_GROUP = 16;
    /** Tokens per forward pass at most: a larger flush is cut (between texts) into several. */
    public static final int MAX_TOKENS_PER_FORWARD = 8192;

    private final String modelName;
    private final TextTokenizer tokenizer;
    private final NDManager root;
    private final BertEncoder encoder;
    private final Device device;
    private final Pooling pooling;

    private BertSentenceEmbedder(String modelName, TextTokenizer tokenizer, NDManager root, BertEncoder encoder,
                                 Device device, Pooling pooling) {
        this.modelName = modelName;
        this.tokenizer = tokenizer;
        this.root = root;
        this.encoder = encoder;
        this.device = device;
        this.pooling = pooling;
    }

    /**
     * @param device    {@code auto} (CUDA when the PyTorch engine can use it, else the CPU), {@code cpu}, {@code gpu}
     * @param precision {@code auto} (fp16 on the GPU, fp32 on the CPU), {@code fp32}, {@code fp16}
     */
    public static BertSentenceEmbedder create(EmbeddingModel model, int maxLength, String device, String precision) {
        return create(model, maxLength, device, precision, true, model.pooling("auto", "auto"));
    }

    /**
     * @param nativeTuning {@code embedding.native.tuning}: apply {@link NativeTuning} before the engine's first use
     *                     (the JVM's first embedder decides)
     * @param pooling      how token states become a sentence vector (see {@link EmbeddingModel#pooling})
     */
    public static BertSentenceEmbedder create(EmbeddingModel model, int maxLength, String device, String precision,
                                              boolean nativeTuning, Pooling pooling) {
        Engine engine = NativeTuning.pytorch(nativeTuning);
        Device chosen = EmbeddingDevices.choose(engine, device);
        DataType dtype = switch (precision) {
            case "fp32" -> DataType.FLOAT32;
            case "fp16" -> DataType.FLOAT16;
            case "auto" -> chosen.isGpu() ? DataType.FLOAT16 : DataType.FLOAT32;
            default -> throw new IllegalArgumentException("embedding.precision must be auto, fp32 or fp16, not "
                    + precision + " (bf16 aborts DJL 0.36's PyTorch engine)");
        };
        NDManager root = engine.newBaseManager(chosen);
        try {
            BertEncoder encoder = new BertEncoder(root, model.weights(), model.config(), dtype);
            LOG.info("embedding model {} ({} layers, dim {}, pooling {}) on {} in {}", model.name(),
                    model.config().numLayers(), model.config().hiddenSize(), pooling, chosen,
                    dtype == DataType.FLOAT16 ? "fp16" : "fp32");
            return new BertSentenceEmbedder(model.name(), model.tokenizer(maxLength), root, encoder, chosen, pooling);
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    /** The bundled all-MiniLM-L6-v2 on the CPU in fp32. */
    public static BertSentenceEmbedder bundledOnCpu(int maxLength) {
        return create(EmbeddingModel.bundled(), maxLength, "cpu", "fp32");
    }

    /**
     * Sorts the texts by length, packs them (see {@link PackedBatch}) into forward passes of at most
     * {@link #MAX_TOKENS_PER_FORWARD} tokens, and returns the vectors in input order.
     */
    @Override
    public float[][] embed(List<long[]> tokenIds) {
        EmbeddedText[] embedded = run(tokenIds, false);
        float[][] out = new float[embedded.length][];
        for (int i = 0; i < out.length; i++) {
            out[i] = embedded[i].vector();
        }
        return out;
    }

    /** As {@link #embed}, with each token's last hidden state from the same forward pass. */
    @Override
    public EmbeddedText[] embedWithTokens(List<long[]> tokenIds) {
        return run(tokenIds, true);
    }

    private EmbeddedText[] run(List<long[]> tokenIds, boolean tokenStates) {
        EmbeddedText[] out = new EmbeddedText[tokenIds.size()];
        // A sequence without tokens (a tokenizer that adds no special tokens, given an empty text) has nothing to
        // pool: its vector is zero, as a fully masked row of a padded batch gave.
        List<Integer> order = new ArrayList<>(tokenIds.size());
        for (int i = 0; i < tokenIds.size(); i++) {
            if (tokenIds.get(i).length == 0) {
                out[i] = new EmbeddedText(new float[dimension()], tokenStates ? new float[0] : null);
            } else {
                order.add(i);
            }
        }
        order.sort(Comparator.comparingInt(i -> tokenIds.get(i).length));
        int start = 0;
        while (start < order.size()) {
            int end = start;
            int tokens = 0;
            List<long[]> chunk = new ArrayList<>();
            while (end < order.size() && (chunk.isEmpty()
                    || tokens + tokenIds.get(order.get(end)).length <= MAX_TOKENS_PER_FORWARD)) {
                long[] ids = tokenIds.get(order.get(end++));
                chunk.add(ids);
                tokens += ids.length;
            }
            EmbeddedText[] embedded = embedPacked(PackedBatch.pack(chunk, ATTENTION_GROUP), tokenStates);
            for (int i = start; i < end; i++) {
                out[order.get(i)] = embedded[i - start];
            }
            start = end;
        }
        return out;
    }

    private EmbeddedText[] embedPacked(PackedBatch batch, boolean tokenStates) {
        try (NDManager m = root.newSubManager()) {
            BertEncoder.Output output = encoder.encode(m, batch, pooling, tokenStates);
            float[] flat = output.sentences().toFloatArray();
            float[] states = tokenStates ? output.tokens().toFloatArray() : null;
            int dim = encoder.config().hiddenSize();
            int[] starts = batch.textStarts();
            EmbeddedText[] out = new EmbeddedText[batch.texts()];
            for (int t = 0; t < out.length; t++) {
                float[] vector = java.util.Arrays.copyOfRange(flat, t * dim, (t + 1) * dim);
                float[] tokens = states == null ? null
                        : java.util.Arrays.copyOfRange(states, starts[t] * dim, starts[t + 1] * dim);
                out[t] = new EmbeddedText(vector, tokens);
            }
            return out;
        }
    }

    @Override
    public String modelName() {
        return modelName;
    }

    @Override
    public int dimension() {
        return encoder.config().hiddenSize();
    }

    @Override
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * On the CPU, sets the calling thread's intra-op threads (libtorch keeps the OpenMP and MKL thread counts
     * per thread; threads that have not yet run an op start from the last value set). Nothing on a GPU.
     */
    @Override
    public void configureWorkerThread(int intraOpThreads) {
        if (intraOpThreads > 0 && !device.isGpu()) {
            JniUtils.setNumThreads(intraOpThreads);
        }
    }

    public Pooling pooling() {
        return pooling;
    }

    public Device device() {
        return device;
    }

    /** Arrays held by the root manager and its open sub-managers (the weights); flat between batches. */
    public int managedArrayCount() {
        return root.getManagedArrays().size();
    }

    @Override
    public void close() {
        encoder.close();
        root.close();
        tokenizer.close();
    }
}
