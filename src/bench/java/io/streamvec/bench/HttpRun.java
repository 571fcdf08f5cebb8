package io.streamvec.bench;

import io.micrometer.core.instrument.FunctionCounter;
import io.streamvec.StreamvecApp;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.avro.Song;
import io.streamvec.cli.SongTraining;
import io.streamvec.http.SongQueries;
import io.streamvec.http.StreamsSongQueries;
import io.streamvec.kafka.EmbeddedKafka;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.song2vec.model.SongModelView;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * What {@code bench http} serves: an in-process broker and one streamvec (as deployed: exactly-once,
 * recommendations on, both HTTP servers on free ports) whose song model is trained on {@code playlists}
 * (one whole-playlist event each, ids {@code p0, p1, ...}) before the load starts, and, on demand, a
 * background producer that keeps training running alongside the queries at a steady rate.
 */
public final class HttpRun implements AutoCloseable {

    /** The time of one query made in-process, without HTTP. Milliseconds. */
    public record Timing(long queries, double meanMs, double p50Ms, double p99Ms) {}

    private static final String APP_ID = "streamvec-bench-http";

    private final List<List<String>> playlists;
    private final ScratchDir stateDir;
    private final EmbeddedKafka kafka;
    private final StreamvecApp app;
    private final AvroSerde<PlaylistEvent> events;
    private volatile Thread producer;
    private volatile boolean producing;

    public HttpRun(List<List<String>> playlists, List<Song> songs, Map<String, Object> overrides) throws Exception {
        this.playlists = playlists;
        stateDir = ScratchDir.create("streamvec-bench-http-state");
        kafka = EmbeddedKafka.start();
        Map<String, Object> properties = StreamvecConfig.local(kafka.bootstrapServers(), APP_ID, stateDir.path());
        properties.put(StreamvecConfig.EMBEDDING_DEVICE, "cpu");
        properties.putAll(overrides);
        BenchOverrides.apply(properties); // any other setting, e.g. -Dstreamvec.bench.song2vec.threads=2
        StreamvecApp started = new StreamvecApp(new StreamvecConfig(properties)).start();
        try {
            started.awaitRunning(Duration.ofMinutes(2));
            events = new AvroSerde<>(PlaylistEvent.class, started.registry());
            if (!songs.isEmpty()) {
                SongTraining.produceSongs(kafka.bootstrapServers(), new AvroSerde<>(Song.class, started.registry()), songs);
            }
        } catch (Exception | Error e) {
            started.close();
            kafka.close();
            stateDir.close();
            throw e;
        }
        app = started;
    }

    /**
     * Sends every playlist as one event and waits until the model has trained them all, reporting the events
     * trained so far to {@code progress} (about every 20 ms); then waits for a query snapshot that holds them.
     * Returns the seconds from the first send, or -1 when {@code timeout} ran out first.
     */
    public double train(Duration timeout, LongConsumer progress) throws Exception {
        List<PlaylistEvent> all = SongTraining.events(playlists, false, 1);
        var records = SongTraining.serialize(events, all);
        long started = System.nanoTime();
        Thread send = new Thread(() -> SongTraining.produceSerialized(kafka.bootstrapServers(), records),
                "bench-http-training-producer");
        send.start();
        boolean complete = SongTraining.awaitEvents(app, all.size(), timeout, progress);
        double seconds = (System.nanoTime() - started) / 1e9;
        send.join();
        if (!complete) {
            return -1;
        }
        awaitSnapshot(all.size(), Duration.ofSeconds(30));
        return seconds;
    }

    /** Waits until the query snapshot was taken after {@code events} events (it refreshes every second). */
    private void awaitSnapshot(long events, Duration timeout) throws InterruptedException {
        String song = playlists.get(playlists.size() - 1).get(0);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (model().vector(song).map(SongModelView.SongVector::modelUpdates).orElse(0L) >= events) {
                    return;
                }
            } catch (InvalidStateStoreException e) {
                // migrating: try again
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the query snapshot did not catch up with training within " + timeout);
    }

    /** The base URL of the query server. */
    public URI queries() {
        return app.httpUri();
    }

    /** The base URL of the operations server. */
    public URI operations() {
        return app.operationsUri();
    }

    /** The local song model, as the routes query it. */
    public SongModelView model() throws InterruptedException {
        return SongTraining.model(app, Duration.ofSeconds(30));
    }

    /** The query object behind the routes (interactive queries, metadata), called without HTTP. */
    public SongQueries queryObject() {
        return new StreamsSongQueries(app::streams);
    }

