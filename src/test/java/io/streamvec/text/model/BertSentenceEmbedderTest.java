package io.streamvec.text.model;

import io.streamvec.Cosine;
import io.streamvec.bench.OnnxRuntimeEmbedder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.streamvec.text.model.weights.BertConfig;
import io.streamvec.text.model.weights.EmbeddingModel;
import io.streamvec.text.model.weights.WeightTensor;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** streamvec's DJL/PyTorch sentence encoder against ONNX Runtime on the same ONNX file, and its lifecycle. */
class BertSentenceEmbedderTest {

    private static EmbeddingModel bundled;
    private static BertSentenceEmbedder embedder;

    @BeforeAll
    static void load() {
        bundled = EmbeddingModel.bundled();
        embedder = BertSentenceEmbedder.create(bundled, 256, "cpu", "fp32");
    }

    @AfterAll
    static void close() {
        embedder.close();
    }


    static double minCosine(float[][] a, float[][] b) {
        double min = 1;
        for (int i = 0; i < a.length; i++) {
            min = Math.min(min, Cosine.of(a[i], b[i]));
        }
        return min;
    }

    @Test
    void matchesOnnxRuntimeOnVariedTexts() {
        List<String> texts = VariedTexts.all();
        assertTrue(texts.size() >= 50, "at least 50 varied inputs, got " + texts.size());
        List<Tokens> tokens = embedder.tokenizer().tokenizeAll(texts);
        assertTrue(tokens.stream().anyMatch(Tokens::truncated), "some inputs are longer than 256 tokens");
        assertTrue(tokens.stream().allMatch(t -> t.size() <= 256));
        try (OnnxRuntimeEmbedder onnx = new OnnxRuntimeEmbedder(256, 2, 16)) {
            float[][] expected = onnx.embedTexts(texts);
            float[][] batched = embedder.embedTexts(texts);
            double min = minCosine(expected, batched);
            assertTrue(min >= 0.99999, "min cosine vs ONNX Runtime " + min);
            List<float[]> one = new ArrayList<>();
            for (String text : texts.subList(0, 10)) {
                one.add(embedder.embedTexts(List.of(text))[0]);
            }
            assertTrue(minCosine(java.util.Arrays.copyOf(expected, 10), one.toArray(float[][]::new)) >= 0.99999,
                    "batch of one gives the same vectors as a padded batch");
        }
    }

    @Test
    void aFlushOfMoreTokensThanOneForwardPassTakesIsSplitAndGivesTheSameVectors() {
        List<String> texts = new ArrayList<>();
        while (embedder.tokenizer().tokenizeAll(texts).stream().mapToInt(Tokens::size).sum()
                <= 2 * BertSentenceEmbedder.MAX_TOKENS_PER_FORWARD) {
            texts.addAll(VariedTexts.all());
        }
        java.util.Collections.shuffle(texts, new java.util.Random(7));
        float[][] together = embedder.embedTexts(texts);
        List<float[]> inSmallBatches = new ArrayList<>();
        for (int i = 0; i < texts.size(); i += 5) {
            inSmallBatches.addAll(List.of(embedder.embedTexts(texts.subList(i, Math.min(texts.size(), i + 5)))));
        }
        double min = minCosine(together, inSmallBatches.toArray(float[][]::new));
        assertTrue(min >= 0.99999, "min cosine, one call of " + texts.size() + " texts vs batches of 5: " + min);
    }

    @Test
    void aSequenceWithoutTokensGetsAZeroVectorAndTheOthersAreUnaffected() {
        long[] hello = embedder.tokenizer().tokenize("hello").ids();
        float[][] vectors = embedder.embed(List.of(hello, new long[0], hello));
        assertEquals(384, vectors[1].length);
        assertEquals(0.0, java.util.stream.IntStream.range(0, 384).mapToDouble(i -> Math.abs(vectors[1][i])).sum());
        assertTrue(Cosine.of(vectors[0], embedder.embedTexts(List.of("hello"))[0]) >= 0.99999);
        assertTrue(Cosine.of(vectors[2], vectors[0]) >= 0.99999);
    }

