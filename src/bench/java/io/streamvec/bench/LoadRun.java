package io.streamvec.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.streamvec.StreamvecApp;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.avro.SongRecommendations;
import io.streamvec.kafka.EmbeddedKafka;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.micrometer.core.instrument.FunctionCounter;
import io.streamvec.song2vec.data.SyntheticPlaylists;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A fixed-rate load on both paths through an in-process broker and the whole topology (exactly-once, as
 * deployed): text events at {@code textRate}/s and whole-playlist events at {@code playlistRate}/s, paced
 * every 10 ms. Every report interval it records throughput, end-to-end latency (event timestamp to the
 * {@code read_committed} output: {@code text-embeddings}, and the playlist-continuation record in
 * {@code song-recommendations}), the application's consumer lag on both input topics, and the heap after
 * the last garbage collection (the load generator, broker and application share this JVM).
 */
public final class LoadRun implements AutoCloseable {

    /** One report interval. Rates are per second, latencies in ms (NaN when nothing arrived). */
    public record Interval(double elapsedSeconds, double textInRate, double textOutRate, double textP50,
                           double textP99, double playlistInRate, double playlistOutRate, double songP50,
                           double songP99, long textLag, long playlistLag, long heapUsedMb, long heapAfterGcMb) {}

    /** Maximum sustained completion rate of each path alone, measured by flooding it. */
    public record Capacity(double textPerSecond, double playlistsPerSecond) {}

    private static final String APP_ID = "streamvec-load";
    private static final Duration PACE = Duration.ofMillis(10);

