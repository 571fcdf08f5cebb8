package io.streamvec.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.streamvec.avro.Song;
import io.streamvec.song2vec.model.SongModelView;
import io.streamvec.song2vec.model.SongProjection;
import io.streamvec.song2vec.stream.SongModelStoreType;
import io.streamvec.song2vec.stream.SongStores;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.StreamsNotStartedException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * {@link ExplorerQueries} over this instance's state: the map from the model's query snapshot (the most trained
 * songs, {@link SongProjection}, with the song metadata), the figures from the Micrometer registry
 * ({@link ExplorerStats}).
 */
public final class StreamsExplorerQueries implements ExplorerQueries {

    /** The clusters that colour the map. */
    public static final int MAP_CLUSTERS = 8;

    private final Supplier<KafkaStreams> streams;
    private final SongProjection projection = new SongProjection(MAP_CLUSTERS, 42);
    private final ExplorerStats stats;

    public StreamsExplorerQueries(Supplier<KafkaStreams> streams, MeterRegistry registry) {
        this.streams = streams;
        this.stats = new ExplorerStats(registry);
    }

    @Override
    public Responses.SongMap map(int limit) {
        KafkaStreams kafkaStreams = streams.get();
        if (kafkaStreams == null) {
            throw new StreamsNotStartedException("the streams application has not started");
        }
        SongModelView model = kafkaStreams.store(
                StoreQueryParameters.fromNameAndType(SongStores.MODEL, new SongModelStoreType()));
        ReadOnlyKeyValueStore<String, ValueAndTimestamp<Song>> metadata = kafkaStreams.store(
                StoreQueryParameters.fromNameAndType(SongStores.SONG_METADATA,
                        QueryableStoreTypes.<String, Song>timestampedKeyValueStore()));
        List<String> ids = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        Map<String, Long> counts = new HashMap<>();
        long updates = 0;
        for (SongModelView.SongCount top : model.top(limit)) {
            Optional<SongModelView.SongVector> vector = model.vector(top.songId());
            if (vector.isPresent()) {
                ids.add(top.songId());
                vectors.add(vector.get().vector());
                counts.put(top.songId(), vector.get().count());
                updates = Math.max(updates, vector.get().modelUpdates());
            }
        }
        List<Responses.MapPoint> points = new ArrayList<>(ids.size());
        for (SongProjection.Point p : projection.project(ids, vectors)) {
            ValueAndTimestamp<Song> entry = metadata.get(p.songId());
            Song song = entry == null ? null : entry.value();
            points.add(new Responses.MapPoint(p.songId(), round(p.x()), round(p.y()), p.cluster(),
                    song == null ? null : song.getTitle(), song == null ? null : song.getArtist(),
                    counts.get(p.songId())));
        }
        return new Responses.SongMap(limit, MAP_CLUSTERS, updates, points);
    }

    /** Six significant decimals are more than a canvas can show, and keep the answer small. */
    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    @Override
    public Responses.Stats stats() {
        return stats.read();
    }
}
