package io.streamvec.serde;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The Confluent wire format: magic byte {@code 0}, the writer schema's id as a 4-byte big-endian int,
 * then the Avro binary encoding of the value.
 */
public final class WireFormat {

    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private WireFormat() {}

    /** Writes the 5-byte header for {@code schemaId} into {@code out} at offset 0. */
    public static void writeHeader(byte[] out, int schemaId) {
        out[0] = MAGIC_BYTE;
        ByteBuffer.wrap(out, 1, 4).putInt(schemaId);
    }

    /** True when {@code data} starts like a wire-format record (magic byte 0). */
    public static boolean looksFramed(byte[] data) {
        return data != null && data.length > 0 && data[0] == MAGIC_BYTE;
    }

    /** The schema id of a framed record; throws a {@link SerializationException} naming the topic otherwise. */
    public static int schemaId(String topic, byte[] data) {
        if (data.length < HEADER_SIZE) {
            throw new SerializationException(problem(topic, "record of " + data.length
                    + " bytes is shorter than the 5-byte Confluent wire-format header"));
        }
        if (data[0] != MAGIC_BYTE) {
            throw new SerializationException(problem(topic, String.format(
                    "unknown magic byte 0x%02x (the Confluent wire format starts with 0x00)", data[0] & 0xff)));
        }
        return ByteBuffer.wrap(data, 1, 4).getInt();
    }

    static String problem(String topic, String what) {
        return "cannot deserialize a record from topic '" + topic + "': " + what;
    }
}
