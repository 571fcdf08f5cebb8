package io.streamvec.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.streamvec.avro.ModelDelta;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.avro.Song;
import io.streamvec.avro.TextEvent;
import io.streamvec.fuzz.Fuzz;
import io.streamvec.fuzz.Fuzzer;
import io.streamvec.fuzz.Mutations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes what streamvec reads from Kafka topics: the Confluent wire-format header, the Avro records of the
 * topics that outside producers (or other replicas) write, and the plain-text path of {@code text-events}.
 * Any input is read into a value that can be written and read again, or rejected with a
 * {@link SerializationException} (or, for an id the registry does not know, a {@link SchemaRegistryException})
 * that the dead-letter handler turns into a dead letter; nothing else may escape. See docs/architecture.md,
 * "Fuzz tests".
 */
class WireFormatFuzzTest {

    private static final SchemaRegistry REGISTRY = EmbeddedSchemaRegistry.bundled();

    /**
     * One deserializer of outside bytes: its topic, how it reads, how a value it returned is written again,
     * and valid encodings to mutate. Adding a target is one entry in {@link #TARGETS}.
     */
    record Target(String topic, Function<byte[], Object> read, Function<Object, byte[]> write, List<byte[]> seeds) {}

    private static <T extends SpecificRecord> Target avro(String topic, Class<T> type, List<T> values) {
        AvroSerde<T> serde = new AvroSerde<>(type, REGISTRY);
        return new Target(topic, bytes -> serde.deserialize(topic, bytes),
                value -> serde.serialize(topic, type.cast(value)),
                values.stream().map(v -> serde.serialize(topic, v)).toList());
    }

    private static Target textEvents() {
        TextEventDeserializer deserializer = new TextEventDeserializer(REGISTRY);
        AvroSerde<TextEvent> serde = new AvroSerde<>(TextEvent.class, REGISTRY);
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(serde.serialize("text-events",
                TextEvent.newBuilder().setId("e-1").setText("héllo 🚀").setTimestampMs(5L).build()));
        seeds.add(serde.serialize("text-events", TextEvent.newBuilder().setText("").build()));
        seeds.add("plain UTF-8 text, with\ttabs\r\nand lines: Grüße 🚀".getBytes(StandardCharsets.UTF_8));
        seeds.add("x".getBytes(StandardCharsets.UTF_8));
        return new Target("text-events", bytes -> deserializer.deserialize("text-events", bytes),
                value -> serde.serialize("text-events", (TextEvent) value), seeds);
    }

