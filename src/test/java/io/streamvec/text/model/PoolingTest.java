package io.streamvec.text.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.bench.OnnxRuntimeEmbedder;
import io.streamvec.text.model.weights.EmbeddingModel;
import io.streamvec.text.model.weights.PoolingDeclaration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CLS and max pooling against ONNX Runtime on the same ONNX file, through model directories written from the
 * bundled weights with sentence-transformers pooling configs; and how a directory's declaration and the
 * setting combine.
 */
class PoolingTest {

    private static EmbeddingModel bundled;

    @BeforeAll
    static void load() {
        bundled = EmbeddingModel.bundled();
    }

    @Test
    void clsAndMaxPooledModelsMatchOnnxRuntimeOnVariedTexts(@TempDir Path dir) {
        List<String> texts = VariedTexts.all();
        // CLS, normalised (modules.json lists Normalize), as the bge family is published
        EmbeddingModel cls = EmbeddingModel.fromDirectory(
                TestModelDirectory.write(dir.resolve("minilm-cls"), bundled, Pooling.Mode.CLS, true));
        // max, not normalised (modules.json without Normalize)
        EmbeddingModel max = EmbeddingModel.fromDirectory(
                TestModelDirectory.write(dir.resolve("minilm-max"), bundled, Pooling.Mode.MAX, false));
        assertEquals(new Pooling(Pooling.Mode.CLS, true), cls.pooling("auto", "auto"));
        assertEquals(new Pooling(Pooling.Mode.MAX, false), max.pooling("auto", "auto"));
        for (EmbeddingModel model : List.of(cls, max)) {
            Pooling pooling = model.pooling("auto", "auto");
            try (BertSentenceEmbedder embedder = BertSentenceEmbedder.create(model, 256, "cpu", "fp32");
                 OnnxRuntimeEmbedder onnx = new OnnxRuntimeEmbedder(256, 2, 16, pooling)) {
                assertEquals(pooling, embedder.pooling());
                float[][] expected = onnx.embedTexts(texts);
                float[][] actual = embedder.embedTexts(texts);
                double min = BertSentenceEmbedderTest.minCosine(expected, actual);
                assertTrue(min >= 0.99999, pooling + ": min cosine vs ONNX Runtime " + min);
                for (int i = 0; i < texts.size(); i++) {
                    double e = norm(expected[i]);
                    assertEquals(e, norm(actual[i]), 1e-4 * Math.max(1, e), pooling + ": norm of text " + i);
                    if (pooling.normalize()) {
                        assertEquals(1.0, e, 1e-5);
                    } else {
                        assertTrue(Math.abs(e - 1) > 1e-3, "max pooling without Normalize is not unit length: " + e);
                    }
                }
            }
        }
    }

    @Test
    void meanPoolingOfTheBundledModelIsTheDefaultAndOthersContradictIt() {
        assertEquals(Pooling.MEAN_NORMALIZED, bundled.pooling("auto", "auto"));
        assertEquals(new Pooling(Pooling.Mode.MEAN, false), bundled.pooling("mean", "false"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bundled.pooling("cls", "auto"));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith("embedding.pooling=cls contradicts the bundled all-MiniLM-L6-v2"),
                e.getMessage());
        assertTrue(e.getMessage().contains("pools by mean"), e.getMessage());
    }

    @Test
    void aDirectoryWithoutADeclarationTakesTheSettingOrMeanAndNormalizes(@TempDir Path dir) {
        PoolingDeclaration none = PoolingDeclaration.read(dir, 384);
        assertEquals(PoolingDeclaration.NONE, none);
        assertEquals(Pooling.MEAN_NORMALIZED, none.resolve("auto", "auto", "embedding.pooling"));
        assertEquals(new Pooling(Pooling.Mode.MAX, true), none.resolve("max", "auto", "embedding.pooling"));
        assertEquals(new Pooling(Pooling.Mode.CLS, false), none.resolve("cls", "false", "embedding.pooling"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> none.resolve("sum", "auto", "embedding.pooling"));
        assertTrue(bad.getMessage().contains("mean, cls or max"), bad.getMessage());
    }

    @Test
    void aDeclaredPoolingTheSettingContradictsIsOneClearLine(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("1_Pooling"));
        Files.writeString(dir.resolve("1_Pooling/config.json"), TestModelDirectory.poolingConfig(384, Pooling.Mode.CLS));
        PoolingDeclaration cls = PoolingDeclaration.read(dir, 384);
        assertEquals(new Pooling(Pooling.Mode.CLS, true), cls.resolve("auto", "auto", "embedding.pooling"),
                "no modules.json: normalised by default");
        assertEquals(new Pooling(Pooling.Mode.CLS, true), cls.resolve("CLS", "auto", "embedding.pooling"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cls.resolve("mean", "auto", "--pooling"));
        assertEquals("--pooling=mean contradicts " + dir.resolve("1_Pooling/config.json") + ", which pools by cls: "
                + "leave --pooling at auto, or set it to cls", e.getMessage());
    }

    @Test
    void unsupportedOrMalformedDeclarationsAreClearErrors(@TempDir Path dir) throws Exception {
        Path config = Files.createDirectories(dir.resolve("1_Pooling")).resolve("config.json");
        Files.writeString(config, "{\"pooling_mode_mean_sqrt_len_tokens\": true, \"pooling_mode_mean_tokens\": false}");
        assertMessage(dir, "pooling_mode_mean_sqrt_len_tokens is not supported");
        Files.writeString(config, "{\"pooling_mode_cls_token\": true, \"pooling_mode_mean_tokens\": true}");
        assertMessage(dir, "pooling_mode_cls_token, pooling_mode_mean_tokens are all true");
        Files.writeString(config, "{\"pooling_mode_cls_token\": false}");
        assertMessage(dir, "no pooling_mode_* is true");
        Files.writeString(config, TestModelDirectory.poolingConfig(768, Pooling.Mode.CLS));
        assertMessage(dir, "word_embedding_dimension 768 is not the model's hidden size 384");
        Files.writeString(config, "{not json");
        assertMessage(dir, "cannot read " + config);
    }

    private static void assertMessage(Path dir, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PoolingDeclaration.read(dir, 384));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }
}
