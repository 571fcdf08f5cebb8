package io.streamvec.cli;

import io.streamvec.StreamvecApp;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.avro.Song;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.song2vec.stream.SongModelStoreType;
import io.streamvec.song2vec.data.Word2vecFile;
import io.streamvec.song2vec.model.NeighborIndex;
import io.streamvec.song2vec.model.SongModelView;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/** Streams playlists through a running streamvec and reads the trained model back: shared by train, bench and demo. */
public final class SongTraining {

    private SongTraining() {}

    /** Playlist events for the playlists: one per playlist, or one per song (the last marked complete). */
    public static List<PlaylistEvent> events(List<List<String>> playlists, boolean perSong, int passes) {
        long now = System.currentTimeMillis();
        return events(playlists, perSong, passes, (id, songs, complete) -> new PlaylistEvent(id, songs, now, complete));
    }

    /** Makes one event: a playlist's id, songs and whether they complete it. */
    @FunctionalInterface
    public interface EventFactory<E> {
        E event(String playlistId, List<String> songIds, boolean complete);
    }

    /**
     * The events of {@link #events(List, boolean, int)}, made by {@code factory}: the playlists of pass p of
     * several are named {@code "p<index>-<p>"}, of one pass {@code "p<index>"}.
     */
    public static <E> List<E> events(List<List<String>> playlists, boolean perSong, int passes, EventFactory<E> factory) {
        List<E> events = new ArrayList<>();
        for (int pass = 0; pass < passes; pass++) {
            for (int p = 0; p < playlists.size(); p++) {
                String id = passes == 1 ? "p" + p : "p" + p + "-" + pass;
                List<String> songs = playlists.get(p);
                if (!perSong) {
                    events.add(factory.event(id, songs, true));
                } else {
                    for (int i = 0; i < songs.size(); i++) {
                        events.add(factory.event(id, List.of(songs.get(i)), i == songs.size() - 1));
                    }
                }
            }
        }
        return events;
    }

    /** How many events {@link #events} makes of the playlists, without making them. */
    public static long eventCount(List<List<String>> playlists, boolean perSong, int passes) {
        long perPass = perSong ? playlists.stream().mapToLong(List::size).sum() : playlists.size();
        return perPass * passes;
    }

    public static void produceSongs(String bootstrap, AvroSerde<Song> serde, List<Song> songs) {
        try (KafkaProducer<String, Song> producer = producer(bootstrap, serde)) {
            for (Song song : songs) {
                producer.send(new ProducerRecord<>(Topics.SONGS, song.getId(), song));
            }
        }
    }

    public static void produceEvents(String bootstrap, AvroSerde<PlaylistEvent> serde, List<PlaylistEvent> events) {
        produceSerialized(bootstrap, serialize(serde, events));
    }

    /** The events as records ready to send (key: playlist id; value: Confluent wire format). */
    public static List<Map.Entry<String, byte[]>> serialize(AvroSerde<PlaylistEvent> serde, List<PlaylistEvent> events) {
        List<Map.Entry<String, byte[]>> records = new java.util.ArrayList<>(events.size());
        for (PlaylistEvent event : events) {
            records.add(Map.entry(event.getPlaylistId(), serde.serialize(Topics.PLAYLIST_EVENTS, event)));
        }
        return records;
    }

    /** Sends records made by {@link #serialize} to playlist-events. */
    public static void produceSerialized(String bootstrap, List<Map.Entry<String, byte[]>> records) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig(bootstrap),
                new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (Map.Entry<String, byte[]> record : records) {
                producer.send(new ProducerRecord<>(Topics.PLAYLIST_EVENTS, record.getKey(), record.getValue()));
            }
        }
    }

    private static <V extends org.apache.avro.specific.SpecificRecord> KafkaProducer<String, V> producer(
            String bootstrap, AvroSerde<V> serde) {
        return new KafkaProducer<>(producerConfig(bootstrap), new StringSerializer(), serde.serializer());
    }

    private static Properties producerConfig(String bootstrap) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        return config;
    }

    /** The local song model, through interactive queries (waits while the store is migrating). */
    public static SongModelView model(StreamvecApp app, Duration timeout) throws InterruptedException {
        return SongModelStoreType.query(app.streams(), timeout);
    }

    /** Waits until the model has trained {@code events} events, reporting progress; false on timeout. */
    public static boolean awaitEvents(StreamvecApp app, long events, Duration timeout, LongConsumer progress)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            long trained;
            try {
                trained = model(app, timeout).events();
            } catch (InvalidStateStoreException e) {
                trained = 0;
            }
            progress.accept(trained);
            if (trained >= events) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** All song vectors, sorted by song id. */
    public static Map<String, float[]> vectors(SongModelView model) {
        Map<String, float[]> vectors = new TreeMap<>();
        model.forEachVector(vectors::put);
        return vectors;
    }

    /** How often the model has seen each song it has a vector for. */
    public static Map<String, Long> counts(SongModelView model) {
        Map<String, Long> counts = new TreeMap<>();
        model.forEachSong((songId, count, vector) -> counts.put(songId, count));
        return counts;
    }

    /** The songs most trained first (ties by id), as gensim saves its vectors. */
    public static List<String> byCount(Map<String, float[]> vectors, Map<String, Long> counts) {
        record Counted(String id, long count) {}
        List<Counted> songs = new ArrayList<>(vectors.size());
        for (String id : vectors.keySet()) { // each count looked up once, not once per comparison
            songs.add(new Counted(id, counts.getOrDefault(id, 0L)));
        }
        songs.sort(java.util.Comparator.comparingLong((Counted song) -> -song.count()).thenComparing(Counted::id));
        List<String> ids = new ArrayList<>(songs.size());
        for (Counted song : songs) {
            ids.add(song.id());
        }
        return ids;
    }

    /**
     * Writes vectors in word2vec text format ({@link Word2vecFile}), most trained first as gensim does, so that a
     * warm start from the file takes its order for counts.
     */
    public static void writeWord2vec(Map<String, float[]> vectors, Map<String, Long> counts, Path file)
            throws IOException {
        int dim = vectors.isEmpty() ? 0 : vectors.values().iterator().next().length;
        List<String> ids = byCount(vectors, counts);
        float[] values = new float[ids.size() * dim];
        for (int i = 0; i < ids.size(); i++) {
            System.arraycopy(vectors.get(ids.get(i)), 0, values, i * dim, dim);
        }
        Word2vecFile.write(file, ids, dim, values);
    }

    /** The vectors as a query index, with their counts. */
    public static NeighborIndex index(Map<String, float[]> vectors, Map<String, Long> counts) {
        int dim = vectors.isEmpty() ? 1 : vectors.values().iterator().next().length;
        List<String> ids = byCount(vectors, counts);
        float[] values = new float[ids.size() * dim];
        long[] songCounts = new long[ids.size()];
        for (int i = 0; i < ids.size(); i++) {
            System.arraycopy(vectors.get(ids.get(i)), 0, values, i * dim, dim);
            songCounts[i] = counts.getOrDefault(ids.get(i), 0L);
        }
        return NeighborIndex.of(ids, songCounts, values, dim);
    }
}
