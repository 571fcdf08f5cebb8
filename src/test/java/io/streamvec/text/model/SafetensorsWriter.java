package io.streamvec.text.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.text.model.weights.WeightTensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test helper: writes tensors in the safetensors format (F32, or F16 with round-to-nearest-even). */
final class SafetensorsWriter {

    private SafetensorsWriter() {}

    static void write(Path file, Map<String, WeightTensor> tensors, String prefix, boolean f16) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        int width = f16 ? 2 : 4;
        for (WeightTensor t : tensors.values()) {
            long size = (long) t.data().length * width;
            header.put(prefix + t.name(), Map.of("dtype", f16 ? "F16" : "F32",
                    "shape", java.util.Arrays.stream(t.shape()).boxed().toList(), "data_offsets", List.of(offset, offset + size)));
            offset += size;
        }
        byte[] json = new ObjectMapper().writeValueAsBytes(header);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            out.write(json);
            for (WeightTensor t : tensors.values()) {
                ByteBuffer b = ByteBuffer.allocate(t.data().length * width).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : t.data()) {
                    if (f16) {
                        b.putShort(floatToHalf(v));
                    } else {
                        b.putFloat(v);
                    }
                }
                out.write(b.array());
            }
        }
    }

    /** binary32 to binary16, round to nearest even; no NaN handling needed for weights. */
    static short floatToHalf(float value) {
        int bits = Float.floatToIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = ((bits >>> 23) & 0xff) - 127 + 15;
        int mantissa = bits & 0x7fffff;
        if (exponent <= 0) {
            if (exponent < -10) {
                return (short) sign;
            }
            mantissa |= 0x800000;
            int shift = 14 - exponent;
            int half = mantissa >> shift;
            int rest = mantissa & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (half & 1) == 1)) {
                half++;
            }
            return (short) (sign | half);
        }
        if (exponent >= 31) {
            return (short) (sign | 0x7c00);
        }
        int half = (exponent << 10) | (mantissa >> 13);
        int rest = mantissa & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) (sign | half);
    }

    static String bertConfigJson(int hidden, int heads, int layers, int intermediate, int positions) {
        return String.format(java.util.Locale.ROOT, "{\"model_type\": \"bert\", \"hidden_act\": \"gelu\", "
                + "\"hidden_size\": %d, \"num_attention_heads\": %d, \"num_hidden_layers\": %d, "
                + "\"intermediate_size\": %d, \"max_position_embeddings\": %d, \"layer_norm_eps\": 1e-12, "
                + "\"vocab_size\": 30522, \"type_vocab_size\": 2}", hidden, heads, layers, intermediate, positions);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
