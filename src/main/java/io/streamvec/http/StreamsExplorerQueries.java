package io.streamvec.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.streamvec.avro.Song;
import io.streamvec.song2vec.model.SongModelView;
import io.streamvec.song2vec.model.SongProjection;
import io.streamvec.song2vec.stream.SongModelStoreType;
import io.streamvec.song2vec.stream.SongStores;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.StreamsNotStartedException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * {@link ExplorerQueries} over this instance's state: the map from the model's query snapshot (the most trained
 * songs, {@link SongProjection}, placed once per snapshot and limit by {@link SongMaps}, with the song metadata),
 * the figures from the Micrometer registry ({@link ExplorerStats}).
 */
public final class StreamsExplorerQueries implements ExplorerQueries {

    /** The clusters that colour the map. */
    public static final int MAP_CLUSTERS = 8;

    private final Supplier<KafkaStreams> streams;
    /** The map placed once per model snapshot and limit. */
    private final SongMaps maps = new SongMaps(MAP_CLUSTERS, new SongProjection(MAP_CLUSTERS, 42)::project);
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
        return maps.map(model, id -> {
            ValueAndTimestamp<Song> entry = metadata.get(id);
            return entry == null ? null : entry.value();
        }, limit);
    }

    @Override
    public Responses.Stats stats() {
        return stats.read();
    }
}
