package io.streamvec.text;

import io.streamvec.text.model.BertConfig;
import io.streamvec.text.model.WeightTensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import java.util.Map;

/**
 * Hugging Face {@code BertModel} forward pass (post-LayerNorm, exact erf GELU, additive attention
 * mask) written directly in DJL NDArray operations; returns {@code last_hidden_state}.
 *
 * <p>Weights live in a manager owned by this encoder. Every array created during {@link #forward}
 * is attached to the manager of the {@code inputIds} array: run each batch in a sub-manager and close
 * it afterwards so nothing accumulates.
 */
public final class BertEncoder implements AutoCloseable {

    /** How the dense layers are computed. */
    public record Options(boolean fuseQkv, boolean torchLinear) {
        /** Fastest measured configuration. */
        public static final Options DEFAULT = new Options(true, true);
    }

    /** Additive bias for masked keys; same constant as the exported graph (-FLT_MAX). */
    private static final float MASK_BIAS = -Float.MAX_VALUE;

    private final NDManager manager;
    private final BertConfig config;
    private final Options options;
    private final DataType dtype;
    private final Shape normShape;
    private final NDArray wordEmbeddings;
    private final NDArray positionEmbeddings;
    private final NDArray tokenTypeEmbedding0;
    private final NDArray embNormGamma;
    private final NDArray embNormBeta;
    private final Layer[] layers;

    private record Dense(NDArray weight, NDArray bias, boolean torchLinear) {
        NDArray apply(NDArray x) {
            return torchLinear ? Linear.linear(x, weight, bias).singletonOrThrow() : x.matMul(weight).add(bias);
        }
    }

    private record Layer(
            Dense query,
            Dense key,
            Dense value,
            Dense qkv,
            Dense attentionOut,
            NDArray attnNormGamma,
            NDArray attnNormBeta,
            Dense intermediate,
            Dense output,
            NDArray outNormGamma,
            NDArray outNormBeta) {}

    /**
     * @param parent manager whose sub-manager will own the weights (it must be a PyTorch manager)
     * @param weights Hugging Face state-dict names, dense weights as {@code [out, in]}
     */
    public BertEncoder(NDManager parent, Map<String, WeightTensor> weights, BertConfig config, Options options) {
        this(parent, weights, config, options, DataType.FLOAT32);
    }

