package io.streamvec.text.model.weights;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.streamvec.text.model.weights.onnx.OnnxProto.GraphProto;
import io.streamvec.text.model.weights.onnx.OnnxProto.ModelProto;
import io.streamvec.text.model.weights.onnx.OnnxProto.NodeProto;
import io.streamvec.text.model.weights.onnx.OnnxProto.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the fp32 initializers of a PyTorch-exported BERT ONNX graph and returns them under Hugging Face
 * state-dict names, in Hugging Face orientation.
 *
 * <p>The exporter names biases, LayerNorm parameters and embedding tables after the PyTorch module
 * (for example {@code encoder.layer.0.attention.self.query.bias}), but the dense weights are folded
 * into anonymous initializers such as {@code onnx::MatMul_787}, stored transposed as {@code [in, out]}.
 * Their identity comes from the MatMul node that consumes them: node
 * {@code /encoder/layer.0/attention/self/query/MatMul} reading {@code onnx::MatMul_787} means that
 * tensor is {@code encoder.layer.0.attention.self.query.weight}. This loader renames such tensors and
 * transposes them back to {@code [out, in]}, the layout of {@code torch.nn.Linear.weight}.
 */
public final class OnnxWeights {

    private OnnxWeights() {}

    /**
     * Loads all float initializers; non-float ones (e.g. int64 {@code position_ids}) are skipped. Throws an
     * {@link IOException} when the bytes are not an ONNX model, an {@link IllegalArgumentException} when the
     * graph's initializers are not what this loader reads (external data, a shape that does not match its data,
     * a MatMul weight that is missing, not 2-D or consumed by two modules).
     */
    public static Map<String, WeightTensor> load(InputStream in) throws IOException {
        CodedInputStream cis = CodedInputStream.newInstance(in);
        cis.setSizeLimit(Integer.MAX_VALUE);
        ModelProto model = ModelProto.parseFrom(cis);
        return fromGraph(model.getGraph());
    }

    /** Same as {@link #load(InputStream)} for a model already in memory. */
    public static Map<String, WeightTensor> load(byte[] onnxModel) throws IOException {
        return fromGraph(ModelProto.parseFrom(onnxModel).getGraph());
    }

    static Map<String, WeightTensor> fromGraph(GraphProto graph) {
        // initializer name -> HF weight name, from the MatMul nodes that consume anonymous initializers
        Map<String, String> renames = new HashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            if (!"MatMul".equals(node.getOpType()) || node.getInputCount() != 2) {
                continue;
            }
            String weight = node.getInput(1);
            if (!weight.startsWith("onnx::")) {
                continue; // activation x activation MatMul inside attention, or an already named weight
            }
            String hfName = moduleName(node.getName()) + ".weight";
            String previous = renames.put(weight, hfName);
            if (previous != null && !previous.equals(hfName)) {
                throw new IllegalArgumentException(weight + " consumed by both " + previous + " and " + hfName);
            }
        }

        Map<String, WeightTensor> out = new LinkedHashMap<>();
        for (TensorProto t : graph.getInitializerList()) {
            if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
                continue;
            }
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                throw new IllegalArgumentException("external tensor data not supported: " + t.getName());
            }
            long[] shape = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
            WeightTensor w = new WeightTensor(t.getName(), shape, floats(t));
            String hfName = renames.get(t.getName());
            if (hfName != null) {
                if (w.shape().length != 2) {
                    throw new IllegalArgumentException("MatMul weight " + t.getName() + " for " + hfName
                            + " is not 2-D: " + w);
                }
                w = w.transpose2d(hfName); // ONNX [in, out] -> torch Linear [out, in]
            }
            if (out.put(w.name(), w) != null) {
                throw new IllegalArgumentException("duplicate weight " + w.name());
            }
        }
        for (String hfName : renames.values()) {
            if (!out.containsKey(hfName)) {
                throw new IllegalArgumentException("MatMul weight not among float initializers: " + hfName);
            }
        }
        return out;
    }

    /** {@code /encoder/layer.0/attention/self/query/MatMul} -> {@code encoder.layer.0.attention.self.query}. */
    static String moduleName(String nodeName) {
        String s = nodeName.startsWith("/") ? nodeName.substring(1) : nodeName;
        int slash = s.lastIndexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("unexpected MatMul node name: " + nodeName);
        }
        return s.substring(0, slash).replace('/', '.');
    }

    private static float[] floats(TensorProto t) {
        if (!t.getRawData().isEmpty()) {
            ByteString raw = t.getRawData();
            if (raw.size() % Float.BYTES != 0) {
                throw new IllegalArgumentException(t.getName() + ": raw_data size " + raw.size());
            }
            FloatBuffer fb = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] data = new float[fb.remaining()];
            fb.get(data);
            return data;
        }
        float[] data = new float[t.getFloatDataCount()];
        for (int i = 0; i < data.length; i++) {
            data[i] = t.getFloatData(i);
        }
        return data;
    }
}