    /** Up to {@code max} song ids the model knows, in a fixed shuffled order. */
    public List<String> songIds(int max) throws InterruptedException {
        List<String> ids = new ArrayList<>();
        model().forEachVector((id, vector) -> ids.add(id));
        return sample(ids, max);
    }

    /** Up to {@code max} ids of the trained playlists, in a fixed shuffled order. */
    public List<String> playlistIds(int max) {
        List<String> ids = new ArrayList<>(playlists.size());
        for (int p = 0; p < playlists.size(); p++) {
            ids.add("p" + p); // as SongTraining.events names them
        }
        return sample(ids, max);
    }

    private static List<String> sample(List<String> ids, int max) {
        Collections.sort(ids);
        Collections.shuffle(ids, new Random(1));
        return List.copyOf(ids.subList(0, Math.min(max, ids.size())));
    }

    /** {@code /songs/{id}/similar?k=K} for each id. */
    public static List<String> similarPaths(List<String> songIds, int k) {
        return songIds.stream().map(id -> "/songs/" + segment(id) + "/similar?k=" + k).toList();
    }

    /** {@code /playlists/{id}/next?k=K} for each id. */
    public static List<String> nextPaths(List<String> playlistIds, int k) {
        return playlistIds.stream().map(id -> "/playlists/" + segment(id) + "/next?k=" + k).toList();
    }

    private static String segment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Times {@code query} on each of {@code ids} in turn, one thread, after a warm-up pass over the first
     * 1,000 (or all of them, if fewer), until {@code count} queries have been timed.
     */
    public static <T> Timing time(List<T> ids, int count, Function<T, ?> query) {
        Object sink = null;
        for (int i = 0; i < Math.min(ids.size(), 1_000); i++) {
            sink = query.apply(ids.get(i));
        }
        Histogram latencies = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
        for (int i = 0; i < count; i++) {
            long started = System.nanoTime();
            sink = query.apply(ids.get(i % ids.size()));
            latencies.recordValue(Math.min(System.nanoTime() - started, latencies.getHighestTrackableValue()));
        }
        if (sink == null && count > 0) {
            throw new IllegalStateException("the queries answered nothing");
        }
        return new Timing(latencies.getTotalCount(), latencies.getMean() / 1e6,
                latencies.getValueAtPercentile(50) / 1e6, latencies.getValueAtPercentile(99) / 1e6);
    }

    /**
     * Starts a producer that sends the playlists again (ids {@code bg-0, bg-1, ...}, cycling) at
     * {@code songsPerSecond} songs a second, paced every 10 ms, until {@link #stopTraining()}.
     */
    public void startTraining(double songsPerSecond) {
        if (producer != null) {
            throw new IllegalStateException("training is already running alongside");
        }
        producing = true;
        Thread thread = new Thread(() -> produce(songsPerSecond), "bench-http-background-training");
        thread.setDaemon(true);
        producer = thread;
        thread.start();
    }

    public void stopTraining() throws InterruptedException {
        Thread thread = producer;
        if (thread != null) {
            producing = false;
            thread.join(10_000);
            producer = null;
        }
    }

    private void produce(double songsPerSecond) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        try (KafkaProducer<String, byte[]> kafkaProducer =
                     new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            long started = System.nanoTime();
            long songs = 0;
            long sent = 0;
            while (producing) {
                double due = songsPerSecond * (System.nanoTime() - started) / 1e9;
                while (songs < due && producing) {
                    List<String> playlist = playlists.get((int) (sent % playlists.size()));
                    String id = "bg-" + sent;
                    long now = System.currentTimeMillis();
                    kafkaProducer.send(new ProducerRecord<>(Topics.PLAYLIST_EVENTS, null, now, id,
                            events.serialize(Topics.PLAYLIST_EVENTS, new PlaylistEvent(id, playlist, now, true))));
                    songs += playlist.size();
                    sent++;
                }
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Songs the model has trained so far (its own counter). */
    public long songsTrained() {
        return (long) app.metrics().registry().find("streamvec.song2vec.songs").functionCounters().stream()
                .mapToDouble(FunctionCounter::count).sum();
    }

    /** Playlist events the model has trained so far. */
    public long eventsTrained() {
        return (long) app.metrics().registry().find("streamvec.song2vec.events").functionCounters().stream()
                .mapToDouble(FunctionCounter::count).sum();
    }

    @Override
    public void close() throws Exception {
        stopTraining();
        app.close();
        kafka.close();
        stateDir.close();
    }
}
