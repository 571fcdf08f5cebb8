package io.streamvec.song2vec.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streamvec.avro.Recommendation;
import io.streamvec.avro.RecommendationKind;
import io.streamvec.avro.Song;
import io.streamvec.avro.SongRecommendations;
import io.streamvec.song2vec.model.SongModelView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Emits the recommendations of one playlist event to {@link Song2vecProcessor#RECOMMENDATIONS_CHILD}: songs
 * similar to the event's newest songs (at most {@code song2vec.recommend.songs.per.event}, each song at most
 * once per {@code song2vec.recommend.dedup.ms}), then a continuation of the playlist; titles and artists come
 * from the global song-metadata store. Queries read the model store's snapshot, refreshed first when older
 * than {@code song2vec.index.refresh.ms}.
 */
final class RecommendationEmitter {

    private static final int DEDUP_ENTRIES = 100_000;

    private final Song2vecSettings settings;
    private final Counter emitted;
    private final Timer queries;
    private final Map<String, Long> lastRecommended = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > DEDUP_ENTRIES;
        }
    };
    private ProcessorContext<String, SpecificRecord> context;
    private SongModelStore model;
    private KeyValueStore<String, ValueAndTimestamp<Song>> metadata;

    RecommendationEmitter(Song2vecSettings settings, MeterRegistry metrics) {
        this.settings = settings;
        this.emitted = Counter.builder("streamvec.records.out").tag("path", "song").tag("topic", "song-recommendations")
                .description("Records written per path and topic").register(metrics);
        this.queries = Timer.builder("streamvec.recommendation.query")
                .description("Nearest-neighbour query latency").publishPercentileHistogram().register(metrics);
    }

    /** Starts (or restarts, for a revived task) with no song recently recommended. */
    void init(ProcessorContext<String, SpecificRecord> context, SongModelStore model) {
        this.context = context;
        this.model = model;
        this.metadata = context.getStateStore(SongStores.SONG_METADATA);
        lastRecommended.clear();
    }

    /**
     * Recommends for an event of {@code playlistId} with songs {@code songIds}; the continuation starts from
     * {@code recentSongs}. Records carry {@code timestamp}.
     */
    void emit(String playlistId, List<String> songIds, List<String> recentSongs, long timestamp) {
        long now = System.currentTimeMillis();
        model.refreshIndex(now, settings.indexRefreshMs());
        int k = settings.recommendK();
        int similarEmitted = 0;
        for (int i = songIds.size() - 1; i >= 0 && similarEmitted < settings.recommendSongsPerEvent(); i--) {
            String songId = songIds.get(i);
            Long last = lastRecommended.get(songId);
            if (last != null && now - last < settings.recommendDedupMs()) {
                continue;
            }
            Optional<List<SongModelView.Neighbor>> similar = queries.record(() -> model.similar(songId, k));
            if (similar.isPresent() && !similar.get().isEmpty()) {
                lastRecommended.put(songId, now);
                forward(songId, RecommendationKind.SIMILAR_SONGS, songId, null, similar.get(), timestamp);
                similarEmitted++;
            }
        }
        model.continuation(recentSongs, k).filter(next -> !next.isEmpty()).ifPresent(next ->
                forward(playlistId, RecommendationKind.PLAYLIST_CONTINUATION, null, playlistId, next, timestamp));
    }

    private void forward(String key, RecommendationKind kind, String songId, String playlistId,
                         List<SongModelView.Neighbor> neighbors, long timestamp) {
        List<Recommendation> recommendations = new ArrayList<>(neighbors.size());
        for (SongModelView.Neighbor neighbor : neighbors) {
            ValueAndTimestamp<Song> song = metadata.get(neighbor.songId());
            Song known = song == null ? null : song.value();
            recommendations.add(new Recommendation(neighbor.songId(), neighbor.score(),
                    known == null ? null : known.getTitle(), known == null ? null : known.getArtist()));
        }
        SongRecommendations value = SongRecommendations.newBuilder()
                .setKind(kind)
                .setSongId(songId)
                .setPlaylistId(playlistId)
                .setRecommendations(recommendations)
                .setModelUpdates(model.events())
                .setTimestampMs(System.currentTimeMillis())
                .build();
        context.forward(new Record<String, SpecificRecord>(key, value, timestamp), Song2vecProcessor.RECOMMENDATIONS_CHILD);
        emitted.increment();
    }
}
