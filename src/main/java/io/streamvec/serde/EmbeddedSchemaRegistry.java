package io.streamvec.serde;

import io.streamvec.avro.ModelDelta;
import io.streamvec.avro.PendingEmbedding;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.avro.Song;
import io.streamvec.avro.SongRecommendations;
import io.streamvec.avro.TextEmbedding;
import io.streamvec.avro.TextEvent;
import io.streamvec.avro.EmbeddedTexts;
import io.streamvec.avro.TextNeighbors;
import io.streamvec.avro.TokenEmbeddings;
import io.streamvec.avro.TokenizedText;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * A schema registry without a server. A schema's id is derived from its Avro parsing fingerprint, so
 * every process that knows the same {@code schemas/} agrees on the ids without talking to anyone.
 * Subjects are accepted but do not change ids.
 */
public final class EmbeddedSchemaRegistry implements SchemaRegistry {

    /** The top-level record schemas of {@code schemas/}, as compiled into the generated classes. */
    public static final List<Schema> BUNDLED_SCHEMAS = List.of(
            TextEvent.getClassSchema(),
            TokenizedText.getClassSchema(),
            TextEmbedding.getClassSchema(),
            PlaylistEvent.getClassSchema(),
            Song.getClassSchema(),
            SongRecommendations.getClassSchema(),
            PendingEmbedding.getClassSchema(),
            ModelDelta.getClassSchema(),
            TokenEmbeddings.getClassSchema(),
            TextNeighbors.getClassSchema(),
            EmbeddedTexts.getClassSchema());

    private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();

    private EmbeddedSchemaRegistry(List<Schema> schemas) {
        schemas.forEach(this::add);
    }

    /** A registry that knows every schema in {@code schemas/}. */
    public static EmbeddedSchemaRegistry bundled() {
        return new EmbeddedSchemaRegistry(BUNDLED_SCHEMAS);
    }

    /**
     * The id of a schema: the low 31 bits of its 64-bit parsing fingerprint (CRC-64-AVRO), so never
     * negative; 0 is mapped to 1 to keep ids positive like a registry's.
     */
    public static int idOf(Schema schema) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        int id = (int) (fingerprint & 0x7fffffffL);
        return id == 0 ? 1 : id;
    }

    private int add(Schema schema) {
        int id = idOf(schema);
        Schema previous = byId.putIfAbsent(id, schema);
        if (previous != null && !SchemaNormalization.toParsingForm(previous)
                .equals(SchemaNormalization.toParsingForm(schema))) {
            throw new SchemaRegistryException("schema id collision: " + previous.getFullName() + " and "
                    + schema.getFullName() + " both derive id " + id);
        }
        return id;
    }

    @Override
    public int register(String subject, Schema schema) {
        return add(schema);
    }

    @Override
    public Schema schemaById(int id) {
        Schema schema = byId.get(id);
        if (schema == null) {
            throw new SchemaRegistryException("unknown schema id " + id + " (the embedded registry knows "
                    + byId.size() + " schemas)");
        }
        return schema;
    }

    @Override
    public String describe() {
        return "embedded schema registry (" + byId.size() + " schemas)";
    }
}
