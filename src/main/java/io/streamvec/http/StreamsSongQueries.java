package io.streamvec.http;

import io.streamvec.avro.Song;
import io.streamvec.song2vec.model.PlaylistContext;
import io.streamvec.song2vec.stream.SongStores;
import io.streamvec.song2vec.stream.SongModelStoreType;
import io.streamvec.song2vec.model.SongModelView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.StreamsNotStartedException;
import org.apache.kafka.streams.errors.StreamsRebalancingException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * {@link SongQueries} over this instance's state through interactive queries: the song model
 * ({@value SongStores#MODEL}), the playlist contexts ({@value SongStores#PLAYLISTS})
 * and the global song metadata ({@value SongStores#SONG_METADATA}). Queries about songs (one or a list) answer
 * from this instance's model copy.
 *
 * <p>A playlist's context holds rows of the model of the task that owns the playlist's partition, so its
 * rows are mapped to song ids by that partition's model, not by whichever local model is largest.
 *
 * <p>With several instances ({@code self}, this instance's {@code application.server}, is set), the instance
 * that holds a playlist is the active host of its key in {@value SongStores#PLAYLISTS}
 * ({@link KafkaStreams#queryMetadataForKey}).
 */
public final class StreamsSongQueries implements SongQueries {

    private static final StringSerializer KEYS = new StringSerializer();

    private final Supplier<KafkaStreams> streams;
    private final HostInfo self;

    /** A single instance. {@code streams} may supply null before the application starts (answered as not queryable). */
    public StreamsSongQueries(Supplier<KafkaStreams> streams) {
        this(streams, null);
    }

    /** {@code self}: this instance's {@code application.server}, or null for a single instance. */
    public StreamsSongQueries(Supplier<KafkaStreams> streams, HostInfo self) {
        this.streams = streams;
        this.self = self;
    }

    @Override
    public Optional<HostInfo> remotePlaylistOwner(String playlistId) {
        if (self == null) {
            return Optional.empty();
        }
        return remoteOwner(running().queryMetadataForKey(SongStores.PLAYLISTS, playlistId, KEYS), self);
    }

    /**
     * The forwarding decision: the key's active host when it is another instance than {@code self}, empty when
     * it is {@code self}. While no instance is known to hold the key (start-up, rebalance) it throws
     * {@link StreamsRebalancingException}: answered 503, to be retried, rather than a wrong 404 from here.
     */
    static Optional<HostInfo> remoteOwner(KeyQueryMetadata metadata, HostInfo self) {
        HostInfo active = metadata == null ? null : metadata.activeHost();
        if (active == null || active.equals(HostInfo.unavailable()) || active.port() < 0) {
            throw new StreamsRebalancingException("no instance holds the playlist's partition right now");
        }
        return active.equals(self) ? Optional.empty() : Optional.of(active);
    }

    @Override
    public Optional<Responses.SimilarSongs> similar(String songId, int k) {
        KafkaStreams kafkaStreams = running();
        SongModelView model = kafkaStreams.store(
                StoreQueryParameters.fromNameAndType(SongStores.MODEL, new SongModelStoreType()));
        return model.similar(songId, k)
                .map(neighbors -> new Responses.SimilarSongs(songId, k, withMetadata(kafkaStreams, neighbors)));
    }

    @Override
    public Optional<Responses.SongVector> vector(String songId) {
        SongModelView model = running().store(
                StoreQueryParameters.fromNameAndType(SongStores.MODEL, new SongModelStoreType()));
        return model.vector(songId).map(found -> new Responses.SongVector(found.songId(), found.vector().length,
                found.count(), found.modelUpdates(), found.vector()));
    }

    @Override
    public Optional<Responses.PlaylistNext> next(String playlistId, int k) {
        KafkaStreams kafkaStreams = running();
        Integer partition = partitionOf(kafkaStreams, playlistId);
        StoreQueryParameters<ReadOnlyKeyValueStore<String, byte[]>> playlistQuery = StoreQueryParameters
                .fromNameAndType(SongStores.PLAYLISTS, QueryableStoreTypes.<String, byte[]>keyValueStore());
        StoreQueryParameters<SongModelView> modelQuery =
                StoreQueryParameters.fromNameAndType(SongStores.MODEL, new SongModelStoreType());
        if (partition != null) {
            playlistQuery = playlistQuery.withPartition(partition);
            modelQuery = modelQuery.withPartition(partition);
        }
        byte[] stored = kafkaStreams.store(playlistQuery).get(playlistId);
        if (stored == null) {
            return Optional.empty();
        }
        SongModelView model = kafkaStreams.store(modelQuery);
        List<String> recent = model.songIds(PlaylistContext.fromBytes(stored).retainedSongs());
        List<Responses.Recommendation> recommendations = recent.isEmpty() ? List.of()
                : model.continuation(recent, k).map(neighbors -> withMetadata(kafkaStreams, neighbors)).orElse(List.of());
        return Optional.of(new Responses.PlaylistNext(playlistId, k, recent, recommendations));
    }

    @Override
    public Optional<Responses.MostSimilar> mostSimilar(List<String> positive, List<String> negative, int k) {
        KafkaStreams kafkaStreams = running();
        return model(kafkaStreams).mostSimilar(positive, negative, k).map(answer -> new Responses.MostSimilar(
                positive, negative, k, answer.unknown(), withMetadata(kafkaStreams, answer.neighbors())));
    }

    @Override
    public Optional<Responses.SongsNext> next(List<String> songIds, int k) {
        KafkaStreams kafkaStreams = running();
        return model(kafkaStreams).continuationOf(songIds, k).map(answer -> new Responses.SongsNext(songIds, k,
                answer.unknown(), withMetadata(kafkaStreams, answer.neighbors())));
    }

    /**
     * Scans the song metadata for titles and artists with the query's words; songs the model has not seen count
     * 0 and come last.
     */
    @Override
    public Responses.SongSearch search(String query, int limit) {
        KafkaStreams kafkaStreams = running();
        SongModelView model = model(kafkaStreams);
        SongSearch search = new SongSearch(query);
        List<Responses.SongInfo> found = new ArrayList<>();
        try (KeyValueIterator<String, ValueAndTimestamp<Song>> all = metadata(kafkaStreams).all()) {
            while (all.hasNext()) {
                KeyValue<String, ValueAndTimestamp<Song>> entry = all.next();
                Song song = entry.value == null ? null : entry.value.value();
                if (song != null && search.matches(song.getTitle(), song.getArtist())) {
                    found.add(new Responses.SongInfo(entry.key, song.getTitle(), song.getArtist(),
                            model.count(entry.key)));
                }
            }
        }
        found.sort(Comparator.comparingLong(Responses.SongInfo::count).reversed()
                .thenComparing(info -> info.title() == null ? "" : info.title())
                .thenComparing(Responses.SongInfo::songId));
        return new Responses.SongSearch(query, limit, List.copyOf(found.subList(0, Math.min(limit, found.size()))));
    }

    @Override
    public Responses.TopSongs top(int k) {
        KafkaStreams kafkaStreams = running();
        ReadOnlyKeyValueStore<String, ValueAndTimestamp<Song>> songs = metadata(kafkaStreams);
        List<Responses.SongInfo> top = new ArrayList<>();
        for (SongModelView.SongCount played : model(kafkaStreams).top(k)) {
            ValueAndTimestamp<Song> entry = songs.get(played.songId());
            Song song = entry == null ? null : entry.value();
            top.add(new Responses.SongInfo(played.songId(), song == null ? null : song.getTitle(),
                    song == null ? null : song.getArtist(), played.count()));
        }
        return new Responses.TopSongs(k, top);
    }

    private static SongModelView model(KafkaStreams kafkaStreams) {
        return kafkaStreams.store(StoreQueryParameters.fromNameAndType(SongStores.MODEL, new SongModelStoreType()));
    }

    private static ReadOnlyKeyValueStore<String, ValueAndTimestamp<Song>> metadata(KafkaStreams kafkaStreams) {
        return kafkaStreams.store(StoreQueryParameters.fromNameAndType(SongStores.SONG_METADATA,
                QueryableStoreTypes.<String, Song>timestampedKeyValueStore()));
    }

    private KafkaStreams running() {
        KafkaStreams kafkaStreams = streams.get();
        if (kafkaStreams == null) {
            throw new StreamsNotStartedException("the streams application has not started");
        }
        return kafkaStreams;
    }

    /** The playlist-events partition that owns the playlist, or null when the metadata is not known yet. */
    private static Integer partitionOf(KafkaStreams kafkaStreams, String playlistId) {
        KeyQueryMetadata metadata = kafkaStreams.queryMetadataForKey(SongStores.PLAYLISTS, playlistId, KEYS);
        return metadata == null || metadata.partition() < 0 ? null : metadata.partition();
    }

    private static List<Responses.Recommendation> withMetadata(KafkaStreams kafkaStreams,
                                                                List<SongModelView.Neighbor> neighbors) {
        ReadOnlyKeyValueStore<String, ValueAndTimestamp<Song>> songs = metadata(kafkaStreams);
        List<Responses.Recommendation> out = new ArrayList<>(neighbors.size());
        for (SongModelView.Neighbor neighbor : neighbors) {
            ValueAndTimestamp<Song> entry = songs.get(neighbor.songId());
            Song song = entry == null ? null : entry.value();
            out.add(new Responses.Recommendation(neighbor.songId(), neighbor.score(),
                    song == null ? null : song.getTitle(), song == null ? null : song.getArtist()));
        }
        return out;
    }
}
