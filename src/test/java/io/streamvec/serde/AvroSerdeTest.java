package io.streamvec.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.avro.PlaylistEvent;
import io.streamvec.avro.Recommendation;
import io.streamvec.avro.RecommendationKind;
import io.streamvec.avro.Song;
import io.streamvec.avro.SongRecommendations;
import io.streamvec.avro.Span;
import io.streamvec.avro.TextEmbedding;
import io.streamvec.avro.TextEvent;
import io.streamvec.avro.TokenizedText;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    private final SchemaRegistry registry = EmbeddedSchemaRegistry.bundled();

    private <T extends SpecificRecord> T roundTrip(Class<T> type, T value) {
        AvroSerde<T> serde = new AvroSerde<>(type, registry);
        byte[] bytes = serde.serialize("topic", value);
        assertEquals(0, bytes[0], "magic byte");
        assertEquals(EmbeddedSchemaRegistry.idOf(serde.schema()), ByteBuffer.wrap(bytes, 1, 4).getInt(),
                "schema id, big-endian, after the magic byte");
        return serde.deserialize("topic", bytes);
    }

    @Test
    void everyTopicValueRoundTrips() {
        TextEvent event = TextEvent.newBuilder().setId("a").setText("héllo 🚀").setTimestampMs(42L).build();
        assertEquals(event, roundTrip(TextEvent.class, event));

        TokenizedText tokens = TokenizedText.newBuilder().setSourceId("a").setTokenizer("t")
                .setTokenIds(List.of(101, 7592, 102)).setTokens(List.of("[CLS]", "hello", "[SEP]"))
                .setOffsets(List.of(new Span(0, 0), new Span(0, 5), new Span(0, 0)))
                .setTruncated(false).setEventTimestampMs(7L).build();
        assertEquals(tokens, roundTrip(TokenizedText.class, tokens));

        TextEmbedding embedding = TextEmbedding.newBuilder().setSourceId("a").setModel("m").setDimension(3)
                .setVector(List.of(0.1f, -0.2f, 0.3f)).setTokenCount(3).setTruncated(true)
                .setEventTimestampMs(1L).setProcessingTimestampMs(2L).build();
        assertEquals(embedding, roundTrip(TextEmbedding.class, embedding));

        PlaylistEvent playlist = PlaylistEvent.newBuilder().setPlaylistId("p").setSongIds(List.of("1", "2"))
                .setTimestampMs(3L).build();
        assertEquals(playlist, roundTrip(PlaylistEvent.class, playlist));

        Song song = Song.newBuilder().setId("7").setTitle("Roundabout").setArtist(null).build();
        assertEquals(song, roundTrip(Song.class, song));

        SongRecommendations recs = SongRecommendations.newBuilder().setKind(RecommendationKind.SIMILAR_SONGS)
                .setSongId("7").setPlaylistId(null)
                .setRecommendations(List.of(new Recommendation("8", 0.9f, "t", "a"), new Recommendation("9", 0.5f, null, null)))
                .setModelUpdates(10L).setTimestampMs(11L).build();
        assertEquals(recs, roundTrip(SongRecommendations.class, recs));
    }

    @Test
    void aModelDeltaWrittenWithANewerSchemaIsReadWithoutTheFieldsThisVersionDoesNotKnow() throws Exception {
        // A replica of a newer version adds a field (with a default, as compatible evolution requires).
        org.apache.avro.Schema ours = io.streamvec.avro.ModelDelta.getClassSchema();
        // ... in the middle, so that reading it as our own schema would misread every field after it.
        List<org.apache.avro.Schema.Field> fields = new java.util.ArrayList<>();
        for (org.apache.avro.Schema.Field field : ours.getFields()) {
            fields.add(new org.apache.avro.Schema.Field(field, field.schema()));
            if (field.name().equals("source")) {
                fields.add(new org.apache.avro.Schema.Field("compression",
                        org.apache.avro.Schema.create(org.apache.avro.Schema.Type.STRING), "added later", "none"));
            }
        }
        org.apache.avro.Schema newer = org.apache.avro.Schema.createRecord(ours.getName(), ours.getDoc(),
                ours.getNamespace(), false, fields);
        String newerText = newer.toString();
        assertEquals(ours.getFields().size() + 1, newer.getFields().size(), newerText);
        int id = registry.register("song2vec-model-deltas-value", newer);

        ByteBuffer input = ByteBuffer.allocate(2 * 4 * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 8; i++) {
            input.putFloat(i * 0.25f - 1f);
        }
        input.flip();
        io.streamvec.avro.ModelDelta delta = io.streamvec.avro.ModelDelta.newBuilder().setSource("app/1_0").setDim(4)
                .setSongIds(List.of("a", "b")).setCountDeltas(List.of(3L, 1L)).setInput(input)
                .setOutput(input.duplicate()).build();
        org.apache.avro.generic.GenericData.Record written = new org.apache.avro.generic.GenericData.Record(newer);
        for (org.apache.avro.Schema.Field field : ours.getFields()) {
            written.put(field.name(), delta.get(field.pos()));
        }
        written.put("compression", "zstd");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] header = new byte[WireFormat.HEADER_SIZE];
        WireFormat.writeHeader(header, id);
        out.write(header);
        org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
        new org.apache.avro.generic.GenericDatumWriter<org.apache.avro.generic.GenericRecord>(newer).write(written, encoder);
        encoder.flush();

        io.streamvec.avro.ModelDelta read = new AvroSerde<>(io.streamvec.avro.ModelDelta.class, registry)
                .deserialize("song2vec-model-deltas", out.toByteArray());
        assertEquals(delta, read, "every field this version knows, the new one skipped");
    }

    @Test
    void nullIsATombstoneBothWays() {
        AvroSerde<Song> serde = new AvroSerde<>(Song.class, registry);
        assertNull(serde.serialize("songs", null));
        assertNull(serde.deserialize("songs", null));
    }

    private byte[] validSong() {
        return new AvroSerde<>(Song.class, registry).serialize("songs",
                Song.newBuilder().setId("song-1").setTitle("Heart of the Sunrise").setArtist("Yes").build());
    }

    private static SerializationException corrupt(byte[] bytes) {
        AvroSerde<Song> serde = new AvroSerde<>(Song.class, EmbeddedSchemaRegistry.bundled());
        RuntimeException e = assertThrows(RuntimeException.class, () -> serde.deserialize("songs", bytes));
        assertTrue(e instanceof SerializationException, "expected a SerializationException, got " + e);
        assertTrue(e.getMessage().contains("songs"), "message names the topic: " + e.getMessage());
        return (SerializationException) e;
    }

    @Test
    void emptyAndShortRecordsAreRejected() {
        assertTrue(corrupt(new byte[0]).getMessage().contains("shorter than the 5-byte"));
        assertTrue(corrupt(new byte[] {0, 0, 1}).getMessage().contains("shorter than the 5-byte"));
    }

    @Test
    void wrongMagicByteIsRejected() {
        byte[] bytes = validSong();
        bytes[0] = 1;
        assertTrue(corrupt(bytes).getMessage().contains("magic byte 0x01"));
    }

    @Test
    void unknownSchemaIdIsRejected() {
        byte[] bytes = validSong();
        ByteBuffer.wrap(bytes, 1, 4).putInt(123);
        AvroSerde<Song> serde = new AvroSerde<>(Song.class, registry);
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> serde.deserialize("songs", bytes));
        assertTrue(e.getMessage().contains("unknown schema id 123"), e.getMessage());
        assertTrue(!e.isTransient(), "an unknown id is the record's fault");
    }

    @Test
    void truncatedPayloadIsRejected() {
        byte[] bytes = validSong();
        for (int cut = WireFormat.HEADER_SIZE + 1; cut < bytes.length; cut += 3) {
            assertTrue(corrupt(Arrays.copyOf(bytes, cut)).getMessage().contains("corrupt or truncated"));
        }
    }

    @Test
    void trailingBytesAreRejected() {
        byte[] bytes = Arrays.copyOf(validSong(), validSong().length + 2);
        assertTrue(corrupt(bytes).getMessage().contains("trailing bytes"));
    }

    @Test
    void aValidRecordOfAnotherSchemaIsRejected() {
        byte[] playlist = new AvroSerde<>(PlaylistEvent.class, registry).serialize("songs",
                PlaylistEvent.newBuilder().setPlaylistId("p").setSongIds(List.of("1")).setTimestampMs(1L).build());
        assertTrue(corrupt(playlist).getMessage().contains("expected io.streamvec.avro.Song"));
    }

    @Test
    void anAbsurdLengthPrefixIsACorruptRecordNotAnOutOfMemoryError() throws Exception {
        for (long claimed : new long[] {2_000_000_000L, 1L << 40}) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            out.write(0);
            out.write(ByteBuffer.allocate(4).putInt(EmbeddedSchemaRegistry.idOf(PlaylistEvent.getClassSchema())).array());
            org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
            encoder.writeString("p");
            encoder.writeLong(claimed); // songIds: an array block claiming this many items
            encoder.flush();
            AvroSerde<PlaylistEvent> serde = new AvroSerde<>(PlaylistEvent.class, registry);
            assertThrows(SerializationException.class, () -> serde.deserialize("playlist-events", out.toByteArray()));

            java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
            text.write(0);
            text.write(ByteBuffer.allocate(4).putInt(EmbeddedSchemaRegistry.idOf(Song.getClassSchema())).array());
            org.apache.avro.io.BinaryEncoder songEncoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(text, null);
            songEncoder.writeLong(claimed); // the id string claims this many bytes
            songEncoder.flush();
            assertThrows(SerializationException.class,
                    () -> new AvroSerde<>(Song.class, registry).deserialize("songs", text.toByteArray()));
        }
    }

    @Test
    void randomBytesNeverGiveASilentNull() {
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            byte[] bytes = new byte[random.nextInt(64)];
            random.nextBytes(bytes);
            if (bytes.length > 0 && random.nextBoolean()) {
                bytes[0] = 0; // also exercise the Avro decoder behind a valid-looking header
                if (bytes.length >= 5) {
                    ByteBuffer.wrap(bytes, 1, 4).putInt(EmbeddedSchemaRegistry.idOf(Song.getClassSchema()));
                }
            }
            AvroSerde<Song> serde = new AvroSerde<>(Song.class, registry);
            try {
                Song song = serde.deserialize("songs", bytes);
                // A few random payloads are valid Songs: then they must round-trip exactly.
                assertArrayEquals(bytes, serde.serialize("songs", song));
            } catch (SerializationException | SchemaRegistryException expected) {
                assertTrue(expected.getMessage() != null && !expected.getMessage().isBlank());
            }
        }
    }
}
