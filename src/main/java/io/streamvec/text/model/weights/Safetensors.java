package io.streamvec.text.model.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the Hugging Face safetensors format: an 8-byte little-endian header length, a JSON header
 * ({@code name -> {dtype, shape, data_offsets}}), then the raw little-endian tensor data. F32, F16 and
 * BF16 tensors are returned as fp32.
 */
public final class Safetensors {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L * 1024 * 1024;

    private Safetensors() {}

    public static Map<String, WeightTensor> read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > size) {
                throw new IOException(file + " is not a safetensors file (header length " + headerLength + ")");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            JsonNode root = JSON.readTree(header.array());
            if (root == null || !root.isObject()) {
                throw new IOException(file + " is not a safetensors file (its header is not a JSON object)");
            }
            long dataStart = 8 + headerLength;
            ByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, dataStart, size - dataStart)
                    .order(ByteOrder.LITTLE_ENDIAN);
            Map<String, WeightTensor> tensors = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (entry.getKey().equals("__metadata__")) {
                    continue;
                }
                tensors.put(entry.getKey(), tensor(file, entry.getKey(), entry.getValue(), data));
            }
            return tensors;
        }
    }

    private static WeightTensor tensor(Path file, String name, JsonNode spec, ByteBuffer data) throws IOException {
        String dtype = spec.path("dtype").asText();
        int width = switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> throw new IOException(file + ": tensor " + name + " has dtype " + dtype
                    + "; streamvec reads F32, F16 and BF16");
        };
        JsonNode shapeNode = spec.path("shape");
        if (!shapeNode.isArray()) {
            throw new IOException(file + ": tensor " + name + " has no shape array");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            shape[i] = d.isIntegralNumber() && d.canConvertToLong() ? d.asLong() : -1;
        }
        long count = WeightTensor.elements(shape);
        if (count < 0) {
            throw new IOException(file + ": tensor " + name + " has an invalid shape " + brief(shapeNode));
        }
        JsonNode offsets = spec.path("data_offsets");
        long begin = offsets.path(0).isIntegralNumber() ? offsets.path(0).asLong(-1) : -1;
        long end = offsets.path(1).isIntegralNumber() ? offsets.path(1).asLong(-1) : -1;
        if (offsets.size() != 2 || begin < 0 || end > data.capacity() || end - begin != count * width) {
            throw new IOException(file + ": tensor " + name + " has inconsistent offsets " + brief(offsets) + " for "
                    + count + " " + dtype + " values");
        }
        float[] values = new float[(int) count];
        int offset = (int) begin;
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (dtype) {
                case "F32" -> data.getFloat(offset + 4 * i);
                case "F16" -> halfToFloat(data.getShort(offset + 2 * i));
                default -> Float.intBitsToFloat((data.getShort(offset + 2 * i) & 0xffff) << 16);
            };
        }
        return new WeightTensor(name, shape, values);
    }

    /** A JSON value from the file for a message: at most 80 characters of it. */
    private static String brief(JsonNode node) {
        String text = node.toString();
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }

    /** IEEE 754 binary16 to binary32 (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13)); // infinity or NaN
        }
        if (exponent == 0) {
            float subnormal = mantissa * 0x1p-24f; // zero or subnormal
            return sign == 0 ? subnormal : -subnormal;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            at += n;
        }
    }
}