    @Test
    void helloIsA384DimensionalUnitVector() {
        float[] v = embedder.embedTexts(List.of("hello"))[0];
        assertEquals(384, v.length);
        assertEquals(1.0, Cosine.of(v, v) * 0 + Math.sqrt(java.util.stream.IntStream.range(0, v.length)
                .mapToDouble(i -> v[i] * v[i]).sum()), 1e-5);
        float[] hi = embedder.embedTexts(List.of("hi"))[0];
        float[] code = embedder.embedTexts(List.of("SELECT * FROM users;"))[0];
        assertTrue(Cosine.of(v, hi) > Cosine.of(v, code), "greetings are closer to each other than to SQL");
    }

    @Test
    void noArraysLeakAcrossBatches() {
        List<String> texts = List.of("one text", "another, somewhat longer text about streams", "third");
        embedder.embedTexts(texts);
        int before = embedder.managedArrayCount();
        for (int i = 0; i < 100; i++) {
            embedder.embedTexts(texts);
        }
        assertEquals(before, embedder.managedArrayCount(), "the manager's array count is flat after 100 batches");
    }

    @Test
    void autoFallsBackToTheCpuWithoutCudaAndGpuFailsClearly() {
        Engine engine = NativeTuning.pytorch(true);
        if (engine.getGpuCount() > 0) {
            return; // on a CUDA machine auto picks the GPU; covered by the GPU check instead
        }
        assertEquals(Device.cpu(), EmbeddingDevices.choose(engine, "auto"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EmbeddingDevices.choose(engine, "gpu"));
        assertTrue(e.getMessage().contains("embedding.device=gpu"), e.getMessage());
    }

    @Test
    void fp16WeightsStayCloseToFp32() {
        List<String> texts = VariedTexts.all().subList(0, 12);
        try (BertSentenceEmbedder half = BertSentenceEmbedder.create(bundled, 256, "cpu", "fp16")) {
            double min = minCosine(embedder.embedTexts(texts), half.embedTexts(texts));
            assertTrue(min >= 0.999, "fp16 vs fp32 min cosine " + min);
        }
    }

    @Test
    void aHuggingFaceModelDirectoryLoadsThroughTheSameEncoder(@TempDir Path dir) throws Exception {
        // Written by the test from the bundled weights: safetensors with BertModel's "bert." prefix, F32 and F16.
        BertConfig c = bundled.config();
        for (boolean f16 : new boolean[] {false, true}) {
            Path model = Files.createDirectories(dir.resolve(f16 ? "minilm-f16" : "minilm-f32"));
            Files.writeString(model.resolve("config.json"), SafetensorsWriter.bertConfigJson(c.hiddenSize(),
                    c.numHeads(), c.numLayers(), c.intermediateSize(), c.maxPositions()));
            Map<String, WeightTensor> weights = bundled.weights();
            SafetensorsWriter.write(model.resolve("model.safetensors"), weights, "bert.", f16);
            try (InputStream in = BundledModel.open(BundledModel.TOKENIZER_RESOURCE)) {
                Files.copy(in, model.resolve("tokenizer.json"));
            }
            EmbeddingModel loaded = EmbeddingModel.fromDirectory(model);
            assertEquals(model.getFileName().toString(), loaded.name());
            assertEquals(c, loaded.config());
            List<String> texts = VariedTexts.all().subList(0, 20);
            try (BertSentenceEmbedder custom = BertSentenceEmbedder.create(loaded, 256, "cpu", "fp32")) {
                double min = minCosine(embedder.embedTexts(texts), custom.embedTexts(texts));
                assertTrue(min >= (f16 ? 0.999 : 0.9999999), (f16 ? "F16" : "F32") + " weights: min cosine " + min);
            }
        }
        Path broken = Files.createDirectories(dir.resolve("broken"));
        Files.writeString(broken.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EmbeddingModel.fromDirectory(broken));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }
}
