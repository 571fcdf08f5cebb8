package io.streamvec.text;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.streamvec.text.model.EmbeddingModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sentence embeddings from a BERT encoder written in DJL NDArray ops on the PyTorch engine, with
 * sentence-transformers' pooling (masked mean, L2 normalisation). One instance per JVM: the weights are
 * created once on the chosen device and shared read-only; every batch runs in its own NDManager, closed
 * when the batch is done, so nothing accumulates.
 */
public final class BertSentenceEmbedder extends PaddedBatchEmbedder {

    private static final Logger LOG = LoggerFactory.getLogger(BertSentenceEmbedder.class);
    /** Sentences per padded forward pass within a flush (after sorting the flush by length). */
    public static final int SUB_BATCH = 16;

    private final String modelName;
    private final TextTokenizer tokenizer;
    private final NDManager root;
    private final BertEncoder encoder;
    private final Device device;

    private BertSentenceEmbedder(String modelName, TextTokenizer tokenizer, NDManager root, BertEncoder encoder,
                                 Device device) {
        super(SUB_BATCH);
        this.modelName = modelName;
        this.tokenizer = tokenizer;
        this.root = root;
        this.encoder = encoder;
        this.device = device;
    }

    /**
     * @param device    {@code auto} (CUDA when the PyTorch engine can use it, else the CPU), {@code cpu}, {@code gpu}
     * @param precision {@code auto} (fp16 on the GPU, fp32 on the CPU), {@code fp32}, {@code fp16}
     */
    public static BertSentenceEmbedder create(EmbeddingModel model, int maxLength, String device, String precision) {
        return create(model, maxLength, device, precision, true);
    }

    /**
     * @param nativeTuning {@code embedding.native.tuning}: apply {@link NativeTuning} before the engine's first use
     *                     (the JVM's first embedder decides)
     */
    public static BertSentenceEmbedder create(EmbeddingModel model, int maxLength, String device, String precision,
                                              boolean nativeTuning) {
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
            BertEncoder encoder = new BertEncoder(root, model.weights(), model.config(), BertEncoder.Options.DEFAULT,
                    dtype);
            LOG.info("embedding model {} ({} layers, dim {}) on {} in {}", model.name(), model.config().numLayers(),
                    model.config().hiddenSize(), chosen, dtype == DataType.FLOAT16 ? "fp16" : "fp32");
            return new BertSentenceEmbedder(model.name(), model.tokenizer(maxLength), root, encoder, chosen);
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    /** The bundled all-MiniLM-L6-v2 on the CPU in fp32. */
    public static BertSentenceEmbedder bundledOnCpu(int maxLength) {
        return create(EmbeddingModel.bundled(), maxLength, "cpu", "fp32");
    }

    @Override
    protected float[][] embedBatch(TokenBatch batch) {
        try (NDManager m = root.newSubManager()) {
            Shape shape = new Shape(batch.batch(), batch.seq());
            NDArray ids = m.create(batch.inputIds(), shape);
            NDArray mask = m.create(batch.attentionMask(), shape);
            NDArray hidden = encoder.forward(ids, mask).toType(DataType.FLOAT32, false);
            float[] flat = MeanPooling.meanPoolNormalize(hidden, mask).toFloatArray();
            int dim = encoder.config().hiddenSize();
            float[][] out = new float[batch.batch()][dim];
            for (int b = 0; b < out.length; b++) {
                System.arraycopy(flat, b * dim, out[b], 0, dim);
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
