package io.streamvec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.FunctionCounter;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.avro.TextEmbedding;
import io.streamvec.avro.TextEvent;
import io.streamvec.kafka.DeadLetters;
import io.streamvec.kafka.EmbeddedKafka;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input of every kind, between good records, through a real broker: each bad record lands once in
 * {@code streamvec-dlq} with headers naming its source and the reason, or is handled as documented (a
 * null-keyed text is identified by its offset, a 1 MB text is truncated and flagged), and every good
 * record still produces its output.
 */
class DeadLetterQueueIntegrationTest {

    /** A record the test sends, and what it expects of it: a dead-letter reason, or none. */
    private record Input(String kind, String topic, byte[] key, byte[] value, String expectedReason) {}

    private static final String TEXT = Topics.TEXT_EVENTS;
    private static final String PLAYLISTS = Topics.PLAYLIST_EVENTS;
    private static final long NOW = System.currentTimeMillis();

    @Test
    void everyBadRecordIsDeadLetteredAndEveryGoodOneProducesOutput(@TempDir Path stateDir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Map<String, Object> properties = StreamvecConfig.local(kafka.bootstrapServers(), "streamvec-dlq-it", stateDir);
            properties.put(StreamvecConfig.EMBEDDING_LINGER_MS, 20L);
            try (StreamvecApp app = new StreamvecApp(new StreamvecConfig(properties)).start()) {
                app.awaitRunning(Duration.ofSeconds(60));
                AvroSerde<TextEvent> texts = new AvroSerde<>(TextEvent.class, app.registry());
                AvroSerde<PlaylistEvent> playlists = new AvroSerde<>(PlaylistEvent.class, app.registry());

                List<Input> bad = badInputs(texts, playlists);
                assertTrue(bad.stream().filter(i -> i.expectedReason() != null).count() >= 20, "at least 20 kinds");

                // Good records between the bad ones: texts keyed good-text-i, playlists good-playlist-i.
                int good = 12;
                List<Input> inputs = new ArrayList<>();
                for (int i = 0; i < Math.max(good, bad.size()); i++) {
                    if (i < good) {
                        inputs.add(new Input("good text", TEXT, bytes("good-text-" + i),
                                i % 2 == 0 ? bytes("a good sentence number " + i)
                                        : texts.serialize(TEXT, new TextEvent("good-text-" + i, "good Avro text " + i, NOW)),
                                null));
                        String playlist = "good-playlist-" + i;
                        inputs.add(new Input("good playlist", PLAYLISTS, bytes(playlist), playlists.serialize(PLAYLISTS,
                                new PlaylistEvent(playlist, List.of("s" + i, "s" + (i + 1), "s" + (i + 2)), NOW, true)),
                                null));
                    }
                    if (i < bad.size()) {
                        inputs.add(bad.get(i));
                    }
                }

                Map<String, Input> sent = new LinkedHashMap<>(); // by topic/partition/offset
                Properties producerConfig = new Properties();
                producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
                producerConfig.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
                try (KafkaProducer<byte[], byte[]> producer =
                             new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
                    for (Input input : inputs) {
                        RecordMetadata at = producer.send(new ProducerRecord<>(input.topic(), input.key(), input.value())).get();
                        sent.put(position(at.topic(), at.partition(), at.offset()), input);
                    }
                }
                Map<String, Input> expectedDead = sent.entrySet().stream().filter(e -> e.getValue().expectedReason() != null)
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
                long goodPlaylists = inputs.stream().filter(i -> i.kind().equals("good playlist")).count();
                List<Input> embedded = inputs.stream().filter(i -> i.topic().equals(TEXT) && i.expectedReason() == null).toList();

                Map<String, TextEmbedding> embeddings = new HashMap<>();
                List<String> duplicates = new ArrayList<>();
                List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
                try (KafkaConsumer<String, TextEmbedding> embeddingConsumer = new KafkaConsumer<>(consumerConfig(kafka),
                        new StringDeserializer(), new AvroSerde<>(TextEmbedding.class, app.registry()).deserializer());
                     KafkaConsumer<byte[], byte[]> dlqConsumer = new KafkaConsumer<>(consumerConfig(kafka),
                             new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                    embeddingConsumer.subscribe(List.of(Topics.TEXT_EMBEDDINGS));
                    dlqConsumer.subscribe(List.of(Topics.DLQ));
                    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                    long settledAt = Long.MAX_VALUE; // once all is in, keep reading a little to catch extras
                    while (System.nanoTime() < Math.min(deadline, settledAt)) {
                        for (ConsumerRecord<String, TextEmbedding> r : embeddingConsumer.poll(Duration.ofMillis(100))) {
                            if (embeddings.put(r.key(), r.value()) != null) {
                                duplicates.add(r.key());
                            }
                        }
                        dlqConsumer.poll(Duration.ofMillis(50)).forEach(dead::add);
                        if (settledAt == Long.MAX_VALUE && embeddings.size() >= embedded.size()
                                && dead.size() >= expectedDead.size() && songEvents(app) >= goodPlaylists) {
                            settledAt = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                        }
                    }
                }

                // The dead letters: one per bad record, unchanged, with its source and reason in the headers.
                Map<String, ConsumerRecord<byte[], byte[]>> deadByPosition = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> record : dead) {
                    String position = position(header(record, ExceptionHandlerUtils.HEADER_ERRORS_TOPIC_NAME),
                            Integer.parseInt(header(record, ExceptionHandlerUtils.HEADER_ERRORS_PARTITION_NAME)),
                            Long.parseLong(header(record, ExceptionHandlerUtils.HEADER_ERRORS_OFFSET_NAME)));
                    assertTrue(deadByPosition.put(position, record) == null, "dead-lettered twice: " + position);
                }
                for (Map.Entry<String, Input> expected : expectedDead.entrySet()) {
                    Input input = expected.getValue();
                    ConsumerRecord<byte[], byte[]> record = deadByPosition.get(expected.getKey());
                    assertNotNull(record, "not dead-lettered: " + input.kind());
                    assertEquals(input.expectedReason(), header(record, DeadLetters.REASON_HEADER), input.kind());
                    assertFalse(header(record, ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_NAME).isBlank(), input.kind());
                    assertNotNull(header(record, ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_MESSAGE_NAME), input.kind());
                    assertArrayEquals(input.key(), record.key(), input.kind() + ": key unchanged");
                    assertArrayEquals(input.value(), record.value(), input.kind() + ": value unchanged");
                }
                assertEquals(expectedDead.keySet(), deadByPosition.keySet(), "only the bad records are dead-lettered");

                // Every good text (and the documented cases) embedded exactly once; every good playlist trained.
                assertEquals(List.of(), duplicates, "exactly once");
                for (Input input : embedded) {
                    String id = input.key() != null ? new String(input.key(), StandardCharsets.UTF_8)
                            : embeddings.keySet().stream().filter(k -> k.startsWith(TEXT + "-")).findFirst().orElse(null);
                    TextEmbedding embedding = embeddings.get(id);
                    assertNotNull(embedding, "no embedding for " + input.kind() + " (" + id + ")");
                    assertEquals(384, embedding.getVector().size());
                    assertEquals(input.kind().equals("1 MB text"), embedding.getTruncated(), input.kind());
                }
                assertEquals(embedded.size(), embeddings.size());
                assertEquals(goodPlaylists, songEvents(app), "every good playlist event trained, no bad one");
            }
        }
    }

    private static List<Input> badInputs(AvroSerde<TextEvent> texts, AvroSerde<PlaylistEvent> playlists) {
        Random random = new Random(42);
        byte[] text = texts.serialize(TEXT, new TextEvent("t1", "a perfectly fine text", NOW));
        byte[] playlist = playlists.serialize(PLAYLISTS, new PlaylistEvent("p1", List.of("a", "b"), NOW, true));
        Function<PlaylistEvent, byte[]> p = event -> playlists.serialize(PLAYLISTS, event);
        Function<TextEvent, byte[]> t = event -> texts.serialize(TEXT, event);
        byte[] randomBytes = new byte[200];
        random.nextBytes(randomBytes);
        randomBytes[0] = (byte) 0xFF; // neither the magic byte nor UTF-8
        byte[] wrongMagic = text.clone();
        wrongMagic[0] = 1;
        byte[] unknownSchema = text.clone();
        ByteBuffer.wrap(unknownSchema).putInt(1, 0x7ABCDEF0);
        // magic byte, schema id, union branch "string", then a string length of 2^31 - 1 and no bytes
        byte[] hugeLength = Arrays.copyOf(text, 11);
        byte[] corrupt = {0x02, (byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
        System.arraycopy(corrupt, 0, hugeLength, 5, corrupt.length);
        byte[] oneMegabyteOfBinary = new byte[1_000_000];
        random.nextBytes(oneMegabyteOfBinary);
        oneMegabyteOfBinary[0] = (byte) 0xFF;
        List<String> hundredThousandSongs = IntStream.range(0, 100_000).mapToObj(i -> "s" + i).toList();
        String far = "x".repeat(300);
        long future = NOW + Duration.ofDays(30).toMillis();

        List<Input> inputs = new ArrayList<>(List.of(
                new Input("random bytes", TEXT, bytes("r1"), randomBytes, "unreadable"),
                new Input("wrong magic byte", TEXT, bytes("r2"), wrongMagic, "unreadable"),
                new Input("unknown schema id", TEXT, bytes("r3"), unknownSchema, "unreadable"),
                new Input("truncated Avro", TEXT, bytes("r4"), Arrays.copyOf(text, text.length / 2), "unreadable"),
                new Input("corrupt Avro length", TEXT, bytes("r5"), hugeLength, "unreadable"),
                new Input("valid record of the wrong schema", TEXT, bytes("r6"), playlist, "unreadable"),
                new Input("invalid UTF-8", TEXT, bytes("r7"), new byte[] {'a', 'b', (byte) 0xC3, '(', 'c'}, "unreadable"),
                new Input("control characters in plain text", TEXT, bytes("r8"), bytes("hello\u0001\u0002world"), "unreadable"),
                new Input("1 MB of binary", TEXT, bytes("r9"), oneMegabyteOfBinary, "unreadable"),
                new Input("null text value", TEXT, bytes("r10"), null, "invalid"),
                new Input("empty text", TEXT, bytes("r11"), new byte[0], "invalid"),
                new Input("whitespace-only text", TEXT, bytes("r12"), bytes(" \t\n  \u3000 "), "invalid"),
                new Input("negative text timestamp", TEXT, bytes("r13"), t.apply(new TextEvent("r13", "fine", -5L)), "invalid"),
                new Input("far-future text timestamp", TEXT, bytes("r14"), t.apply(new TextEvent("r14", "fine", future)), "invalid"),
                new Input("text id with control characters", TEXT, null, t.apply(new TextEvent("id\u0007", "fine", NOW)), "invalid"),
                new Input("text id too long", TEXT, null, t.apply(new TextEvent(far, "fine", NOW)), "invalid"),
                new Input("random bytes as a playlist", PLAYLISTS, bytes("p"), randomBytes, "unreadable"),
                new Input("text event as a playlist", PLAYLISTS, bytes("p"), text, "unreadable"),
                new Input("truncated playlist", PLAYLISTS, bytes("p1"), Arrays.copyOf(playlist, playlist.length - 3), "unreadable"),
                new Input("null playlist value", PLAYLISTS, bytes("p"), null, "invalid"),
                new Input("null playlist key", PLAYLISTS, null, playlist, "invalid"),
                new Input("key differs from playlist id", PLAYLISTS, bytes("other"), playlist, "invalid"),
                new Input("empty playlist id", PLAYLISTS, bytes(""), p.apply(new PlaylistEvent("", List.of("a"), NOW, true)), "invalid"),
                new Input("playlist with no songs", PLAYLISTS, bytes("p2"), p.apply(new PlaylistEvent("p2", List.of(), NOW, true)), "invalid"),
                new Input("playlist with 100,000 songs", PLAYLISTS, bytes("p3"),
                        p.apply(new PlaylistEvent("p3", hundredThousandSongs, NOW, true)), "invalid"),
                new Input("song id with a space", PLAYLISTS, bytes("p4"), p.apply(new PlaylistEvent("p4", List.of("a b"), NOW, true)), "invalid"),
                new Input("song id with a control character", PLAYLISTS, bytes("p5"),
                        p.apply(new PlaylistEvent("p5", List.of("a", "b\u0000"), NOW, true)), "invalid"),
                new Input("song id too long", PLAYLISTS, bytes("p6"), p.apply(new PlaylistEvent("p6", List.of(far), NOW, true)), "invalid"),
                new Input("negative playlist timestamp", PLAYLISTS, bytes("p7"), p.apply(new PlaylistEvent("p7", List.of("a"), -1L, true)), "invalid"),
                new Input("far-future playlist timestamp", PLAYLISTS, bytes("p8"),
                        p.apply(new PlaylistEvent("p8", List.of("a"), future, true)), "invalid"),
                // handled as documented, not dead-lettered:
                new Input("null key (identified by its offset)", TEXT, null, bytes("a text without a key"), null),
                new Input("1 MB text", TEXT, bytes("long-text"), bytes("word ".repeat(200_000)), null)));
        Collections.shuffle(inputs, random);
        return inputs;
    }

    private static long songEvents(StreamvecApp app) {
        return (long) app.metrics().registry().find("streamvec.song2vec.events").functionCounters().stream()
                .mapToDouble(FunctionCounter::count).sum();
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        assertNotNull(header, "header " + name);
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String position(String topic, int partition, long offset) {
        return topic + "/" + partition + "@" + offset;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Properties consumerConfig(EmbeddedKafka kafka) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "dlq-it-reader-" + System.nanoTime());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        return config;
    }
}
