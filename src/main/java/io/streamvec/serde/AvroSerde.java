package io.streamvec.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde for a generated Avro class in the Confluent wire format. The serializer registers the class's
 * schema under {@code <topic>-value}; the deserializer resolves the writer schema by id, so records
 * written with an older or newer compatible schema still read. Thread-safe.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

    static {
        // A corrupt length prefix must not make Avro allocate gigabytes (an OutOfMemoryError would escape
        // the dead-letter handling): bound strings, bytes and collections well above any valid record.
        setIfAbsent("org.apache.avro.limits.string.maxLength", 16 * 1024 * 1024);
        setIfAbsent("org.apache.avro.limits.bytes.maxLength", 16 * 1024 * 1024);
        setIfAbsent("org.apache.avro.limits.collectionItems.maxLength", 1_000_000);
    }

    private static void setIfAbsent(String property, int value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Integer.toString(value));
        }
    }

    private final Schema readerSchema;
    private final SchemaRegistry registry;
    private final SpecificDatumWriter<T> writer;
    private final Map<String, Integer> idByTopic = new ConcurrentHashMap<>();
    private final Map<Integer, DatumReader<T>> readerById = new ConcurrentHashMap<>();

    public AvroSerde(Class<T> type, SchemaRegistry registry) {
        this.readerSchema = SpecificData.get().getSchema(type);
        this.registry = registry;
        this.writer = new SpecificDatumWriter<>(readerSchema);
    }

    public Schema schema() {
        return readerSchema;
    }

    @Override
    public Serializer<T> serializer() {
        return this::serialize;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this::deserialize;
    }

    public byte[] serialize(String topic, T value) {
        if (value == null) {
            return null;
        }
        int id = idByTopic.computeIfAbsent(topic, t -> registry.register(t + "-value", readerSchema));
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        byte[] header = new byte[WireFormat.HEADER_SIZE];
        WireFormat.writeHeader(header, id);
        out.writeBytes(header);
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.write(value, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot serialize a " + readerSchema.getName() + " for topic '" + topic
                    + "': " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        int id = WireFormat.schemaId(topic, data);
        DatumReader<T> reader;
        try {
            reader = readerById.computeIfAbsent(id, this::readerFor);
        } catch (SchemaRegistryException e) {
            throw new SchemaRegistryException(WireFormat.problem(topic, e.getMessage()), e.isTransient(), e);
        } catch (SerializationException e) {
            throw new SerializationException(WireFormat.problem(topic, e.getMessage()), e);
        }
        BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, null);
        T value;
        try {
            value = reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            // Avro reports corrupt input as EOF, AvroRuntimeException, UnsupportedOperationException (absurd
            // lengths), array index and cast errors: all mean the bytes are not a valid record.
            throw new SerializationException(WireFormat.problem(topic, "corrupt or truncated Avro "
                    + readerSchema.getName() + " payload (schema id " + id + "): " + e), e);
        }
        try {
            if (!decoder.isEnd()) {
                throw new SerializationException(WireFormat.problem(topic, "trailing bytes after the "
                        + readerSchema.getName() + " record (schema id " + id + ")"));
            }
        } catch (IOException e) {
            throw new SerializationException(WireFormat.problem(topic, e.toString()), e);
        }
        return value;
    }

    private DatumReader<T> readerFor(int id) {
        Schema writerSchema = registry.schemaById(id);
        if (!writerSchema.getFullName().equals(readerSchema.getFullName())) {
            throw new SerializationException("schema id " + id + " is " + writerSchema.getFullName() + ", expected "
                    + readerSchema.getFullName());
        }
        return new SpecificDatumReader<>(writerSchema, readerSchema);
    }
}
