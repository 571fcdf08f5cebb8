package io.streamvec.serde;

import org.apache.avro.Schema;

/**
 * Where Avro writer schemas live, addressed by the 4-byte id that the Confluent wire format carries.
 *
 * <p>Two implementations: {@link EmbeddedSchemaRegistry} (no server; ids derived from the schemas in
 * {@code schemas/}) and {@link ConfluentSchemaRegistryClient} (the Confluent Schema Registry REST API).
 * Implementations are thread-safe.
 */
public interface SchemaRegistry extends AutoCloseable {

    /** Registers {@code schema} under {@code subject} (or finds it there) and returns its id. */
    int register(String subject, Schema schema);

    /** The schema with this id; throws {@link SchemaRegistryException} when the registry has none. */
    Schema schemaById(int id);

    /** A short description for logs: never contains credentials. */
    String describe();

    @Override
    default void close() {}

    /** The embedded registry when {@code url} is blank, else a client for the registry at {@code url}. */
    static SchemaRegistry forUrl(String url) {
        if (url == null || url.isBlank()) {
            return EmbeddedSchemaRegistry.bundled();
        }
        return new ConfluentSchemaRegistryClient(url);
    }
}
