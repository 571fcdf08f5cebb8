package io.streamvec.text.model.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.text.model.BundledModel;
import io.streamvec.text.model.Pooling;
import io.streamvec.text.model.TextTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A BERT-family sentence-embedding model's parts: its name, shape, fp32 weights under Hugging Face
 * state-dict names, and where its tokenizer comes from. Either the bundled all-MiniLM-L6-v2 (weights
 * from the ONNX file in the langchain4j artifact) or a Hugging Face model directory
 * ({@code config.json}, {@code model.safetensors}, {@code tokenizer.json}, and the pooling it declares, if any:
 * see {@link PoolingDeclaration}).
 */
public record EmbeddingModel(String name, BertConfig config, Map<String, WeightTensor> weights, Path tokenizerFile,
                             PoolingDeclaration declaredPooling) {

    /** all-MiniLM-L6-v2 as sentence-transformers publishes it: mean pooling, then Normalize. */
    static final PoolingDeclaration BUNDLED_POOLING = new PoolingDeclaration(Pooling.Mode.MEAN, true,
            "the bundled " + BundledModel.NAME + " (sentence-transformers: mean pooling, normalized)");

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Throws {@link IllegalArgumentException} naming the first tensor that the encoder needs and {@code weights}
     * lack, or hold in another shape than {@code config} gives: a model that loads is one that can be built.
     */
    public EmbeddingModel {
        checkWeights(config, weights, name);
    }

    /** Loads the bundled model when {@code directory} is blank, else the model in {@code directory}. */
    public static EmbeddingModel load(String directory) {
        return directory == null || directory.isBlank() ? bundled() : fromDirectory(Path.of(directory));
    }

    /** all-MiniLM-L6-v2 from the classpath. */
    public static EmbeddingModel bundled() {
        try (InputStream in = BundledModel.open(BundledModel.ONNX_RESOURCE)) {
            return new EmbeddingModel(BundledModel.NAME, BertConfig.MINILM_L6, OnnxWeights.load(in), null,
                    BUNDLED_POOLING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled model", e);
        }
    }

    /** A Hugging Face BERT-family model directory; its shape comes from {@code config.json}. */
    public static EmbeddingModel fromDirectory(Path directory) {
        Path configFile = directory.resolve("config.json");
        Path weightsFile = directory.resolve("model.safetensors");
        Path tokenizerFile = directory.resolve("tokenizer.json");
        for (Path required : new Path[] {configFile, weightsFile, tokenizerFile}) {
            if (!Files.isRegularFile(required)) {
                throw new IllegalArgumentException("embedding model directory " + directory + " has no "
                        + required.getFileName() + " (it needs config.json, model.safetensors and tokenizer.json)");
            }
        }
        try {
            BertConfig config = bertConfig(JSON.readTree(configFile.toFile()), configFile);
            Map<String, WeightTensor> weights = new LinkedHashMap<>();
            for (WeightTensor tensor : Safetensors.read(weightsFile).values()) {
                String name = tensor.name().startsWith("bert.") ? tensor.name().substring(5) : tensor.name();
                if (name.startsWith("embeddings.") || name.startsWith("encoder.")) {
                    weights.put(name, new WeightTensor(name, tensor.shape(), tensor.data()));
                }
            }
            Path parent = directory.toAbsolutePath().getFileName();
            return new EmbeddingModel(parent == null ? directory.toString() : parent.toString(), config, weights,
                    tokenizerFile, PoolingDeclaration.read(directory, config.hiddenSize()));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read embedding model " + directory + ": " + e.getMessage(), e);
        }
    }

    static BertConfig bertConfig(JsonNode json, Path file) {
        String type = json.path("model_type").asText("bert");
        if (!type.equals("bert")) {
            throw new IllegalArgumentException(file + ": model_type " + type + " is not supported; streamvec runs "
                    + "BERT-family encoders (model_type bert)");
        }
        String activation = json.path("hidden_act").asText("gelu");
        if (!activation.equals("gelu")) {
            throw new IllegalArgumentException(file + ": hidden_act " + activation + " is not supported (gelu only)");
        }
        String positions = json.path("position_embedding_type").asText("absolute");
        if (!positions.equals("absolute")) {
            throw new IllegalArgumentException(file + ": position_embedding_type " + positions + " is not supported");
        }
        JsonNode eps = json.path("layer_norm_eps");
        float layerNormEps = eps.isMissingNode() ? 1e-12f : eps.isNumber() ? (float) eps.asDouble() : Float.NaN;
        if (!(layerNormEps > 0 && layerNormEps < 1)) {
            throw new IllegalArgumentException(file + ": invalid layer_norm_eps " + eps
                    + " (a number above 0, as a float, and below 1)");
        }
        int hidden = required(json, "hidden_size", file);
        int heads = required(json, "num_attention_heads", file);
        if (hidden % heads != 0) {
            throw new IllegalArgumentException(file + ": hidden_size " + hidden + " is not divisible by "
                    + "num_attention_heads " + heads);
        }
        return new BertConfig(hidden, heads,
                required(json, "num_hidden_layers", file),
                required(json, "intermediate_size", file),
                required(json, "max_position_embeddings", file),
                layerNormEps);
    }

    /** The weights the encoder reads (see {@code BertEncoder}), with the shapes {@code config} gives them. */
    static void checkWeights(BertConfig config, Map<String, WeightTensor> weights, String model) {
        long hidden = config.hiddenSize();
        long inner = config.intermediateSize();
        // -1: any size (the vocabulary and the token types are the tokenizer's business)
        expect(weights, model, "embeddings.word_embeddings.weight", -1, hidden);
        expect(weights, model, "embeddings.token_type_embeddings.weight", -1, hidden);
        expect(weights, model, "embeddings.LayerNorm.weight", hidden);
        expect(weights, model, "embeddings.LayerNorm.bias", hidden);
        WeightTensor positions = expect(weights, model, "embeddings.position_embeddings.weight", -1, hidden);
        if (positions.shape()[0] < config.maxPositions()) {
            throw new IllegalArgumentException(model + ": " + positions + " has fewer rows than "
                    + "max_position_embeddings " + config.maxPositions());
        }
        if (weights.get("embeddings.token_type_embeddings.weight").shape()[0] < 1) {
            throw new IllegalArgumentException(model + ": embeddings.token_type_embeddings.weight has no rows");
        }
        for (int i = 0; i < config.numLayers(); i++) {
            String p = "encoder.layer." + i + ".";
            for (String dense : new String[] {"attention.self.query", "attention.self.key", "attention.self.value",
                                              "attention.output.dense"}) {
                expect(weights, model, p + dense + ".weight", hidden, hidden);
                expect(weights, model, p + dense + ".bias", hidden);
            }
            expect(weights, model, p + "intermediate.dense.weight", inner, hidden);
            expect(weights, model, p + "intermediate.dense.bias", inner);
            expect(weights, model, p + "output.dense.weight", hidden, inner);
            expect(weights, model, p + "output.dense.bias", hidden);
            for (String norm : new String[] {"attention.output.LayerNorm", "output.LayerNorm"}) {
                expect(weights, model, p + norm + ".weight", hidden);
                expect(weights, model, p + norm + ".bias", hidden);
            }
        }
    }

    private static WeightTensor expect(Map<String, WeightTensor> weights, String model, String name, long... shape) {
        WeightTensor t = weights.get(name);
        if (t == null) {
            throw new IllegalArgumentException(model + " has no weight " + name);
        }
        boolean matches = t.shape().length == shape.length;
        for (int i = 0; matches && i < shape.length; i++) {
            matches = shape[i] < 0 || t.shape()[i] == shape[i];
        }
        if (!matches) {
            StringBuilder expected = new StringBuilder("[");
            for (int i = 0; i < shape.length; i++) {
                expected.append(i == 0 ? "" : ", ").append(shape[i] < 0 ? "any" : Long.toString(shape[i]));
            }
            throw new IllegalArgumentException(model + ": weight " + t + " does not have the shape its configuration "
                    + "gives, " + expected.append(']'));
        }
        return t;
    }

    private static int required(JsonNode json, String key, Path file) {
        JsonNode value = json.get(key);
        if (value == null || !value.canConvertToInt() || value.asInt() <= 0) {
            throw new IllegalArgumentException(file + ": missing or invalid " + key);
        }
        return value.asInt();
    }

    /**
     * The pooling to run: see {@link PoolingDeclaration#resolve}; {@code embedding.pooling} names the setting in
     * messages.
     */
    public Pooling pooling(String mode, String normalize) {
        return declaredPooling.resolve(mode, normalize, "embedding.pooling");
    }

    /** The model's tokenizer, truncating at {@code maxLength} (capped at the model's position count). */
    public TextTokenizer tokenizer(int maxLength) {
        int length = Math.min(maxLength, config.maxPositions());
        return tokenizerFile == null ? TextTokenizer.bundled(length) : TextTokenizer.fromPath(tokenizerFile, length);
    }
}
