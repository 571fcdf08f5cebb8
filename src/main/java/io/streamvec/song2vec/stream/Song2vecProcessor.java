package io.streamvec.song2vec.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamvec.avro.ModelDelta;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.song2vec.model.ModelChecksum;
import io.streamvec.song2vec.model.PlaylistContext;
import io.streamvec.song2vec.model.SgnsConfig;
import io.streamvec.song2vec.model.SgnsModel;
import io.streamvec.song2vec.model.SgnsTrainer;
import io.streamvec.song2vec.model.TrainingStrategy;
import io.streamvec.song2vec.model.Vocabulary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Trains the song model from validated playlist events (see {@link PreparePlaylistProcessor}) and hands each
 * event to the {@link RecommendationEmitter}. Each event's songs are appended to the playlist's context (store
 * {@value SongStores#PLAYLISTS}), so songs arriving one at a time train exactly the pairs of the whole playlist;
 * the model lives in {@link SongModelStore} ({@value SongStores#MODEL}). Training runs on the stream thread or
 * on {@code song2vec.threads} threads ({@link TrainingStrategy}); the model store settles it before every commit.
 * CBOW songs wait for their right-hand context until the playlist completes or has been idle for
 * {@code song2vec.playlist.idle.ms}.
 */
public final class Song2vecProcessor extends ContextualProcessor<String, PlaylistEvent, String, SpecificRecord> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Song2vecProcessor.class);
    /** The child (sink) node recommendations are forwarded to. */
    public static final String RECOMMENDATIONS_CHILD = "song-recommendations-sink";
    /** The child (sink) node model deltas are forwarded to. */
    public static final String DELTAS_CHILD = "song2vec-model-deltas-sink";
    /** The child (sink) node the dead letters of the model-delta feed are forwarded to ({@link DeltaDeadLetters}). */
    public static final String DELTA_DEAD_LETTERS_CHILD = "song2vec-model-deltas-dlq-sink";

    private final Song2vecSettings settings;
    private final DeltaFeed.Factory deltaFeeds;
    private final FailedEvents failedEvents;
    private final DeltaDeadLetters deadLetters;
    /** Runs after an event has trained, before its recommendations: a fault to inject, in tests. */
    private final Consumer<PlaylistEvent> afterTraining;
    private final RecommendationEmitter recommendations;
    private DeltaFeed deltaFeed;
    private ModelSync sync;
    private SongModelStore modelStore;
    private SgnsModel model;
    private TrainingStrategy training;
    private KeyValueStore<String, byte[]> playlists;
    /** CBOW playlists whose songs may wait for right-hand context, with when they last had an event. */
    private final Map<String, Long> waitingPlaylists = new HashMap<>();

    private final MeterRegistry metrics;
    private final Counter deltaRowsPublished;
    private final Counter deltaRowsApplied;
    /** {@link ModelChecksum} of this task's model as of its last sync (or index refresh, without replicas). */
    private volatile double checksum;
    /** Meters that read this task's model: removed when the task closes, so no gauge outlives its store. */
    private final List<Meter> taskMeters = new ArrayList<>();

    public Song2vecProcessor(Song2vecSettings settings, MeterRegistry metrics) {
        this(settings, metrics, null);
    }

    /** With {@code deltaFeeds} (null: none), replicas of a several-partition topic exchange their changes. */
    public Song2vecProcessor(Song2vecSettings settings, MeterRegistry metrics, DeltaFeed.Factory deltaFeeds) {
        this(settings, metrics, deltaFeeds, new FailedEvents());
    }

    /**
     * With the {@link FailedEvents} of this Kafka Streams instance: the one instance every processor of the
     * topology shares, so that an event that failed after changing the model is refused when it comes again.
     */
    public Song2vecProcessor(Song2vecSettings settings, MeterRegistry metrics, DeltaFeed.Factory deltaFeeds,
                             FailedEvents failedEvents) {
        this(settings, metrics, deltaFeeds, failedEvents, new DeltaDeadLetters());
    }

    /** With the {@link DeltaDeadLetters} whose topic the dead-letter sink of the topology reads. */
    public Song2vecProcessor(Song2vecSettings settings, MeterRegistry metrics, DeltaFeed.Factory deltaFeeds,
                             FailedEvents failedEvents, DeltaDeadLetters deadLetters) {
        this(settings, metrics, deltaFeeds, failedEvents, deadLetters, event -> { });
    }

    Song2vecProcessor(Song2vecSettings settings, MeterRegistry metrics, DeltaFeed.Factory deltaFeeds,
                      FailedEvents failedEvents, DeltaDeadLetters deadLetters, Consumer<PlaylistEvent> afterTraining) {
        this.settings = settings;
        this.deltaFeeds = deltaFeeds;
        this.failedEvents = failedEvents;
        this.deadLetters = deadLetters;
        this.afterTraining = afterTraining;
        this.metrics = metrics;
        this.recommendations = new RecommendationEmitter(settings, metrics);
        this.deltaRowsPublished = Counter.builder("streamvec.song2vec.delta.rows").tag("direction", "published")
                .description("Model rows exchanged with other replicas (data-parallel training)").register(metrics);
        this.deltaRowsApplied = Counter.builder("streamvec.song2vec.delta.rows").tag("direction", "applied")
                .description("Model rows exchanged with other replicas (data-parallel training)").register(metrics);
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        super.init(context);
        deadLetters.configure(context.appConfigs());
        // Kafka Streams may reuse this instance when it revives a task: start from the restored stores only.
        waitingPlaylists.clear();
        modelStore = context.getStateStore(SongStores.MODEL);
        playlists = context.getStateStore(SongStores.PLAYLISTS);
        model = modelStore.model();
        SgnsTrainer.warmUp(settings.trainer());
        training = TrainingStrategy.create(model, settings.threads(), context.taskId().hashCode(),
                "song2vec-" + context.taskId(), new StoredContexts(playlists));
        modelStore.attach(training);
        modelStore.refreshIndex(System.currentTimeMillis(), 0);
        recommendations.init(context, modelStore);
        if (settings.trainer().mode == SgnsConfig.Mode.CBOW) {
            long now = System.currentTimeMillis();
            try (KeyValueIterator<String, byte[]> all = playlists.all()) {
                all.forEachRemaining(kv -> {
                    PlaylistContext ctx = PlaylistContext.fromBytes(kv.value);
                    if (ctx.trainedUpTo() < ctx.keptPosition()) {
                        waitingPlaylists.put(kv.key, now);
                    }
                });
            }
            Duration every = Duration.ofMillis(Math.max(10, settings.playlistIdleMs() / 4));
            context.schedule(every, PunctuationType.WALL_CLOCK_TIME, this::flushIdlePlaylists);
        }
        registerTaskMeters(context.taskId().toString());
        checksum = ModelChecksum.of(model);
        context.schedule(Duration.ofMillis(settings.indexRefreshMs()), PunctuationType.WALL_CLOCK_TIME, now -> {
            modelStore.refreshIndexIfChanged(now);
            if (sync == null) { // a replica's checksum is taken at each exchange, where replicas compare
                checksum = ModelChecksum.of(model);
            }
        });
        openDeltaExchange(context);
    }

    private void registerTaskMeters(String task) {
        SongModelStore store = modelStore;
        taskMeters.add(Gauge.builder("streamvec.song2vec.vocabulary", model.vocab, Vocabulary::size).tag("task", task)
                .description("Songs with a vector").strongReference(false).register(metrics));
        taskMeters.add(Gauge.builder("streamvec.song2vec.learning.rate", model, SgnsModel::alpha).tag("task", task)
                .description("Current learning rate").strongReference(false).register(metrics));
        taskMeters.add(FunctionCounter.builder("streamvec.song2vec.events", store, SongModelStore::events).tag("task", task)
                .description("Playlist events trained").register(metrics));
        taskMeters.add(FunctionCounter.builder("streamvec.song2vec.songs", model, SgnsModel::tokens).tag("task", task)
                .description("Songs (words) trained").register(metrics));
        taskMeters.add(FunctionCounter.builder("streamvec.song2vec.pairs", model, SgnsModel::pairs).tag("task", task)
                .description("(centre, context) pairs trained").register(metrics));
        taskMeters.add(FunctionCounter.builder("streamvec.song2vec.similar.queries", store, m -> m.similarCache().hits())
                .tag("task", task).tag("answer", "kept")
                .description("Similar-song queries answered from the query snapshot's kept searches").register(metrics));
        taskMeters.add(FunctionCounter.builder("streamvec.song2vec.similar.queries", store, m -> m.similarCache().misses())
                .tag("task", task).tag("answer", "scanned")
                .description("Similar-song queries answered by a scan of the query snapshot").register(metrics));
        taskMeters.add(Gauge.builder("streamvec.song2vec.model.checksum", this, p -> p.checksum).tag("task", task)
                .description("L1 norm of a fixed sample of song vectors: replicas of one model agree on it")
                .strongReference(false).register(metrics));
    }

    /**
     * Trains the event and emits its recommendations. A failure here may leave part of the event in the model,
     * so it is never simply dead-lettered: see {@link FailedEvents}.
     */
    @Override
    public void process(Record<String, PlaylistEvent> record) {
        String where = context().recordMetadata()
                .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("(no source record)");
        RuntimeException earlier = failedEvents.refusal(where);
        if (earlier != null) {
            throw new FailedEvents.RepeatedFailureException(where, earlier);
        }
        try {
            train(record);
            failedEvents.succeeded(where);
        } catch (RuntimeException e) {
            failedEvents.remember(where, e);
            throw new FailedEvents.ModelChangedException(where, e);
        }
    }

    private void train(Record<String, PlaylistEvent> record) {
        PlaylistEvent event = record.value();
        String playlistId = event.getPlaylistId();
        List<String> songIds = event.getSongIds();
        int[] rows = new int[songIds.size()];
        int n = 0;
        for (String songId : songIds) {
            int row = model.admit(songId);
            if (row >= 0) {
                rows[n++] = row;
                modelStore.markCounted(row);
            }
        }
        boolean complete = event.getPlaylistComplete();
        boolean waiting = training.train(playlistId, rows, n, complete, modelStore::eventTrained);
        if (complete) {
            waitingPlaylists.remove(playlistId);
        } else if (waiting) {
            waitingPlaylists.put(playlistId, System.currentTimeMillis());
        }
        afterTraining.accept(event);
        if (settings.recommendationsEnabled()) {
            recommendations.emit(playlistId, songIds, training.recentSongs(playlistId, songIds), record.timestamp());
        }
    }

    private void flushIdlePlaylists(long now) {
        for (Iterator<Map.Entry<String, Long>> it = waitingPlaylists.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> waiting = it.next();
            if (now - waiting.getValue() >= settings.playlistIdleMs()) {
                training.flush(waiting.getKey());
                it.remove();
            }
        }
    }

    /**
     * Data-parallel training: when the playlist topic has several partitions, this task's model is one
     * replica of several. It publishes its changes every {@code song2vec.sync.ms} and applies the other
     * replicas' (see {@link ModelSync}), continuing the delta feed from the position stored with its model.
     */
    private void openDeltaExchange(ProcessorContext<String, SpecificRecord> context) {
        closeDeltaExchange();
        if (deltaFeeds == null || settings.syncMs() <= 0) {
            return;
        }
        DeltaFeed feed = deltaFeeds.open(context.applicationId() + "/" + context.taskId());
        if (!feed.shared()) {
            feed.close(); // one partition, one replica: nothing to exchange
            return;
        }
        deltaFeed = feed;
        // the baseline persisted with the rows: what the last commits made durable but no sync published yet
        sync = modelStore.replicaSync(context.applicationId() + "/" + context.taskId());
        deltaFeed.seek(modelStore.deltaPosition());
        context.schedule(Duration.ofMillis(settings.syncMs()), PunctuationType.WALL_CLOCK_TIME, this::exchangeDeltas);
    }

    private void exchangeDeltas(long now) {
        training.settle();
        for (ModelDelta delta : sync.publish(modelStore.collectChangedRows())) {
            context().forward(new Record<String, SpecificRecord>(sync.source(), delta, now), DELTAS_CHILD);
            deltaRowsPublished.increment(delta.getSongIds().size());
        }
        for (DeltaFeed.Received received : deltaFeed.poll()) {
            if (received.delta() == null) {
                deadLetter(received, DeltaDeadLetters.UNREADABLE, received.unreadable(), now);
                continue;
            }
            int[] applied;
            try {
                applied = sync.apply(received.delta());
            } catch (ModelSync.InvalidDeltaException e) { // another dim, malformed, NaN: retrying cannot help
                deadLetter(received, DeltaDeadLetters.INVALID, e, now);
                continue;
            }
            modelStore.markChanged(applied);
            deltaRowsApplied.increment(applied.length);
        }
        modelStore.deltaPosition(deltaFeed.position());
        checksum = ModelChecksum.of(model);
    }

    /**
     * Sends a delta this replica cannot use to the dead-letter topic, in this task's transaction (with the feed
     * position past it), and counts it. The replicas now differ by that delta until its rows train again: the
     * checksum gauge and {@code Song2vecReplicasDiverge} show it.
     */
    @SuppressWarnings({"unchecked", "rawtypes"}) // the dead-letter sink takes raw bytes, the other children Avro
    private void deadLetter(DeltaFeed.Received received, String reason, RuntimeException why, long now) {
        LOG.error("{}: dead-lettering the model delta at {}-{}@{} ({}): {}", sync.source(), received.topic(),
                received.partition(), received.offset(), reason, why.toString());
        Record<byte[], byte[]> letter = DeltaDeadLetters.record(received, reason, why, now);
        if (deadLetters.enabled()) {
            ((ProcessorContext) context()).forward(letter, DELTA_DEAD_LETTERS_CHILD);
        }
    }

    private void closeDeltaExchange() {
        if (deltaFeed != null) {
            deltaFeed.close();
            deltaFeed = null;
        }
        sync = null;
    }

    @Override
    public void close() {
        closeDeltaExchange();
        if (training != null) {
            training.close();
        }
        taskMeters.forEach(metrics::remove);
        taskMeters.clear();
    }

    /** The playlist store as the training strategy sees it: contexts, serialised. */
    private record StoredContexts(KeyValueStore<String, byte[]> store) implements TrainingStrategy.PlaylistContexts {
        @Override
        public PlaylistContext get(String playlistId) {
            byte[] stored = store.get(playlistId);
            return stored == null ? null : PlaylistContext.fromBytes(stored);
        }

        @Override
        public void put(String playlistId, PlaylistContext context) {
            store.put(playlistId, context.toBytes());
        }
    }
}