    private static ByteBuffer floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.flip();
    }

    private static final Target TEXT_EVENTS = textEvents();
    private static final Target PLAYLIST_EVENTS = avro("playlist-events", PlaylistEvent.class, List.of(
            PlaylistEvent.newBuilder().setPlaylistId("p-1").setSongIds(List.of("1", "22", "333"))
                    .setTimestampMs(1_700_000_000_000L).build(),
            PlaylistEvent.newBuilder().setPlaylistId("").setSongIds(List.of()).setTimestampMs(-1L)
                    .setPlaylistComplete(true).build()));

    static final List<Target> TARGETS = List.of(
            TEXT_EVENTS,
            PLAYLIST_EVENTS,
            avro("songs", Song.class, List.of(
                    Song.newBuilder().setId("7").setTitle("Roundabout").setArtist("Yes").build(),
                    Song.newBuilder().setId("8").setTitle(null).setArtist(null).build())),
            avro("song2vec-model-deltas", ModelDelta.class, List.of(
                    ModelDelta.newBuilder().setSource("app/0_1").setDim(2).setSongIds(List.of("1", "2"))
                            .setCountDeltas(List.of(3L, 1L)).setInput(floats(0.5f, -1, 2, 0))
                            .setOutput(floats(0, 0, 1e-3f, 7)).build())));

    /** Every target's seeds: a valid record of one topic is a hostile input for another. */
    private static final List<byte[]> SEEDS = TARGETS.stream().flatMap(t -> t.seeds().stream()).toList();

    /** Reads {@code bytes} with {@code target}; a value must be written again and read back equal. */
    private static void readOrReject(Target target, byte[] bytes) {
        Object value = Fuzz.valueOrDocumentedError(target.topic(), bytes, () -> target.read().apply(bytes),
                SerializationException.class, SchemaRegistryException.class);
        if (value != null) {
            byte[] again = Fuzz.valueOrDocumentedError(target.topic() + " (writing back what it read)", bytes,
                    () -> target.write().apply(value));
            assertEquals(value, target.read().apply(again),
                    "a value read from " + Fuzz.describe(bytes) + " reads back equal after writing");
        }
    }

    /** A valid header (magic byte and a known schema id) before random bytes, to reach the Avro decoder. */
    private static byte[] framedNoise(SplittableRandom random) {
        byte[] body = Mutations.randomBytes(random, 64);
        int id = EmbeddedSchemaRegistry.idOf(EmbeddedSchemaRegistry.BUNDLED_SCHEMAS.get(
                random.nextInt(EmbeddedSchemaRegistry.BUNDLED_SCHEMAS.size())));
        byte[] out = new byte[WireFormat.HEADER_SIZE + body.length];
        WireFormat.writeHeader(out, id);
        System.arraycopy(body, 0, out, WireFormat.HEADER_SIZE, body.length);
        return out;
    }

    @Test
    void mutatedRecordsAreReadOrRejected() {
        for (Target target : TARGETS) {
            Fuzzer.bytes("mutated " + target.topic(), 4_000, random -> Mutations.mutate(random, SEEDS),
                    bytes -> readOrReject(target, bytes));
        }
    }

    @Test
    void randomBytesAreReadOrRejected() {
        for (Target target : TARGETS) {
            Fuzzer.bytes("random " + target.topic(), 2_000,
                    random -> random.nextBoolean() ? framedNoise(random) : Mutations.randomBytes(random, 64),
                    bytes -> readOrReject(target, bytes));
        }
    }

    @Test
    void theHeaderIsReadOrRejected() {
        Fuzzer.bytes("WireFormat.schemaId", 5_000,
                random -> random.nextBoolean() ? framedNoise(random) : Mutations.randomBytes(random, 8), bytes -> {
                    Integer id = Fuzz.valueOrDocumentedError("WireFormat.schemaId", bytes,
                            () -> WireFormat.schemaId("t", bytes), SerializationException.class);
                    if (id != null) {
                        assertEquals(ByteBuffer.wrap(bytes, 1, 4).getInt(), id.intValue());
                    }
                });
    }

    /**
     * Generated plain text (not starting with U+0000, the wire format's magic byte) is read back exactly, or
     * rejected because it holds a control character other than whitespace.
     */
    @Test
    void plainTextIsReadExactlyOrRejectedAsBinary() {
        Fuzzer.strings("plain text", 10_000, random -> random.nextBoolean() ? Fuzzer.anyString(random, 40)
                : Fuzzer.string(random, 40, "\t\n\r\u0001\u007f\u0085\u00a0é🚀"), generated -> {
                    byte[] bytes = generated.getBytes(StandardCharsets.UTF_8);
                    if (bytes.length > 0 && bytes[0] == 0) {
                        return;
                    }
                    String text = new String(bytes, StandardCharsets.UTF_8); // a lone surrogate was sent as '?'
                    TextEvent event = (TextEvent) Fuzz.valueOrDocumentedError(TEXT_EVENTS.topic(), bytes,
                            () -> TEXT_EVENTS.read().apply(bytes), SerializationException.class);
                    if (text.chars().anyMatch(c -> Character.isISOControl(c) && !Character.isWhitespace(c))) {
                        assertNull(event, "accepted as text: " + Fuzz.describe(text));
                    } else {
                        assertNotNull(event, "rejected: " + Fuzz.describe(text));
                        assertEquals(text, event.getText());
                    }
                });
    }

    /** Generated valid records are read back exactly, and every proper prefix of them is rejected. */
    @Test
    void generatedPlaylistEventsRoundTripAndTheirPrefixesAreRejected() {
        Fuzzer.values("generated playlist events", 300, random -> {
            List<String> songs = new ArrayList<>();
            for (int i = random.nextInt(8); i > 0; i--) {
                songs.add(Fuzzer.anyString(random, 12));
            }
            return PlaylistEvent.newBuilder().setPlaylistId(Fuzzer.anyString(random, 12)).setSongIds(songs)
                    .setTimestampMs(random.nextLong()).setPlaylistComplete(random.nextBoolean()).build();
        }, event -> {
            byte[] bytes = PLAYLIST_EVENTS.write().apply(event);
            PlaylistEvent read = (PlaylistEvent) PLAYLIST_EVENTS.read().apply(bytes);
            // Avro writes a lone surrogate as '?', like String.getBytes: compare with what was written.
            assertArrayEquals(bytes, PLAYLIST_EVENTS.write().apply(read));
            for (int cut = 0; cut < bytes.length; cut++) {
                byte[] prefix = Arrays.copyOf(bytes, cut);
                assertNull(Fuzz.valueOrDocumentedError(PLAYLIST_EVENTS.topic(), prefix,
                        () -> PLAYLIST_EVENTS.read().apply(prefix), SerializationException.class),
                        "a truncated record was read as a value: " + Fuzz.describe(prefix));
            }
        });
    }
}
