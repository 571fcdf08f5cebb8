package io.streamvec.song2vec.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.ModelDelta;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import io.streamvec.serde.SchemaRegistry;
import io.streamvec.song2vec.model.ModelChecksum;
import io.streamvec.text.model.EmbeddingWorkers;
import io.streamvec.text.model.HashingTestEmbedder;
import io.streamvec.text.model.TextTokenizer;
import io.streamvec.topology.StreamvecTopology;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model deltas another replica published that this replica cannot read or apply go to the dead-letter topic
 * with a reason, in the real topology (TopologyTestDriver, the delta feed replaced by one that serves injected
 * records), are counted, and change nothing in the model; good deltas around them still apply.
 */
class ModelDeltaDeadLetterTest {

    private static final TextTokenizer TOKENIZER = TextTokenizer.bundled(32);
    private final SchemaRegistry registry = EmbeddedSchemaRegistry.bundled();
    private final SimpleMeterRegistry counted = new SimpleMeterRegistry();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    /** A song the checksum samples. */
    private static final String SAMPLED = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "s" + i)
            .filter(id -> Math.floorMod(id.hashCode(), ModelChecksum.SAMPLE_EVERY) == 0).findFirst().orElseThrow();
    @TempDir
    Path state;

    /** Serves what a test queued, as {@link io.streamvec.kafka.KafkaDeltaFeed} would read it. */
    private static final class InjectedFeed implements DeltaFeed {
        final Deque<Received> queued = new ArrayDeque<>();
        long position;

        @Override
        public boolean shared() {
            return true;
        }

        @Override
        public void seek(long position) {
            this.position = position;
        }

        @Override
        public List<Received> poll() {
            List<Received> out = new ArrayList<>(queued);
            queued.clear();
            out.forEach(r -> position = r.offset() + 1);
            return out;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void close() {}
    }

    private final InjectedFeed feed = new InjectedFeed();
    private TopologyTestDriver driver;
    private EmbeddingWorkers embedding;
    private TestInputTopic<String, PlaylistEvent> playlists;
    private TestOutputTopic<byte[], byte[]> dlq;
    private String application;
    private int dim;
    private long offsets;

    @BeforeEach
    void start() {
        Metrics.addRegistry(counted);
        Map<String, Object> settings = new HashMap<>();
        settings.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        settings.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        settings.put(StreamvecConfig.SONG2VEC_SYNC_MS, 10L);
        StreamvecConfig config = new StreamvecConfig(settings);
        Properties properties = config.streamsProperties();
        application = properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        dim = config.song2vec().trainer().dim;
        embedding = new EmbeddingWorkers(new HashingTestEmbedder(TOKENIZER),
                new EmbeddingWorkers.Settings(1, 0, 32, Duration.ofMillis(100)), new SimpleMeterRegistry());
        driver = new TopologyTestDriver(StreamvecTopology.build(new StreamvecTopology.Parts(registry,
                () -> TOKENIZER, () -> embedding, config.song2vec(), meters, replica -> feed)),
                properties);
        playlists = driver.createInputTopic(Topics.PLAYLIST_EVENTS, new StringSerializer(),
                new AvroSerde<>(PlaylistEvent.class, registry).serializer());
        dlq = driver.createOutputTopic(Topics.DLQ, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        playlists.pipeInput("p", PlaylistEvent.newBuilder().setPlaylistId("p").setSongIds(List.of("a", "b", "c", SAMPLED))
                .setTimestampMs(1L).setPlaylistComplete(true).build());
        exchange(); // publishes this replica's own first delta
    }

    @AfterEach
    void stop() {
        driver.close();
        embedding.close();
        Metrics.removeRegistry(counted);
    }

    private void exchange() {
        driver.advanceWallClockTime(Duration.ofMillis(20));
    }

    private SongModelStore store() {
        return (SongModelStore) driver.getStateStore(SongStores.MODEL);
    }

    private float[] vector(String song) {
        return store().model().vector(store().model().vocab.indexOf(song));
    }

    private long count(String song) {
        int row = store().model().vocab.indexOf(song);
        return row < 0 ? 0 : store().model().vocab.count(row);
    }

    private ModelDelta delta(String source, int dim, List<String> ids, List<Long> counts, float value) {
        ByteBuffer input = ByteBuffer.allocate(ids.size() * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer output = ByteBuffer.allocate(ids.size() * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < ids.size() * dim; i++) {
            input.putFloat(value);
            output.putFloat(value);
        }
        return new ModelDelta(source, dim, ids, counts, input.flip(), output.flip());
    }

    /** Queues a record as another replica (task 0_9 of this application) publishes it. */
    private void queue(ModelDelta delta) {
        byte[] bytes = new AvroSerde<>(ModelDelta.class, registry).serialize(Topics.MODEL_DELTAS, delta);
        ModelDelta read = new AvroSerde<>(ModelDelta.class, registry).deserialize(Topics.MODEL_DELTAS, bytes);
        feed.queued.add(DeltaFeed.Received.read(Topics.MODEL_DELTAS, 0, offsets++, key(), bytes, read));
    }

    private void queueUnreadable(byte[] bytes) {
        feed.queued.add(DeltaFeed.Received.unreadable(Topics.MODEL_DELTAS, 0, offsets++, key(), bytes,
                new org.apache.kafka.common.errors.SerializationException("unknown magic byte")));
    }

    private byte[] key() {
        return (application + "/0_9").getBytes(StandardCharsets.UTF_8);
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private double dlqCount(String reason) {
        var counter = counted.find("streamvec.dlq.records").tags("reason", reason, "topic", Topics.MODEL_DELTAS).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void anUnreadableDeltaIsDeadLetteredWithItsBytesAndReason() {
        byte[] garbage = {0, 0, 0, 0, 7, (byte) 0xff, 3};
        queueUnreadable(garbage);
        exchange();

        List<TestRecord<byte[], byte[]>> letters = dlq.readRecordsToList();
        assertEquals(1, letters.size());
        TestRecord<byte[], byte[]> letter = letters.get(0);
        assertArrayEquals(garbage, letter.value(), "the delta's bytes, as they were");
        assertArrayEquals(key(), letter.key());
        assertEquals("unreadable", header(letter, "streamvec.errors.reason"));
        assertEquals(Topics.MODEL_DELTAS, header(letter, "__streams.errors.topic"));
        assertEquals("0", header(letter, "__streams.errors.partition"));
        assertEquals("0", header(letter, "__streams.errors.offset"));
        assertTrue(header(letter, "__streams.errors.message").contains("unknown magic byte"));
        assertEquals(1.0, dlqCount("unreadable"));
        assertEquals(1, store().deltaPosition(), "the position moves past it: it is dead-lettered once");
    }

    @Test
    void invalidDeltasAreDeadLetteredAndChangeNothing() {
        float[] a = vector("a");
        double checksum = ModelChecksum.of(store().model());
        long count = count("a");
        assertEquals(1, count);
        String source = application + "/0_9";
        queue(delta(source, dim + 1, List.of("a"), List.of(1L), 0.5f)); // another song2vec.dim
        queue(delta(source, dim, List.of("a", "b"), List.of(1L, 1L), Float.NaN)); // not finite
        queue(delta(source, dim, List.of("a", "b"), List.of(1L, 1L), Float.POSITIVE_INFINITY));
        queue(delta(source, dim, List.of("a", "b"), List.of(1L, -5L), 0.5f)); // a negative count
        queue(delta(source, dim, List.of("a", "a"), List.of(1L, 1L), 0.5f)); // a repeated song
        queue(delta(source, dim, List.of("a", ""), List.of(1L, 1L), 0.5f)); // an empty song id
        queue(delta(source, dim, List.of("a", "b"), List.of(1L), 0.5f)); // fewer counts than songs
        ModelDelta shortVectors = delta(source, dim, List.of("a", "b"), List.of(1L, 1L), 0.5f);
        shortVectors.setInput(ByteBuffer.wrap(new byte[dim * 4]));
        queue(shortVectors); // vectors of one song for two
        exchange();

        List<TestRecord<byte[], byte[]>> letters = dlq.readRecordsToList();
        assertEquals(8, letters.size());
        for (int i = 0; i < letters.size(); i++) {
            assertEquals("invalid", header(letters.get(i), "streamvec.errors.reason"));
            assertEquals(String.valueOf(i), header(letters.get(i), "__streams.errors.offset"));
            assertEquals(ModelSync.InvalidDeltaException.class.getName(),
                    header(letters.get(i), "__streams.errors.exception"));
        }
        assertTrue(header(letters.get(0), "__streams.errors.message").contains("dim"));
        assertTrue(header(letters.get(1), "__streams.errors.message").contains("NaN"));
        assertEquals(8.0, dlqCount("invalid"));
        assertArrayEquals(a, vector("a"), "no part of a refused delta is applied");
        assertEquals(count, count("a"));
        assertEquals(checksum, ModelChecksum.of(store().model()));
        assertEquals(8, store().deltaPosition());
    }

    private double checksumGauge() {
        return meters.get("streamvec.song2vec.model.checksum").gauge().value();
    }

    @Test
    void goodDeltasAroundABadOneApplyAndMoveTheChecksum() {
        float[] a = vector("a");
        double checksum = ModelChecksum.of(store().model());
        assertEquals(checksum, checksumGauge(), "the gauge publishes the checksum as of the last exchange");
        assertTrue(checksum > 0);
        String source = application + "/0_9";
        queue(delta(source, dim, List.of("a"), List.of(2L), 0.25f));
        queueUnreadable(new byte[] {1, 2, 3});
        queue(delta(source, dim, List.of("b"), List.of(1L), Float.NaN));
        queue(delta(source, dim, List.of("zz"), List.of(1L), 0.125f)); // a song only the other replica knows
        queue(delta(source, dim, List.of(SAMPLED), List.of(1L), 0.5f));
        exchange();

        assertEquals(List.of("unreadable", "invalid"), dlq.readRecordsToList().stream()
                .map(r -> header(r, "streamvec.errors.reason")).toList());
        float[] expected = a.clone();
        for (int i = 0; i < expected.length; i++) {
            expected[i] += 0.25f;
        }
        assertArrayEquals(expected, vector("a"));
        assertEquals(1 + 2, count("a"));
        assertEquals(1, count("zz"));
        assertEquals(5, store().deltaPosition());
        assertNotEquals(checksum, ModelChecksum.of(store().model()), "a sampled song changed");
        assertEquals(ModelChecksum.of(store().model()), checksumGauge());
        for (float value : vector("b")) {
            assertTrue(Float.isFinite(value), "the NaN delta of b was refused whole");
        }
    }
}
