package io.streamvec.song2vec.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.ModelDelta;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.avro.Song;
import io.streamvec.avro.SongRecommendations;
import io.streamvec.kafka.DeadLetters;
import io.streamvec.kafka.KafkaBroker;
import io.streamvec.kafka.TopicCatalog;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import io.streamvec.serde.SchemaRegistry;
import io.streamvec.song2vec.model.SongModelView;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * No half-applied playlist event: a fault injected after an event has trained (its songs counted, admitted to
 * the vocabulary, its pairs trained, its playlist context stored) fails the task, exactly-once aborts the
 * transaction, and the task restarts from its last commit. An event whose fault is transient is then trained
 * once; an event that fails every time is refused on its third try (after one retry) before it changes anything
 * and goes to the dead-letter queue. Afterwards the model holds exactly the events that were trained: every song's count equals
 * its occurrences in them, and the always-failing event's songs are not in the model at all.
 *
 * <p>The song path of the real topology (the same processors, stores and sinks as {@code StreamvecTopology}, and
 * streamvec's Kafka Streams defaults: exactly-once, the dead-letter handlers) with the fault hook set.
 */
class Song2vecFaultIntegrationTest {

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    private static final String ALWAYS_FAILS = "poison";
    private static final String FAILS_ONCE = "flaky";

    @Test
    void anEventThatFailsAfterChangingTheModelLeavesNoTraceAndIsDeadLetteredIfItFailsAgain(@TempDir Path state)
            throws Exception {
        AtomicInteger flakyFailures = new AtomicInteger();
        Map<String, Integer> faultsByPlaylist = new ConcurrentHashMap<>();
        Consumer<PlaylistEvent> fault = event -> {
            String playlist = event.getPlaylistId();
            if (playlist.equals(ALWAYS_FAILS) || playlist.equals(FAILS_ONCE) && flakyFailures.getAndIncrement() == 0) {
                faultsByPlaylist.merge(playlist, 1, Integer::sum);
                throw new IllegalStateException("injected fault after training " + playlist);
            }
        };

        Map<String, Object> settings = StreamvecConfig.local(KAFKA.bootstrapServers(), "streamvec-song-fault-it", state);
        settings.put(StreamvecConfig.SONG2VEC_MIN_COUNT, 1);
        settings.put(StreamvecConfig.INDEX_REFRESH_MS, 50L);
        // A failed thread's consumer stays in the group until its session times out; the replacement thread gets
        // the task back after that. The broker's minimum, so that three task failures take seconds, not minutes.
        settings.put("session.timeout.ms", 6_000);
        StreamvecConfig config = new StreamvecConfig(settings);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            TopicCatalog.load().createMissing(admin, (short) 1, 60_000);
        }

        // Good events before and after the two faulty ones; each faulty one has songs of its own.
        List<PlaylistEvent> events = new ArrayList<>();
        for (int p = 0; p < 30; p++) {
            events.add(event("p" + p, "s" + p % 7, "s" + (p + 1) % 7, "s" + (p + 3) % 7));
        }
        events.add(event(FAILS_ONCE, "flaky-1", "flaky-2", "s1"));
        events.add(event(ALWAYS_FAILS, "poison-1", "poison-2", "s2"));
        for (int p = 30; p < 60; p++) {
            events.add(event("p" + p, "s" + p % 7, "s" + (p + 2) % 7));
        }

        SchemaRegistry registry = EmbeddedSchemaRegistry.bundled();
        try (KafkaStreams streams = new KafkaStreams(songPath(config.song2vec(), registry, fault),
                config.streamsProperties())) {
            streams.setUncaughtExceptionHandler(e -> StreamThreadExceptionResponse.REPLACE_THREAD); // as StreamvecApp
            streams.start();
            produce(events, registry);

            List<PlaylistEvent> trained = events.stream().filter(e -> !e.getPlaylistId().equals(ALWAYS_FAILS)).toList();
            SongModelView model = awaitEvents(streams, trained.size());
            Thread.sleep(500); // would a late duplicate or a half-applied event still show up?
            model = SongModelStoreType.query(streams, Duration.ofSeconds(60));

            assertEquals(trained.size(), model.events(), "events trained: every one but the poison, once");
            Map<String, Long> expected = new TreeMap<>();
            trained.forEach(e -> e.getSongIds().forEach(song -> expected.merge(song, 1L, Long::sum)));
            Map<String, Long> counted = new TreeMap<>();
            for (String song : expected.keySet()) {
                Optional<SongModelView.SongVector> vector = model.vector(song);
                counted.put(song, vector.map(SongModelView.SongVector::count).orElse(0L));
            }
            assertEquals(expected, counted, "each song counted once per occurrence: the flaky event's first, "
                    + "failed try left nothing behind");
            for (String song : List.of("poison-1", "poison-2")) {
                assertTrue(model.vector(song).isEmpty(), song + " is in the model: the poison event was half-applied");
            }
            assertEquals(KafkaStreams.State.RUNNING, streams.state());
        }

        assertEquals(Map.of(FAILS_ONCE, 1, ALWAYS_FAILS, 2), faultsByPlaylist,
                "the flaky event failed once and trained on its retry; the poison failed twice, then was refused");
        List<ConsumerRecord<byte[], byte[]>> dead = deadLetters(1);
        assertEquals(1, dead.size(), "dead letters: " + dead);
        ConsumerRecord<byte[], byte[]> letter = dead.get(0);
        assertEquals(ALWAYS_FAILS, new String(letter.key(), StandardCharsets.UTF_8));
        assertEquals("error", header(letter, DeadLetters.REASON_HEADER));
        String message = header(letter, "__streams.errors.message");
        assertTrue(message.contains("failed 2 times after it had changed the song model")
                && message.contains("injected fault after training poison"), message);
    }

    /** The song path as {@code StreamvecTopology.build} wires it, with {@code fault} after training. */
    private static Topology songPath(Song2vecSettings settings, SchemaRegistry registry, Consumer<PlaylistEvent> fault) {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        StringSerializer keys = new StringSerializer();
        Topology topology = new Topology();
        topology.addGlobalStore(Stores.timestampedKeyValueStoreBuilder(
                                Stores.persistentTimestampedKeyValueStore(SongStores.SONG_METADATA),
                                Serdes.String(), new AvroSerde<>(Song.class, registry))
                        .withLoggingDisabled(),
                "songs-source", new StringDeserializer(), new AvroSerde<>(Song.class, registry).deserializer(),
                Topics.SONGS, "song-metadata-updater", SongMetadataProcessor::new);
        topology.addSource("playlist-source", new StringDeserializer(),
                new AvroSerde<>(PlaylistEvent.class, registry).deserializer(), Topics.PLAYLIST_EVENTS);
        topology.addProcessor("prepare-playlist", () -> new PreparePlaylistProcessor(settings, metrics),
                "playlist-source");
        FailedEvents failedEvents = new FailedEvents();
        topology.addProcessor("song2vec", () -> new Song2vecProcessor(settings, metrics, null, failedEvents, new DeltaDeadLetters(), fault),
                "prepare-playlist");
        topology.addStateStore(new SongModelStoreBuilder(SongStores.MODEL, settings.trainer()), "song2vec");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SongStores.PLAYLISTS),
                        Serdes.String(), Serdes.ByteArray())
                .withLoggingEnabled(Map.of())
                .withCachingDisabled(), "song2vec");
        topology.addSink(Song2vecProcessor.RECOMMENDATIONS_CHILD, Topics.SONG_RECOMMENDATIONS, keys,
                new AvroSerde<>(SongRecommendations.class, registry).serializer(), "song2vec");
        topology.addSink(Song2vecProcessor.DELTAS_CHILD, Topics.MODEL_DELTAS, keys,
                new AvroSerde<>(ModelDelta.class, registry).serializer(), "song2vec");
        return topology;
    }

    private static PlaylistEvent event(String playlist, String... songs) {
        return new PlaylistEvent(playlist, List.of(songs), System.currentTimeMillis(), false);
    }

    private static void produce(List<PlaylistEvent> events, SchemaRegistry registry) throws Exception {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        try (KafkaProducer<String, PlaylistEvent> producer = new KafkaProducer<>(config, new StringSerializer(),
                new AvroSerde<>(PlaylistEvent.class, registry).serializer())) {
            for (PlaylistEvent event : events) {
                producer.send(new ProducerRecord<>(Topics.PLAYLIST_EVENTS, event.getPlaylistId(), event)).get();
            }
        }
    }

    private static SongModelView awaitEvents(KafkaStreams streams, long events) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                SongModelView model = SongModelStoreType.query(streams, Duration.ofSeconds(60));
                if (model.events() >= events) {
                    return model;
                }
            } catch (InvalidStateStoreException retry) {
                // the failed task is being restored
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the model did not reach " + events + " events");
    }

    private static List<ConsumerRecord<byte[], byte[]>> deadLetters(int atLeast) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "song-fault-it-dlq");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of(Topics.DLQ));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            // Read for a while after the first: a second dead letter would be a failure too.
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                if (out.size() >= atLeast && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
            }
        }
        return out;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
