package io.streamvec.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class EmbeddedSchemaRegistryTest {

    @Test
    void idsAreDeterministicAcrossInstancesAndDistinct() {
        EmbeddedSchemaRegistry a = EmbeddedSchemaRegistry.bundled();
        EmbeddedSchemaRegistry b = EmbeddedSchemaRegistry.bundled();
        Set<Integer> ids = new HashSet<>();
        for (Schema schema : EmbeddedSchemaRegistry.BUNDLED_SCHEMAS) {
            int id = a.register("x-value", schema);
            assertEquals(id, b.register("other-value", schema), "the subject does not change an embedded id");
            assertTrue(id > 0);
            assertEquals(schema, b.schemaById(id));
            ids.add(id);
        }
        assertEquals(EmbeddedSchemaRegistry.BUNDLED_SCHEMAS.size(), ids.size(), "ids are distinct");
    }

    @Test
    void idsFollowTheSchemaNotTheProcess() {
        // An evolved schema gets a different id; the same text parsed anew gets the same id.
        Schema song = EmbeddedSchemaRegistry.BUNDLED_SCHEMAS.get(4);
        Schema reparsed = new Schema.Parser().parse(song.toString());
        assertEquals(EmbeddedSchemaRegistry.idOf(song), EmbeddedSchemaRegistry.idOf(reparsed));
        Schema evolved = new Schema.Parser().parse(song.toString().replace("\"name\":\"artist\"", "\"name\":\"band\""));
        assertNotEquals(EmbeddedSchemaRegistry.idOf(song), EmbeddedSchemaRegistry.idOf(evolved));
    }

    @Test
    void everySchemaFileInSchemasDirectoryIsKnown() throws IOException {
        Set<String> known = EmbeddedSchemaRegistry.BUNDLED_SCHEMAS.stream()
                .flatMap(EmbeddedSchemaRegistryTest::namedTypes).collect(Collectors.toSet());
        List<Path> files;
        try (Stream<Path> list = Files.list(Path.of("schemas"))) {
            files = list.filter(p -> p.toString().endsWith(".avsc")).toList();
        }
        assertTrue(files.size() >= 6, "schemas/ holds the product's schemas");
        Schema.Parser parser = new Schema.Parser();
        for (Path file : List.of(Path.of("schemas/Span.avsc"), Path.of("schemas/Recommendation.avsc"))) {
            parser.parse(file.toFile());
        }
        for (Path file : files) {
            String name = Files.readString(file).replaceAll("(?s).*?\"name\"\\s*:\\s*\"(\\w+)\".*", "$1");
            assertTrue(known.contains("io.streamvec.avro." + name), file + " is not bundled in the registry");
        }
    }

    private static Stream<String> namedTypes(Schema schema) {
        Set<String> names = new HashSet<>();
        collect(schema, names);
        return names.stream();
    }

    private static void collect(Schema schema, Set<String> names) {
        switch (schema.getType()) {
            case RECORD -> {
                if (names.add(schema.getFullName())) {
                    schema.getFields().forEach(f -> collect(f.schema(), names));
                }
            }
            case ENUM, FIXED -> names.add(schema.getFullName());
            case ARRAY -> collect(schema.getElementType(), names);
            case MAP -> collect(schema.getValueType(), names);
            case UNION -> schema.getTypes().forEach(t -> collect(t, names));
            default -> { }
        }
    }
}