    /**
     * @param dtype the compute type: FLOAT32, or FLOAT16 (weights converted once; for the GPU). Never
     *              BFLOAT16: it aborts DJL 0.36's PyTorch engine.
     */
    public BertEncoder(NDManager parent, Map<String, WeightTensor> weights, BertConfig config, Options options,
                       DataType dtype) {
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
            throw new IllegalArgumentException("BERT encoder computes in fp32 or fp16, not " + dtype);
        }
        this.manager = parent.newSubManager();
        this.config = config;
        this.options = options;
        this.dtype = dtype;
        this.normShape = new Shape(config.hiddenSize());
        WeightStore w = new WeightStore(manager, weights, dtype);
        wordEmbeddings = w.get("embeddings.word_embeddings.weight");
        positionEmbeddings = w.get("embeddings.position_embeddings.weight");
        tokenTypeEmbedding0 = w.get("embeddings.token_type_embeddings.weight").get(0);
        embNormGamma = w.get("embeddings.LayerNorm.weight");
        embNormBeta = w.get("embeddings.LayerNorm.bias");
        layers = new Layer[config.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "encoder.layer." + i + ".";
            Dense qkv = null;
            Dense q = null;
            Dense k = null;
            Dense v = null;
            if (options.fuseQkv()) {
                qkv = w.dense(new String[] {
                    p + "attention.self.query", p + "attention.self.key", p + "attention.self.value"
                }, options.torchLinear());
            } else {
                q = w.dense(p + "attention.self.query", options.torchLinear());
                k = w.dense(p + "attention.self.key", options.torchLinear());
                v = w.dense(p + "attention.self.value", options.torchLinear());
            }
            layers[i] = new Layer(
                    q,
                    k,
                    v,
                    qkv,
                    w.dense(p + "attention.output.dense", options.torchLinear()),
                    w.get(p + "attention.output.LayerNorm.weight"),
                    w.get(p + "attention.output.LayerNorm.bias"),
                    w.dense(p + "intermediate.dense", options.torchLinear()),
                    w.dense(p + "output.dense", options.torchLinear()),
                    w.get(p + "output.LayerNorm.weight"),
                    w.get(p + "output.LayerNorm.bias"));
        }
    }

    public BertConfig config() {
        return config;
    }

    public Options options() {
        return options;
    }

    public DataType dtype() {
        return dtype;
    }

    /**
     * @param inputIds int64 {@code [batch, seq]}
     * @param attentionMask int64 {@code [batch, seq]}, 1 for tokens, 0 for padding
     * @return float32 {@code [batch, seq, hidden]}
     */
    public NDArray forward(NDArray inputIds, NDArray attentionMask) {
        long batch = inputIds.getShape().get(0);
        long seq = inputIds.getShape().get(1);
        if (seq > config.maxPositions()) {
            throw new IllegalArgumentException("sequence length " + seq + " > " + config.maxPositions());
        }
        int hidden = config.hiddenSize();
        NDManager m = inputIds.getManager();

        // Embeddings: word + position + token type 0, then LayerNorm. Ops take the input-side array as
        // `this` so that results are owned by the batch manager, never by the weight manager.
        NDArray positionIds = m.arange(0, (int) seq, 1, DataType.INT64);
        NDArray x = embed(inputIds, wordEmbeddings)
                .add(embed(positionIds, positionEmbeddings))
                .add(tokenTypeEmbedding0);
        NDArray h = layerNorm(x, embNormGamma, embNormBeta).reshape(batch * seq, hidden);

        // (1 - mask) * -FLT_MAX, broadcast over heads and query positions.
        NDArray maskBias = attentionMask.toType(DataType.FLOAT32, false)
                .neg()
                .add(1f)
                .mul(MASK_BIAS)
                .reshape(batch, 1, 1, seq)
                .toType(dtype, false); // -FLT_MAX becomes -inf in fp16: softmax still gives it weight 0
        float scale = (float) Math.sqrt(config.headSize());

        for (Layer layer : layers) {
            NDArray q;
            NDArray k;
            NDArray v;
            if (layer.qkv() != null) {
                NDList parts = layer.qkv().apply(h).split(3, 1);
                q = parts.get(0);
                k = parts.get(1);
                v = parts.get(2);
            } else {
                q = layer.query().apply(h);
                k = layer.key().apply(h);
                v = layer.value().apply(h);
            }
            NDArray scores = heads(q, batch, seq)
                    .matMul(heads(k, batch, seq).transpose(0, 1, 3, 2))
                    .div(scale)
                    .add(maskBias);
            NDArray context = scores.softmax(-1)
                    .matMul(heads(v, batch, seq))
                    .transpose(0, 2, 1, 3)
                    .reshape(batch * seq, hidden);
            NDArray attn = layerNorm(
                    layer.attentionOut().apply(context).add(h), layer.attnNormGamma(), layer.attnNormBeta());
            NDArray ffn = layer.output().apply(Activation.gelu(layer.intermediate().apply(attn)));
            h = layerNorm(ffn.add(attn), layer.outNormGamma(), layer.outNormBeta());
        }
        return h.reshape(batch, seq, hidden);
    }

    /** {@code [batch*seq, hidden]} -> {@code [batch, heads, seq, headSize]}. */
    private NDArray heads(NDArray x, long batch, long seq) {
        return x.reshape(batch, seq, config.numHeads(), config.headSize()).transpose(0, 2, 1, 3);
    }

    private NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta) {
        return LayerNorm.layerNorm(x, normShape, gamma, beta, config.layerNormEps()).singletonOrThrow();
    }

    private static NDArray embed(NDArray ids, NDArray table) {
        return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Creates weight arrays in the encoder's manager. */
    private static final class WeightStore {
        private final NDManager manager;
        private final Map<String, WeightTensor> weights;
        private final DataType dtype;

        WeightStore(NDManager manager, Map<String, WeightTensor> weights, DataType dtype) {
            this.manager = manager;
            this.weights = weights;
            this.dtype = dtype;
        }

        NDArray get(String name) {
            WeightTensor t = tensor(name);
            return cast(manager.create(t.data(), new Shape(t.shape())));
        }

        /** The array in the compute type: itself when it already is, else a converted copy (new storage). */
        private NDArray convert(NDArray array) {
            return array.getDataType() == dtype ? array : array.toType(dtype, false);
        }

        private NDArray cast(NDArray array) {
            if (array.getDataType() == dtype) {
                return array;
            }
            NDArray converted = array.toType(dtype, false);
            array.close();
            return converted;
        }

        private WeightTensor tensor(String name) {
            WeightTensor t = weights.get(name);
            if (t == null) {
                throw new IllegalArgumentException("missing weight " + name);
            }
            return t;
        }

        Dense dense(String module, boolean torchLinear) {
            return dense(new String[] {module}, torchLinear);
        }

        /**
         * One dense layer; several modules are concatenated along the output dimension (fused QKV).
         * With {@code torchLinear} the weight stays {@code [out, in]} for {@code torch.nn.functional.linear};
         * otherwise it is stored transposed and contiguous, {@code [in, out]}, for {@code x.matMul(w)}.
         */
        Dense dense(String[] modules, boolean torchLinear) {
            try (NDManager tmp = manager.newSubManager()) {
                NDList ws = new NDList();
                NDList bs = new NDList();
                for (String module : modules) {
                    WeightTensor w = tensor(module + ".weight");
                    if (!torchLinear) {
                        w = w.transpose2d(w.name());
                    }
                    WeightTensor b = tensor(module + ".bias");
                    ws.add(tmp.create(w.data(), new Shape(w.shape())));
                    bs.add(tmp.create(b.data(), new Shape(b.shape())));
                }
                // Keep the very arrays created from Java memory (they pin their buffers) unless a conversion
                // makes new storage: a same-type "copy" through torch's to() may alias the old buffer.
                NDArray weight = convert(ws.size() == 1 ? ws.head() : NDArrays.concat(ws, torchLinear ? 0 : 1));
                NDArray bias = convert(bs.size() == 1 ? bs.head() : NDArrays.concat(bs, 0));
                weight.attach(manager); // move out of tmp before it closes
                bias.attach(manager);
                return new Dense(weight, bias, torchLinear);
            }
        }
    }
}
