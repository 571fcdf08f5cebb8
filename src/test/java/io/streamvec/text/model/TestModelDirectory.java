package io.streamvec.text.model;

import io.streamvec.text.model.weights.BertConfig;
import io.streamvec.text.model.weights.EmbeddingModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test helper: a Hugging Face model directory written from the bundled all-MiniLM-L6-v2 (config.json, F32
 * model.safetensors, tokenizer.json) with a sentence-transformers pooling of the test's choosing, so that one
 * ONNX file on ONNX Runtime anchors every pooling.
 */
public final class TestModelDirectory {

    private TestModelDirectory() {}

    /**
     * @param pooling   the mode {@code 1_Pooling/config.json} declares, or null for no pooling config
     * @param normalize whether {@code modules.json} lists a Normalize module; null for no modules.json
     */
    public static Path write(Path dir, EmbeddingModel bundled, Pooling.Mode pooling, Boolean normalize) {
        try {
            Files.createDirectories(dir);
            BertConfig c = bundled.config();
            Files.writeString(dir.resolve("config.json"), SafetensorsWriter.bertConfigJson(c.hiddenSize(),
                    c.numHeads(), c.numLayers(), c.intermediateSize(), c.maxPositions()));
            SafetensorsWriter.write(dir.resolve("model.safetensors"), bundled.weights(), "", false);
            try (InputStream in = BundledModel.open(BundledModel.TOKENIZER_RESOURCE)) {
                Files.copy(in, dir.resolve("tokenizer.json"));
            }
            if (pooling != null) {
                Files.createDirectories(dir.resolve("1_Pooling"));
                Files.writeString(dir.resolve("1_Pooling/config.json"), poolingConfig(c.hiddenSize(), pooling));
            }
            if (normalize != null) {
                Files.writeString(dir.resolve("modules.json"), modules(normalize));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** sentence-transformers' Pooling config with one mode on. */
    public static String poolingConfig(int dimension, Pooling.Mode mode) {
        return String.format(java.util.Locale.ROOT, "{\"word_embedding_dimension\": %d, "
                + "\"pooling_mode_cls_token\": %b, \"pooling_mode_mean_tokens\": %b, \"pooling_mode_max_tokens\": %b, "
                + "\"pooling_mode_mean_sqrt_len_tokens\": false, \"pooling_mode_weightedmean_tokens\": false, "
                + "\"pooling_mode_lasttoken\": false, \"include_prompt\": true}", dimension, mode == Pooling.Mode.CLS,
                mode == Pooling.Mode.MEAN, mode == Pooling.Mode.MAX);
    }

    /** sentence-transformers' modules.json: Transformer, Pooling, and Normalize if asked. */
    public static String modules(boolean normalize) {
        return "[{\"idx\": 0, \"name\": \"0\", \"path\": \"\", \"type\": \"sentence_transformers.models.Transformer\"},"
                + " {\"idx\": 1, \"name\": \"1\", \"path\": \"1_Pooling\", \"type\": \"sentence_transformers.models.Pooling\"}"
                + (normalize ? ", {\"idx\": 2, \"name\": \"2\", \"path\": \"2_Normalize\", "
                        + "\"type\": \"sentence_transformers.models.Normalize\"}" : "")
                + "]";
    }
}
