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
        return new BertConfig(
                required(json, "hidden_size", file),
                required(json, "num_attention_heads", file),
                required(json, "num_hidden_layers", file),
                required(json, "intermediate_size", file),
                required(json, "max_position_embeddings", file),
                (float) json.path("layer_norm_eps").asDouble(1e-12));
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
