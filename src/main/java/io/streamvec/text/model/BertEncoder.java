package io.streamvec.text.model;

import io.streamvec.text.model.weights.BertConfig;
import io.streamvec.text.model.weights.WeightTensor;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face {@code BertModel} forward pass (post-LayerNorm, exact erf GELU, additive attention
 * mask) written directly in DJL NDArray operations; returns {@code last_hidden_state} for the tokens of a
 * {@link PackedBatch}: the dense layers (most of the work) run on the packed tokens, without padding;
 * attention runs per padded group, gathered from and scattered back to the packed rows.
 *
 * <p>Weights live in a manager owned by this encoder. Every array created during {@link #embed} is
 * attached to the given batch manager: close it after the batch so nothing accumulates.
 */
public final class BertEncoder implements AutoCloseable {

    /** Additive bias for masked keys; same constant as the exported graph (-FLT_MAX). */
    private static final float MASK_BIAS = -Float.MAX_VALUE;

    private final NDManager manager;
    private final BertConfig config;
    private final DataType dtype;
    private final Shape normShape;
    private final NDArray wordEmbeddings;
    private final NDArray positionEmbeddings;
    private final NDArray tokenTypeEmbedding0;
    private final NDArray embNormGamma;
    private final NDArray embNormBeta;
    private final Layer[] layers;

    /** {@code torch.nn.functional.linear}: weight {@code [out, in]}. */
    private record Dense(NDArray weight, NDArray bias) {
        NDArray apply(NDArray x) {
            return Linear.linear(x, weight, bias).singletonOrThrow();
        }
    }

    private record Layer(
            Dense qkv,
            Dense attentionOut,
            NDArray attnNormGamma,
            NDArray attnNormBeta,
            Dense intermediate,
            Dense output,
            NDArray outNormGamma,
            NDArray outNormBeta) {}

    /** One attention group's arrays, made once per batch and used by every layer and the pooling. */
    private record Group(long texts, long seq, NDArray gather, NDArray mask, NDArray maskBias) {}

    /**
     * @param parent manager whose sub-manager will own the weights (it must be a PyTorch manager)
     * @param weights Hugging Face state-dict names, dense weights as {@code [out, in]}
     */
    public BertEncoder(NDManager parent, Map<String, WeightTensor> weights, BertConfig config) {
        this(parent, weights, config, DataType.FLOAT32);
    }

    /**
     * @param dtype the compute type: FLOAT32, or FLOAT16 (weights converted once; for the GPU). Never
     *              BFLOAT16: it aborts DJL 0.36's PyTorch engine.
     */
    public BertEncoder(NDManager parent, Map<String, WeightTensor> weights, BertConfig config, DataType dtype) {
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
            throw new IllegalArgumentException("BERT encoder computes in fp32 or fp16, not " + dtype);
        }
        this.manager = parent.newSubManager();
        this.config = config;
        this.dtype = dtype;
        this.normShape = new Shape(config.hiddenSize());
        WeightStore w = new WeightStore(manager, weights, dtype);
        wordEmbeddings = w.get("embeddings.word_embeddings.weight");
        positionEmbeddings = w.get("embeddings.position_embeddings.weight");
        tokenTypeEmbedding0 = w.get("embeddings.token_type_embeddings.weight").get(0);
        embNormGamma = w.get("embeddings.LayerNorm.weight");
        embNormBeta = w.get("embeddings.LayerNorm.bias");
        // softmax(q k^T / sqrt(d)): the 1/sqrt(d) is folded into the query weights and bias once
        float queryScale = (float) (1 / Math.sqrt(config.headSize()));
        layers = new Layer[config.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "encoder.layer." + i + ".";
            layers[i] = new Layer(
                    w.qkv(p + "attention.self.", queryScale),
                    w.dense(p + "attention.output.dense"),
                    w.get(p + "attention.output.LayerNorm.weight"),
                    w.get(p + "attention.output.LayerNorm.bias"),
                    w.dense(p + "intermediate.dense"),
                    w.dense(p + "output.dense"),
                    w.get(p + "output.LayerNorm.weight"),
                    w.get(p + "output.LayerNorm.bias"));
        }
    }

    public BertConfig config() {
        return config;
    }

    public DataType dtype() {
        return dtype;
    }

    /**
     * What one forward pass gives, float32.
     *
     * @param sentences {@code [batch.texts(), hidden]}, pooled, in the batch's text order
     * @param tokens    the last hidden state of every packed token, {@code [batch.tokens(), hidden]} (text after
     *                  text, as {@link PackedBatch#inputIds()}), or null when not asked for
     */
    public record Output(NDArray sentences, NDArray tokens) {}

    /**
     * Sentence embeddings: the forward pass, then {@code pooling} over each text's tokens.
     *
     * @param m the batch's manager: every array made here is attached to it
     * @return float32 {@code [batch.texts(), hidden]}, in the batch's text order
     */
    public NDArray embed(NDManager m, PackedBatch batch, Pooling pooling) {
        return encode(m, batch, pooling, false).sentences();
    }

    /**
     * The forward pass, pooled into sentence embeddings, and if {@code tokenStates} the tokens' last hidden states
     * that were pooled (no second pass).
     *
     * @param m the batch's manager: every array made here is attached to it
     */
    public Output encode(NDManager m, PackedBatch batch, Pooling pooling, boolean tokenStates) {
        for (PackedBatch.Group g : batch.groups()) {
            if (g.seq() > config.maxPositions()) {
                throw new IllegalArgumentException("sequence length " + g.seq() + " > " + config.maxPositions());
            }
        }
        List<Group> groups = new ArrayList<>(batch.groups().size());
        for (PackedBatch.Group g : batch.groups()) {
            NDArray mask = m.create(g.mask()).reshape(g.texts(), g.seq());
            // (1 - mask) * -FLT_MAX, broadcast over heads and query positions; in fp16 it becomes -inf, and
            // softmax still gives it weight 0
            NDArray maskBias = mask.toType(DataType.FLOAT32, false)
                    .neg().add(1f).mul(MASK_BIAS)
                    .reshape(g.texts(), 1, 1, g.seq())
                    .toType(dtype, false);
            groups.add(new Group(g.texts(), g.seq(), m.create(g.gatherIndex()), mask, maskBias));
        }
        NDArray hidden = forward(m, batch, groups).toType(DataType.FLOAT32, false);
        NDList pooled = new NDList(groups.size());
        for (Group g : groups) {
            NDArray padded = gatherRows(g.gather(), hidden).reshape(g.texts(), g.seq(), config.hiddenSize());
            pooled.add(pooling.pool(padded, g.mask()));
        }
        return new Output(pooled.size() == 1 ? pooled.head() : NDArrays.concat(pooled, 0),
                tokenStates ? hidden : null);
    }

    /** The packed tokens' last hidden states, {@code [batch.tokens(), hidden]} in the compute type. */
    private NDArray forward(NDManager m, PackedBatch batch, List<Group> groups) {
        NDArray unpad = m.create(batch.unpadIndex());

        // Embeddings: word + position + token type 0, then LayerNorm. Ops take the batch-side array as `this`
        // so that results are owned by the batch manager, never by the weight manager.
        NDArray x = gatherRows(m.create(batch.inputIds()), wordEmbeddings)
                .add(gatherRows(m.create(batch.positions()), positionEmbeddings))
                .add(tokenTypeEmbedding0);
        NDArray h = layerNorm(x, embNormGamma, embNormBeta); // [tokens, hidden]

        NDArray previous;
        for (Layer layer : layers) {
            // A layer's intermediates live in their own manager, closed after the layer: a forward pass may
            // cover thousands of tokens, and keeping every layer's arrays until the end doubled its peak memory.
            try (NDManager lm = m.newSubManager()) {
                h.tempAttach(lm);
                unpad.tempAttach(lm);
                for (Group g : groups) {
                    g.gather().tempAttach(lm);
                    g.maskBias().tempAttach(lm);
                }
                NDArray next = layer(layer, h, groups, unpad);
                next.attach(m);
                previous = h;
                h = next;
            }
            previous.close(); // back in m once lm closed; no longer needed
        }
        return h;
    }

    /** One encoder layer on the packed hidden states {@code h}; its arrays belong to {@code h}'s manager. */
    private NDArray layer(Layer layer, NDArray h, List<Group> groups, NDArray unpad) {
        int hidden = config.hiddenSize();
        NDArray qkv = layer.qkv().apply(h); // [tokens, 3 * hidden], queries pre-scaled
        NDList contexts = new NDList(groups.size());
        for (Group g : groups) {
            NDList parts = gatherRows(g.gather(), qkv).split(3, 1); // padded [texts * seq, hidden] each
            contexts.add(heads(parts.get(0), g)
                    .matMul(heads(parts.get(1), g).transpose(0, 1, 3, 2))
                    .add(g.maskBias())
                    .softmax(-1)
                    .matMul(heads(parts.get(2), g))
                    .transpose(0, 2, 1, 3)
                    .reshape(g.texts() * g.seq(), hidden));
        }
        NDArray context = gatherRows(unpad, contexts.size() == 1 ? contexts.head() : NDArrays.concat(contexts, 0));
        NDArray attn = layerNorm(
                layer.attentionOut().apply(context).add(h), layer.attnNormGamma(), layer.attnNormBeta());
        NDArray ffn = layer.output().apply(Activation.gelu(layer.intermediate().apply(attn)));
        return layerNorm(ffn.add(attn), layer.outNormGamma(), layer.outNormBeta());
    }

    /** {@code [texts*seq, hidden]} -> {@code [texts, heads, seq, headSize]}. */
    private NDArray heads(NDArray x, Group g) {
        return x.reshape(g.texts(), g.seq(), config.numHeads(), config.headSize()).transpose(0, 2, 1, 3);
    }

    private NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta) {
        return LayerNorm.layerNorm(x, normShape, gamma, beta, config.layerNormEps()).singletonOrThrow();
    }

    private static NDArray gatherRows(NDArray ids, NDArray table) {
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

        Dense dense(String module) {
            return new Dense(get(module + ".weight"), get(module + ".bias"));
        }

        /**
         * Query, key and value as one dense layer, concatenated along the output dimension, with the query rows
         * (weight and bias) multiplied by {@code queryScale}.
         */
        Dense qkv(String prefix, float queryScale) {
            try (NDManager tmp = manager.newSubManager()) {
                NDList ws = new NDList();
                NDList bs = new NDList();
                for (String part : new String[] {"query", "key", "value"}) {
                    WeightTensor w = tensor(prefix + part + ".weight");
                    WeightTensor b = tensor(prefix + part + ".bias");
                    NDArray weight = tmp.create(w.data(), new Shape(w.shape())).toType(DataType.FLOAT32, false);
                    NDArray bias = tmp.create(b.data(), new Shape(b.shape())).toType(DataType.FLOAT32, false);
                    ws.add(part.equals("query") ? weight.mul(queryScale) : weight);
                    bs.add(part.equals("query") ? bias.mul(queryScale) : bias);
                }
                // concat makes new storage: nothing aliases tmp's arrays once they are moved out of it
                NDArray weight = NDArrays.concat(ws, 0).toType(dtype, false);
                NDArray bias = NDArrays.concat(bs, 0).toType(dtype, false);
                weight.attach(manager);
                bias.attach(manager);
                return new Dense(weight, bias);
            }
        }
    }
}