    private final ScratchDir stateDir;
    private final EmbeddedKafka kafka;
    private final StreamvecApp app;
    private final KafkaProducer<String, byte[]> producer;
    private final AvroSerde<PlaylistEvent> playlists;
    private final SyntheticPlaylists playlistSource = new SyntheticPlaylists(12, 400, 7L);
    private final List<String> sentences = SentenceCorpus.generate(5_000);
    private final Admin admin;
    private final Thread reader;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Latencies textLatency = new Latencies();
    private final Latencies songLatency = new Latencies();
    private final AtomicLong textsOut = new AtomicLong();
    private final AtomicLong heapAfterGc = new AtomicLong(-1);
    private long textsSent;
    private long playlistsSent;
    private final NotificationListener gcListener = (notification, handback) -> {
        if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            GarbageCollectionNotificationInfo info =
                    GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            heapAfterGc.set(info.getGcInfo().getMemoryUsageAfterGc().values().stream()
                    .mapToLong(MemoryUsage::getUsed).sum());
        }
    };

    public LoadRun(Map<String, Object> overrides) throws IOException, InterruptedException {
        stateDir = ScratchDir.create("streamvec-load-state");
        kafka = EmbeddedKafka.start();
        Map<String, Object> properties = StreamvecConfig.local(kafka.bootstrapServers(), APP_ID, stateDir.path());
        properties.put(StreamvecConfig.EMBEDDING_DEVICE, "cpu");
        properties.putAll(overrides);
        BenchOverrides.apply(properties); // any other setting (e.g. num.stream.threads)
        app = new StreamvecApp(new StreamvecConfig(properties)).start();
        app.awaitRunning(Duration.ofMinutes(2));
        playlists = new AvroSerde<>(PlaylistEvent.class, app.registry());
        Properties producerConfig = new Properties();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener(gcListener, null, null);
        }
        reader = new Thread(this::readOutputs, "load-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Measures each path's maximum rate alone: floods text events for half of {@code duration}, then
     * playlist events for the other half, and returns the completion rate over the second half of each
     * flood (the first half fills the pipeline). Each backlog is drained before the next step.
     */
    public Capacity measureCapacity(Duration duration) throws InterruptedException {
        Duration each = duration.dividedBy(2);
        double texts = flood(each, 500, this::sendText, textsOut::get, () -> textsSent);
        double playlists = flood(each, 20_000, this::sendPlaylist, this::playlistsOut, () -> playlistsSent);
        textLatency.drain();
        songLatency.drain();
        return new Capacity(texts, playlists);
    }

    private double flood(Duration duration, long backlog, Runnable send, LongSupplier done, LongSupplier sent)
            throws InterruptedException {
        long start = System.nanoTime();
        long half = start + duration.toNanos() / 2;
        long end = start + duration.toNanos();
        long atHalf = -1;
        while (System.nanoTime() < end) {
            for (long n = backlog - (sent.getAsLong() - done.getAsLong()); n > 0; n--) {
                send.run(); // keep a bounded backlog: never running dry, quick to drain
            }
            if (atHalf < 0 && System.nanoTime() >= half) {
                atHalf = done.getAsLong();
            }
            Thread.sleep(20);
        }
        double rate = (done.getAsLong() - atHalf) / (duration.toNanos() / 2e9);
        producer.flush();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (done.getAsLong() < sent.getAsLong()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the backlog of the capacity run did not drain within 10 minutes");
            }
            Thread.sleep(100);
        }
        return rate;
    }

    /** Sends at the given rates for {@code duration}, reporting every {@code every}. */
    public List<Interval> run(double textRate, double playlistRate, Duration duration, Duration every,
                              Consumer<Interval> onInterval) throws Exception {
        List<Interval> intervals = new ArrayList<>();
        long started = System.nanoTime();
        long textsAtStart = textsSent;
        long playlistsAtStart = playlistsSent;
        long nextReport = started + every.toNanos();
        long lastReport = started;
        long[] lastCounts = {textsSent, textsOut.get(), playlistsSent, playlistsOut()};
        while (true) {
            long now = System.nanoTime();
            double elapsed = (now - started) / 1e9;
            long dueTexts = textsAtStart + (long) (textRate * elapsed);
            long duePlaylists = playlistsAtStart + (long) (playlistRate * elapsed);
            while (textsSent < dueTexts) {
                sendText();
            }
            while (playlistsSent < duePlaylists) {
                sendPlaylist();
            }
            if (now >= nextReport) {
                double seconds = (now - lastReport) / 1e9;
                long[] counts = {textsSent, textsOut.get(), playlistsSent, playlistsOut()};
                double[] text = textLatency.drain();
                double[] song = songLatency.drain();
                long[] lag = lag();
                Runtime runtime = Runtime.getRuntime();
                Interval interval = new Interval(elapsed, (counts[0] - lastCounts[0]) / seconds,
                        (counts[1] - lastCounts[1]) / seconds, text[0], text[1],
                        (counts[2] - lastCounts[2]) / seconds, (counts[3] - lastCounts[3]) / seconds,
                        song[0], song[1], lag[0], lag[1], (runtime.totalMemory() - runtime.freeMemory()) >> 20,
                        heapAfterGc.get() >> 20);
                intervals.add(interval);
                onInterval.accept(interval);
                lastCounts = counts;
                lastReport = now;
                nextReport += every.toNanos();
                if (now - started >= duration.toNanos()) {
                    return intervals;
                }
            }
            Thread.sleep(PACE.toMillis());
        }
    }

    /** Playlist events trained (the model's own count; not every event yields a recommendation). */
    private long playlistsOut() {
        return (long) app.metrics().registry().find("streamvec.song2vec.events").functionCounters().stream()
                .mapToDouble(FunctionCounter::count).sum();
    }

    private void sendText() {
        String text = sentences.get((int) (textsSent % sentences.size()));
        producer.send(new ProducerRecord<>(Topics.TEXT_EVENTS, null, System.currentTimeMillis(), "load-" + textsSent,
                text.getBytes(StandardCharsets.UTF_8)));
        textsSent++;
    }

    private void sendPlaylist() {
        String id = "pl-" + playlistsSent;
        long now = System.currentTimeMillis();
        PlaylistEvent event = new PlaylistEvent(id, playlistSource.next(5, 30), now, true);
        producer.send(new ProducerRecord<>(Topics.PLAYLIST_EVENTS, null, now, id,
                playlists.serialize(Topics.PLAYLIST_EVENTS, event)));
        playlistsSent++;
    }

    /** Reads both output topics (read_committed) and records each record's end-to-end latency. */
    private void readOutputs() {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        AvroSerde<SongRecommendations> recommendations = new AvroSerde<>(SongRecommendations.class, app.registry());
        try (KafkaConsumer<String, byte[]> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = Stream.of(Topics.TEXT_EMBEDDINGS, Topics.SONG_RECOMMENDATIONS)
                    .flatMap(topic -> consumer.partitionsFor(topic).stream())
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!stop.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    long latency = System.currentTimeMillis() - record.timestamp();
                    if (record.topic().equals(Topics.TEXT_EMBEDDINGS)) {
                        textLatency.add(latency);
                        textsOut.incrementAndGet();
                    } else if (recommendations.deserialize(record.topic(), record.value()).getPlaylistId() != null) {
                        songLatency.add(latency); // the playlist continuation that follows a playlist event
                    }
                }
            }
        }
    }

    /** The application's consumer lag on text-events and on playlist-events (end offset minus committed). */
    private long[] lag() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(APP_ID).partitionsToOffsetAndMetadata().get();
        List<TopicPartition> inputs = Stream.of(Topics.TEXT_EVENTS, Topics.PLAYLIST_EVENTS)
                .flatMap(topic -> producer.partitionsFor(topic).stream())
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        inputs.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        long[] lag = new long[2];
        admin.listOffsets(latest).all().get().forEach((tp, end) -> {
            OffsetAndMetadata at = committed.get(tp);
            lag[tp.topic().equals(Topics.TEXT_EVENTS) ? 0 : 1] += end.offset() - (at == null ? 0 : at.offset());
        });
        return lag;
    }

    @Override
    public void close() throws Exception {
        stop.set(true);
        reader.join(5_000);
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            try {
                ((NotificationEmitter) gc).removeNotificationListener(gcListener);
            } catch (javax.management.ListenerNotFoundException ignored) {
                // not registered on this collector
            }
        }
        admin.close();
        producer.close();
        app.close();
        kafka.close();
        stateDir.close();
    }

    /** Latencies of one interval; {@link #drain()} returns p50 and p99 and starts the next. */
    private static final class Latencies {
        private long[] values = new long[1024];
        private int size;

        synchronized void add(long latencyMs) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = latencyMs;
        }

        synchronized double[] drain() {
            if (size == 0) {
                return new double[] {Double.NaN, Double.NaN};
            }
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            size = 0;
            return new double[] {sorted[(int) Math.min(sorted.length - 1, Math.round(0.50 * (sorted.length - 1)))],
                sorted[(int) Math.min(sorted.length - 1, Math.round(0.99 * (sorted.length - 1)))]};
        }
    }
}
