package io.streamvec.text.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.streamvec.fuzz.Fuzz;
import io.streamvec.fuzz.Fuzzer;
import io.streamvec.fuzz.Mutations;
import io.streamvec.text.model.weights.onnx.OnnxProto.GraphProto;
import io.streamvec.text.model.weights.onnx.OnnxProto.ModelProto;
import io.streamvec.text.model.weights.onnx.OnnxProto.NodeProto;
import io.streamvec.text.model.weights.onnx.OnnxProto.TensorProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the model files streamvec reads from an embedding model directory ({@code config.json},
 * {@code model.safetensors}) and the ONNX initializers of a model: a file is read into a model whose weights
 * hold what its configuration says, or rejected with an {@link IllegalArgumentException} (the model
 * directory) or an {@link IOException} (a file on its own), with a message; never an undocumented
 * exception, a negative or overflowing shape, or an allocation as large as a hostile length field asks for.
 * See docs/architecture.md, "Fuzz tests".
 */
class ModelFilesFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A tiny BERT: hidden 4, 2 heads, 1 layer, intermediate 8, 8 positions, 16 tokens. */
    private static final int HIDDEN = 4;
    private static final int INTERMEDIATE = 8;
    private static final int POSITIONS = 8;
    private static final int VOCAB = 16;

    @TempDir
    Path directory;

    private static String config(int layers) {
        return "{\"architectures\": [\"BertModel\"], \"model_type\": \"bert\", \"hidden_act\": \"gelu\", "
                + "\"hidden_size\": " + HIDDEN + ", \"num_attention_heads\": 2, \"num_hidden_layers\": " + layers
                + ", \"intermediate_size\": " + INTERMEDIATE + ", \"max_position_embeddings\": " + POSITIONS
                + ", \"layer_norm_eps\": 1e-12, \"position_embedding_type\": \"absolute\", \"vocab_size\": " + VOCAB
                + ", \"type_vocab_size\": 2}";
    }

    private static WeightTensor tensor(String name, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] data = new float[(int) n];
        for (int i = 0; i < data.length; i++) {
            data[i] = (i % 7 - 3) / 8f;
        }
        return new WeightTensor(name, shape, data);
    }

    /** Every tensor the encoder reads, for {@code layers} layers, under Hugging Face names. */
    private static List<WeightTensor> weights(int layers) {
        List<WeightTensor> out = new ArrayList<>(List.of(
                tensor("embeddings.word_embeddings.weight", VOCAB, HIDDEN),
                tensor("embeddings.position_embeddings.weight", POSITIONS, HIDDEN),
                tensor("embeddings.token_type_embeddings.weight", 2, HIDDEN),
                tensor("embeddings.LayerNorm.weight", HIDDEN),
                tensor("embeddings.LayerNorm.bias", HIDDEN)));
        for (int i = 0; i < layers; i++) {
            String p = "encoder.layer." + i + ".";
            for (String part : new String[] {"attention.self.query", "attention.self.key", "attention.self.value",
                                             "attention.output.dense"}) {
                out.add(tensor(p + part + ".weight", HIDDEN, HIDDEN));
                out.add(tensor(p + part + ".bias", HIDDEN));
            }
            out.add(tensor(p + "intermediate.dense.weight", INTERMEDIATE, HIDDEN));
            out.add(tensor(p + "intermediate.dense.bias", INTERMEDIATE));
            out.add(tensor(p + "output.dense.weight", HIDDEN, INTERMEDIATE));
            out.add(tensor(p + "output.dense.bias", HIDDEN));
            for (String norm : new String[] {"attention.output.LayerNorm", "output.LayerNorm"}) {
                out.add(tensor(p + norm + ".weight", HIDDEN));
                out.add(tensor(p + norm + ".bias", HIDDEN));
            }
        }
        return out;
    }

    /** The safetensors encoding of {@code tensors} in {@code dtype} (F32, F16 or BF16), names prefixed. */
    static byte[] safetensors(List<WeightTensor> tensors, String dtype, String prefix) {
        int width = dtype.equals("F32") ? 4 : 2;
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        for (WeightTensor t : tensors) {
            long size = (long) t.data().length * width;
            header.put(prefix + t.name(), Map.of("dtype", dtype, "shape", Arrays.stream(t.shape()).boxed().toList(),
                    "data_offsets", List.of(offset, offset + size)));
            offset += size;
        }
        try {
            byte[] json = JSON.writeValueAsBytes(header);
            ByteBuffer out = ByteBuffer.allocate(8 + json.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(json.length).put(json);
            for (WeightTensor t : tensors) {
                for (float v : t.data()) {
                    switch (dtype) {
                        case "F32" -> out.putFloat(v);
                        case "BF16" -> out.putShort((short) (Float.floatToIntBits(v) >>> 16));
                        default -> out.putShort((short) 0x3c00); // 1.0 in binary16: the values do not matter here
                    }
                }
            }
            return out.array();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final List<byte[]> CONFIGS = List.of(config(1).getBytes(StandardCharsets.UTF_8),
            ("{\"hidden_size\": 4, \"num_attention_heads\": 1, \"num_hidden_layers\": 1, \"intermediate_size\": 8, "
                    + "\"max_position_embeddings\": 8}").getBytes(StandardCharsets.UTF_8));
    private static final byte[] WEIGHTS = safetensors(weights(1), "F32", "");
    private static final List<byte[]> SAFETENSORS = List.of(WEIGHTS,
            safetensors(weights(1).subList(0, 3), "F16", "bert."),
            safetensors(weights(1).subList(3, 6), "BF16", ""));

    private void writeModel(byte[] config, byte[] weights) throws IOException {
        Files.write(directory.resolve("config.json"), config);
        Files.write(directory.resolve("model.safetensors"), weights);
    }

    @BeforeEach
    void tokenizer() throws IOException {
        Files.writeString(directory.resolve("tokenizer.json"), "{}"); // present; it is read later, by DJL
    }

    @Test
    void theSeedModelLoads() throws IOException {
        writeModel(CONFIGS.get(0), WEIGHTS);
        EmbeddingModel model = EmbeddingModel.fromDirectory(directory);
        assertEquals(new BertConfig(HIDDEN, 2, 1, INTERMEDIATE, POSITIONS, 1e-12f), model.config());
        assertEquals(weights(1).size(), model.weights().size());
        assertHoldsWhatItsConfigSays(model);
    }

    /**
     * What the encoder builds from a model: its configuration is usable (a positive finite epsilon) and its
     * weights hold every tensor of every layer the configuration names, in the shapes the configuration gives.
     */
    private static void assertHoldsWhatItsConfigSays(EmbeddingModel model) {
        BertConfig c = model.config();
        assertTrue(c.layerNormEps() > 0 && Float.isFinite(c.layerNormEps()), "epsilon " + c.layerNormEps());
        Map<String, WeightTensor> w = model.weights();
        List<String> problems = new ArrayList<>();
        shape(w, "embeddings.word_embeddings.weight", problems, -1, c.hiddenSize());
        shape(w, "embeddings.LayerNorm.weight", problems, c.hiddenSize());
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "encoder.layer." + i + ".";
            shape(w, p + "attention.self.query.weight", problems, c.hiddenSize(), c.hiddenSize());
            shape(w, p + "intermediate.dense.weight", problems, c.intermediateSize(), c.hiddenSize());
            shape(w, p + "output.dense.weight", problems, c.hiddenSize(), c.intermediateSize());
            shape(w, p + "output.LayerNorm.bias", problems, c.hiddenSize());
        }
        WeightTensor positions = w.get("embeddings.position_embeddings.weight");
        if (positions == null || positions.shape().length != 2 || positions.shape()[0] < c.maxPositions()) {
            problems.add("position embeddings " + positions + " for " + c.maxPositions() + " positions");
        }
        assertTrue(problems.isEmpty(), "loaded a model whose weights do not match its configuration " + c + ": "
                + problems);
    }

    private static void shape(Map<String, WeightTensor> weights, String name, List<String> problems, long... shape) {
        WeightTensor t = weights.get(name);
        if (t == null || t.shape().length != shape.length) {
            problems.add(t == null ? "no " + name : t.toString());
            return;
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] >= 0 && t.shape()[i] != shape[i]) {
                problems.add(t.toString());
                return;
            }
        }
    }

    private static void assertSaneShapes(Map<String, WeightTensor> tensors) {
        for (WeightTensor t : tensors.values()) {
            long n = 1;
            for (long d : t.shape()) {
                assertTrue(d >= 0, "negative dimension in " + t);
                n = Math.multiplyExact(n, d);
            }
            assertEquals(n, t.data().length, t.toString());
        }
    }

    @Test
    void mutatedConfigsAreLoadedOrRejected() throws IOException {
        Files.write(directory.resolve("model.safetensors"), WEIGHTS);
        Fuzzer.bytes("config.json", 2_000, random -> Mutations.mutate(random, CONFIGS), config -> {
            EmbeddingModel model = Fuzz.valueOrDocumentedError("config.json", config, () -> {
                Files.write(directory.resolve("config.json"), config);
                return EmbeddingModel.fromDirectory(directory);
            }, IllegalArgumentException.class);
            if (model != null) {
                assertHoldsWhatItsConfigSays(model);
            }
        });
    }

    @Test
    void mutatedSafetensorsAreReadOrRejected() {
        Path file = directory.resolve("fuzzed.safetensors");
        Fuzzer.bytes("safetensors", 3_000, random -> Mutations.mutate(random, SAFETENSORS), bytes -> {
            Map<String, WeightTensor> tensors = Fuzz.valueOrDocumentedError("Safetensors.read", bytes, () -> {
                Files.write(file, bytes);
                return Safetensors.read(file);
            }, IOException.class);
            if (tensors != null) {
                assertSaneShapes(tensors);
            }
        });
    }

    private static final long[] DIMENSIONS = {0, 1, 2, 3, 4, -1, -4, 1L << 31, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE};

    private static Object pick(SplittableRandom random, Object... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static long dimension(SplittableRandom random) {
        return random.nextBoolean() ? random.nextInt(5) : DIMENSIONS[random.nextInt(DIMENSIONS.length)];
    }

    /**
     * A header written from scratch: dtypes, shapes and offsets drawn from valid values and the ones that break
     * size arithmetic (negative, 2^31, 2^32, overflowing products), offsets often consistent with the shape, so
     * that the checks after the first are reached; then a data section of random length.
     */
    private static byte[] generatedSafetensors(SplittableRandom random) {
        Map<String, Object> header = new LinkedHashMap<>();
        int tensors = random.nextInt(4);
        long offset = 0;
        for (int i = 0; i < tensors; i++) {
            String dtype = (String) pick(random, "F32", "F16", "BF16", "I64", "");
            List<Long> shape = new ArrayList<>();
            for (int d = random.nextInt(4); d > 0; d--) {
                shape.add(dimension(random));
            }
            long count = 1;
            for (long d : shape) {
                count *= d; // overflowing on purpose, as a writer that trusted the shape would
            }
            long size = count * (dtype.equals("F32") ? 4 : 2);
            List<Long> offsets = random.nextInt(4) > 0 ? List.of(offset, offset + size)
                    : List.of(dimension(random), dimension(random));
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("dtype", dtype);
            spec.put("shape", random.nextInt(8) > 0 ? shape : pick(random, 3, "3", List.of(1.5), List.of("2")));
            spec.put("data_offsets", random.nextInt(8) > 0 ? offsets : pick(random, List.of(0), "0", List.of(0.0, 4.0)));
            header.put(random.nextInt(8) > 0 ? "t" + i : "__metadata__", spec);
            offset += Math.max(0, Math.min(size, 64));
        }
        try {
            byte[] json = random.nextInt(8) > 0 ? JSON.writeValueAsBytes(header)
                    : ((String) pick(random, "[]", "3", "null", "\"x\"", " ")).getBytes(StandardCharsets.UTF_8);
            byte[] data = Mutations.randomBytes(random, 128);
            return ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(json.length).put(json).put(data).array();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void generatedSafetensorsAreReadOrRejected() {
        Path file = directory.resolve("generated.safetensors");
        Fuzzer.bytes("generated safetensors", 3_000, ModelFilesFuzzTest::generatedSafetensors, bytes -> {
            Map<String, WeightTensor> tensors = Fuzz.valueOrDocumentedError("Safetensors.read", bytes, () -> {
                Files.write(file, bytes);
                return Safetensors.read(file);
            }, IOException.class);
            if (tensors != null) {
                assertSaneShapes(tensors);
            }
        });
    }

    @Test
    void aModelDirectoryWithMutatedWeightsIsLoadedOrRejected() {
        Fuzzer.bytes("model directory", 2_000, random -> Mutations.mutate(random, SAFETENSORS), weights -> {
            EmbeddingModel model = Fuzz.valueOrDocumentedError("model directory", weights, () -> {
                writeModel(CONFIGS.get(0), weights);
                return EmbeddingModel.fromDirectory(directory);
            }, IllegalArgumentException.class);
            if (model != null) {
                assertHoldsWhatItsConfigSays(model);
            }
        });
    }

    /** A tiny exported graph: one anonymous MatMul weight, a named bias, an int64 initializer that is skipped. */
    private static byte[] onnx() {
        ByteBuffer raw = ByteBuffer.allocate(4 * 6).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            raw.putFloat(i);
        }
        GraphProto graph = GraphProto.newBuilder()
                .addNode(NodeProto.newBuilder().setName("/encoder/layer.0/attention/self/query/MatMul")
                        .setOpType("MatMul").addInput("x").addInput("onnx::MatMul_7"))
                .addInitializer(TensorProto.newBuilder().setName("onnx::MatMul_7").addDims(2).addDims(3)
                        .setDataType(TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(raw.array())))
                .addInitializer(TensorProto.newBuilder().setName("encoder.layer.0.attention.self.query.bias")
                        .addDims(3).setDataType(TensorProto.DataType.FLOAT_VALUE)
                        .addFloatData(1).addFloatData(2).addFloatData(3))
                .addInitializer(TensorProto.newBuilder().setName("position_ids").addDims(2)
                        .setDataType(TensorProto.DataType.INT64_VALUE).addInt64Data(0).addInt64Data(1))
                .build();
        return ModelProto.newBuilder().setIrVersion(8).setGraph(graph).build().toByteArray();
    }

    @Test
    void theSeedOnnxGraphLoads() throws IOException {
        Map<String, WeightTensor> weights = OnnxWeights.load(onnx());
        assertEquals("[encoder.layer.0.attention.self.query.weight[3, 2], encoder.layer.0.attention.self.query.bias[3]]",
                weights.values().toString());
    }

    @Test
    void mutatedOnnxGraphsAreReadOrRejected() {
        List<byte[]> seeds = List.of(onnx());
        Fuzzer.bytes("ONNX initializers", 5_000, random -> Mutations.mutate(random, seeds), bytes -> {
            Map<String, WeightTensor> weights = Fuzz.valueOrDocumentedError("OnnxWeights", bytes,
                    () -> OnnxWeights.load(bytes), IOException.class, IllegalArgumentException.class);
            if (weights != null) {
                assertSaneShapes(weights);
            }
        });
    }

    // Regression inputs: what the fuzz tests found, kept as plain examples.

    /** A MatMul whose weight is not among the initializers threw an undocumented IllegalStateException. */
    @Test
    void anOnnxMatMulWeightThatIsNotAnInitializerIsAnIllegalArgument() {
        byte[] bytes = HexFormat.of().parseHex("08003ad6010a490a01000a0e6f6e6e783a3a00000000000000001a2c000000636f6465"
                + "722f6c617965722e302f617474656e74696f6e2f73656c662f71756572792f4d61744d756c22064d61744d756c2a300a02"
                + "02031001420e6f6e6e783a3a4d61746d756c5f374a18000000000000803f0000004000004040000080400000a0402a3e0a"
                + "01031001220c0000803f00000040000040404229656e636f6465722e6c617965722e302e617474656e74696f6e2e73656c"
                + "662e71756572792e626961732a170a010210073a020001420c706f736974696f6e5f696473");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxWeights.load(bytes));
        assertTrue(e.getMessage().startsWith("MatMul weight not among float initializers"), e.getMessage());
    }

    /** A MatMul weight that is not 2-D reached transpose2d, which threw an IllegalStateException. */
    @Test
    void anOnnxMatMulWeightThatIsNot2dIsAnIllegalArgument() throws IOException {
        GraphProto graph = GraphProto.newBuilder()
                .addNode(NodeProto.newBuilder().setName("/encoder/layer.0/output/dense/MatMul")
                        .setOpType("MatMul").addInput("x").addInput("onnx::MatMul_1"))
                .addInitializer(TensorProto.newBuilder().setName("onnx::MatMul_1").addDims(1).addDims(1).addDims(2)
                        .setDataType(TensorProto.DataType.FLOAT_VALUE).addFloatData(1).addFloatData(2))
                .build();
        byte[] bytes = ModelProto.newBuilder().setGraph(graph).build().toByteArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxWeights.load(bytes));
        assertTrue(e.getMessage().contains("is not 2-D"), e.getMessage());
    }

    private Map<String, WeightTensor> readSafetensors(String header) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        Path file = directory.resolve("regression.safetensors");
        Files.write(file, ByteBuffer.allocate(8 + json.length + 3).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).array());
        return Safetensors.read(file);
    }

    /**
     * A dimension whose product with the dtype's width overflows to the offsets' span (here 0) passed the offset
     * check; the tensor constructor then threw an IllegalArgumentException out of a reader documented to throw
     * IOException. Negative dimensions and products past 2^31 values are an invalid shape.
     */
    @Test
    void aShapeThatOverflowsOrIsNegativeIsAnInvalidShape() {
        for (String shape : new String[] {"[9223372036854775808]", "[-9223372036854775808]", "[4294967296, 4294967296]",
                                          "[-1, -4]", "[-1]", "3", "[1.5]", "[\"2\"]"}) {
            IOException e = assertThrows(IOException.class, () -> readSafetensors(
                    "{\"t\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0,0]}}"), shape);
            assertTrue(e.getMessage().contains("tensor t has an invalid shape") || e.getMessage().contains("no shape"),
                    e.getMessage());
        }
    }

    @Test
    void aHeaderThatIsNotAnObjectIsNotASafetensorsFile() {
        for (String header : new String[] {"[]", "3", "null", " "}) {
            IOException e = assertThrows(IOException.class, () -> readSafetensors(header), header);
            assertTrue(e.getMessage().contains("not a safetensors file"), e.getMessage());
        }
    }

    /**
     * A model directory whose safetensors held other tensors than its config.json names (here: none of them) was
     * loaded, and failed only when the encoder was built; and a config.json with a negative or underflowing
     * layer_norm_eps was loaded and would have made every vector NaN or garbage.
     */
    @Test
    void aModelWhoseWeightsDoNotMatchItsConfigurationIsRejectedWhenLoaded() throws IOException {
        writeModel(CONFIGS.get(0), safetensors(weights(1).subList(0, 3), "F16", "bert."));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EmbeddingModel.fromDirectory(directory));
        assertTrue(e.getMessage().contains("has no weight embeddings.LayerNorm.weight"), e.getMessage());

        writeModel(config(2).getBytes(StandardCharsets.UTF_8), WEIGHTS);
        e = assertThrows(IllegalArgumentException.class, () -> EmbeddingModel.fromDirectory(directory));
        assertTrue(e.getMessage().contains("has no weight encoder.layer.1."), e.getMessage());

        writeModel(config(1).replace("\"intermediate_size\": 8", "\"intermediate_size\": 12")
                .getBytes(StandardCharsets.UTF_8), WEIGHTS);
        e = assertThrows(IllegalArgumentException.class, () -> EmbeddingModel.fromDirectory(directory));
        assertTrue(e.getMessage().contains("encoder.layer.0.intermediate.dense.weight[8, 4] does not have the shape "
                + "its configuration gives, [12, 4]"), e.getMessage());

        for (String eps : new String[] {"-2", "1e-92", "0", "\"1e-12\"", "1"}) {
            writeModel(config(1).replace("1e-12", eps).getBytes(StandardCharsets.UTF_8), WEIGHTS);
            e = assertThrows(IllegalArgumentException.class, () -> EmbeddingModel.fromDirectory(directory), eps);
            assertTrue(e.getMessage().contains("invalid layer_norm_eps"), e.getMessage());
        }
    }
}
