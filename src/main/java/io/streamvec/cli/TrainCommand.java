package io.streamvec.cli;

import io.streamvec.StreamvecApp;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.avro.Song;
import io.streamvec.kafka.EmbeddedKafka;
import io.streamvec.serde.AvroSerde;
import io.streamvec.song2vec.data.PlaylistFile;
import io.streamvec.song2vec.model.NeighborIndex;
import io.streamvec.song2vec.model.OfflineTraining;
import io.streamvec.song2vec.model.SgnsConfig;
import io.streamvec.song2vec.model.SgnsModel;
import io.streamvec.song2vec.model.SgnsTrainer;
import io.streamvec.song2vec.model.SongModelView;
import io.streamvec.song2vec.stream.Song2vecSettings;
import io.streamvec.topology.Paths;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Trains song vectors on a yes_complete playlist file and exports them in word2vec text format: by default in
 * this process with the song path's own trainers ({@link OfflineTraining}), or, with {@code --via kafka}, by
 * streaming the file through the real topology on the embedded broker.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train song vectors on a playlist file (yes_complete format) and export them (word2vec text "
                + "format, most played first); with --songs, end with the songs most similar to the 1st, 10th and "
                + "100th most played. By default the song path's trainers run in this process; --via kafka streams "
                + "the file through streamvec on the embedded broker instead.")
public final class TrainCommand implements Callable<Integer> {

    enum Granularity { playlist, song }

    /** How the playlists reach the trainers. */
    enum Via {
        /** The song path's trainers in this process, event by event: no broker, no stores. */
        direct,
        /** Through the song path's topology on the embedded broker, as the streaming job trains. */
        kafka
    }

    /**
     * The seed of the trainers: what the song2vec task of a songs-only topology (task 1_0: sub-topology 0 is the
     * songs' global store) seeds them with, so that with one thread both ways train the same model, bit for bit
     * ({@code TrainCommandIntegrationTest} checks it): {@code new TaskId(1, 0).hashCode()}, written out because
     * loading Kafka's {@code TaskId} starts the logging ({@code TrainCommandTest} checks the value).
     */
    static final long SEED = 30_752;

    /**
     * With --songs: the similar songs of the 1st, 10th and 100th most played songs are shown at the end (the very
     * most played are hubs that co-occur with everything; further down the list the neighbours tell more).
     */
    static final int[] EXAMPLE_RANKS = {1, 10, 100};
    static final int EXAMPLE_K = 5;

    @Option(names = "--playlists", required = true, paramLabel = "FILE", description = "Playlists (train.txt format).")
    Path playlistsFile;

    @Option(names = "--songs", paramLabel = "FILE", description = "Song titles and artists (song_hash.txt format).")
    Path songsFile;

    @Option(names = "--granularity", defaultValue = "playlist",
            description = "One event per playlist, or one per song (default: ${DEFAULT-VALUE}).")
    Granularity granularity;

    @Option(names = "--passes", defaultValue = "1", description = "Passes over the file (default: ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--export-vectors", required = true, paramLabel = "OUT", description = "word2vec text file to write.")
    Path exportFile;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties with song2vec.* overrides (e.g. song2vec.mode=skipgram).")
    Path configFile;

    @Option(names = "--init-vectors", paramLabel = "FILE",
            description = "Start from the vectors of a word2vec text or binary file (a previous export, or gensim's "
                    + "save_word2vec_format) and keep learning: song2vec.init.vectors.")
    Path initVectors;

    @Option(names = "--via", defaultValue = "direct",
            description = "direct (the trainers in this process) or kafka (through the topology on the embedded "
                    + "broker) (default: ${DEFAULT-VALUE}).")
    Via via;

    @Option(names = "--recommendations",
            description = "With --via kafka: also emit recommendations while training (off: bulk load).")
    boolean recommendations;

    @Option(names = "--timeout", defaultValue = "PT30M", description = "Give up after (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (passes < 1) {
            throw new IllegalArgumentException("--passes must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> settings = settings();
        if (recommendations && via != Via.kafka) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--recommendations needs --via kafka: training in this process emits none");
        }
        CompletableFuture<Song2vecSettings> song2vec = null;
        if (via == Via.direct) {
            // The settings are read (which starts the logging) and the training kernels compiled on the other
            // core while this one reads the file.
            song2vec = prepareInBackground(settings);
        } else {
            new StreamvecConfig(settings).song2vec(); // invalid settings fail before the file is read
        }
        List<List<String>> playlists = PlaylistFile.readPlaylists(playlistsFile);
        List<Song> songs = songsFile == null ? List.of() : PlaylistFile.readSongs(songsFile);
        boolean perSong = granularity == Granularity.song;
        long songsTotal = playlists.stream().mapToLong(List::size).sum() * passes;
        long eventCount = SongTraining.eventCount(playlists, perSong, passes);
        // In this process, what is wrong with the settings read in the background shows before anything is printed.
        Song2vecSettings trainers = via == Via.direct ? settings(song2vec) : null;
        out.printf("%d playlists, %d events, %d songs%n", playlists.size() * passes, eventCount, songsTotal);
        out.flush();
        // In this process no Avro records: they are the broker's format.
        Result result = via == Via.direct
                ? trainDirect(SongTraining.events(playlists, perSong, passes, OfflineTraining.Event::new), trainers, true)
                : run(SongTraining.events(playlists, perSong, passes), songs, settings, timeout, true);
        if (!result.complete()) {
            spec.commandLine().getErr().printf("timed out after %s with %d of %d events trained%n", timeout,
                    result.trainedEvents(), eventCount);
            return 1;
        }
        SongTraining.writeWord2vec(result.vectors(), result.counts(), exportFile);
        out.printf("trained %d songs in %.2f s: %.0f songs/s (%s, %d vectors of dim %d written to %s)%n", songsTotal,
                result.seconds(), songsTotal / result.seconds(), granularity, result.vectors().size(),
                result.vectors().isEmpty() ? 0 : result.vectors().values().iterator().next().length, exportFile);
        if (!songs.isEmpty()) {
            printExamples(out, SongTraining.index(result.vectors(), result.counts()), SongListing.songs(songs));
        }
        out.flush();
        return 0;
    }

    /** Reads the song2vec settings, then compiles the training kernels, on a thread of its own. */
    private static CompletableFuture<Song2vecSettings> prepareInBackground(Map<String, Object> settings) {
        CompletableFuture<Song2vecSettings> ready = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            Song2vecSettings song2vec;
            try {
                song2vec = new StreamvecConfig(settings).song2vec();
            } catch (RuntimeException e) {
                ready.completeExceptionally(e);
                return;
            }
            ready.complete(song2vec);
            SgnsTrainer.warmUp(song2vec.trainer());
        }, "song2vec-warm-up");
        thread.setDaemon(true);
        thread.start();
        return ready;
    }

    /** The settings read in the background, or what was wrong with them. */
    private static Song2vecSettings settings(CompletableFuture<Song2vecSettings> song2vec) throws Exception {
        try {
            return song2vec.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** The songs most similar to three of the most played songs, with titles and artists. */
    static void printExamples(PrintWriter out, NeighborIndex index, Map<String, Song> songs) {
        List<SongModelView.SongCount> top = index.top(EXAMPLE_RANKS[EXAMPLE_RANKS.length - 1]);
        java.util.Set<Integer> shown = new java.util.LinkedHashSet<>();
        for (int rank : EXAMPLE_RANKS) {
            shown.add(Math.min(rank, top.size()) - 1); // fewer songs: the least played instead
        }
        shown.remove(-1);
        for (int position : shown) {
            SongModelView.SongCount played = top.get(position);
            out.printf("%nsongs like %s (the %s most played, %d times):%n", SongListing.describe(played.songId(), songs),
                    ordinal(position + 1), played.count());
            SongListing.print(out, index.similar(played.songId(), EXAMPLE_K).orElse(List.of()), songs, "  ");
        }
    }

    private Map<String, Object> settings() throws java.io.IOException {
        Map<String, Object> settings = new HashMap<>();
        if (configFile != null) {
            java.util.Properties file = new java.util.Properties();
            try (var reader = Files.newBufferedReader(configFile)) {
                file.load(reader);
            }
            file.forEach((k, v) -> settings.put(k.toString(), v));
        }
        settings.putIfAbsent(StreamvecConfig.RECOMMEND_ENABLED, recommendations);
        if (initVectors != null) {
            settings.put(StreamvecConfig.SONG2VEC_INIT_VECTORS, initVectors.toString());
        }
        return settings;
    }

    private static String ordinal(int n) {
        String suffix = n % 100 >= 11 && n % 100 <= 13 ? "th" : switch (n % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
        return n + suffix;
    }

    /** The run, and the trained vectors (sorted by song id) with each song's count. */
    public record Result(boolean complete, long trainedEvents, double seconds, Map<String, float[]> vectors,
                         Map<String, Long> counts) {}

    /** How the events reach the running topology. */
    public enum Load {
        /** A producer sends them while the topology trains (the clock starts at the first send): {@code train}. */
        ALONGSIDE,
        /**
         * The topology is paused, the events are written to playlist-events, and the clock starts when it
         * resumes: processing throughput from a topic with a backlog, as Kafka's own streams benchmark measures
         * it, and as gensim's clock starts with its corpus in memory. On a 2-core machine a producer running
         * alongside takes its CPU from the trainers.
         */
        PRELOADED
    }

    /**
     * The progress bar of both ways of training: events trained out of {@code events}, on standard error, as wide
     * as {@code COLUMNS} says or 80 columns (asking the terminal, through JLine, would take a quarter of a second).
     */
    private static ProgressBarBuilder trainingBar(int events) {
        return new ProgressBarBuilder().setTaskName("training").setInitialMax(events).setStyle(ProgressBarStyle.ASCII)
                .setUnit(" events", 1).setUpdateIntervalMillis(200)
                .setConsumer(new ConsoleProgressBarConsumer(System.err, barWidth(System.getenv("COLUMNS"))));
    }

    /** The width of the bar's line: one less than the terminal's columns, from {@code COLUMNS} when it is a number. */
    static int barWidth(String columns) {
        int width = 80;
        if (columns != null && columns.trim().matches("[0-9]{1,4}")) {
            width = Math.max(Integer.parseInt(columns.trim()), 20);
        }
        return width - 1;
    }

    /** What to tell of the events trained: the bar, or nobody without one. */
    private static java.util.function.LongConsumer progress(ProgressBar bar) {
        return bar == null ? trained -> { } : bar::stepTo;
    }

    /** Trains the events in this process with the song path's trainers ({@link OfflineTraining}). */
    public static Result trainDirect(List<OfflineTraining.Event> events, Song2vecSettings settings,
                                     boolean progressBar) {
        SgnsConfig config = settings.trainer();
        SgnsModel model = new SgnsModel(config);
        if (settings.initVectors() != null) {
            var vectors = settings.initVectors().load(config);
            model.warmStart(vectors.ids(), vectors.counts(), vectors.values());
        }
        SgnsTrainer.warmUp(config); // at once if already done (or under way)
        long started = System.nanoTime();
        long trained;
        try (ProgressBar bar = progressBar ? trainingBar(events.size()).build() : null) {
            trained = OfflineTraining.train(model, settings.threads(), SEED, events, progress(bar));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, float[]> vectors = new java.util.TreeMap<>();
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (int row = 0; row < model.vocab.size(); row++) {
            String id = model.vocab.id(row);
            long count = model.vocab.count(row);
            if (id != null && count >= config.minCount) {
                vectors.put(id, model.vector(row));
                counts.put(id, count);
            }
        }
        return new Result(trained == events.size(), trained, seconds, vectors, counts);
    }

    /** Runs the topology on a fresh embedded broker, streams the events, waits, and reads the vectors back. */
    public static Result run(List<PlaylistEvent> events, List<Song> songs, Map<String, Object> overrides, Duration timeout,
                      boolean progressBar) throws Exception {
        return run(events, songs, overrides, timeout, progressBar, Load.ALONGSIDE);
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    public static Result run(List<PlaylistEvent> events, List<Song> songs, Map<String, Object> overrides, Duration timeout,
                      boolean progressBar, Load load) throws Exception {
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TrainCommand.class);
        Path stateDir = Files.createTempDirectory("streamvec-train-state");
        long begun = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Map<String, Object> properties = StreamvecConfig.local(kafka.bootstrapServers(), "streamvec-train", stateDir);
            properties.putAll(overrides);
            // Training needs the song path only: no text subtopology, topics or embedding model.
            properties.put(StreamvecConfig.PATHS, Paths.SONGS_ONLY.toString());
            properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            properties.putIfAbsent(StreamsConfig.producerPrefix("max.request.size"), 8 * 1024 * 1024);
            // A bulk load favours throughput over latency: every commit writes the model rows changed since
            // the last one (with negative sampling, a large part of the vocabulary), so commit every 5 s
            // (below the 10 s transaction timeout that exactly-once sets).
            properties.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 5000);
            try (StreamvecApp app = new StreamvecApp(new StreamvecConfig(properties)).startWithoutServers()) {
                app.awaitRunning(Duration.ofMinutes(2));
                log.info("train: topology running {} ms after the broker's start began", millisSince(begun));
                if (!songs.isEmpty()) {
                    SongTraining.produceSongs(kafka.bootstrapServers(), new AvroSerde<>(Song.class, app.registry()), songs);
                }
                // The load generator serializes before the clock starts (as gensim reads its corpus before its own).
                var records = SongTraining.serialize(new AvroSerde<>(PlaylistEvent.class, app.registry()), events);
                Runnable produce = () -> SongTraining.produceSerialized(kafka.bootstrapServers(), records);
                if (load == Load.PRELOADED) {
                    app.streams().pause();
                    produce.run(); // returns once every record is acknowledged
                    produce = () -> { };
                }
                long started = System.nanoTime();
                app.streams().resume(); // a no-op unless paused
                Thread producer = new Thread(produce, "streamvec-train-producer");
                producer.start();
                boolean complete;
                try (ProgressBar bar = progressBar ? trainingBar(events.size()).continuousUpdate().build() : null) {
                    complete = SongTraining.awaitEvents(app, events.size(), timeout, progress(bar));
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                producer.join();
                var model = SongTraining.model(app, Duration.ofSeconds(30));
                Result result = new Result(complete, model.events(), seconds, SongTraining.vectors(model),
                        SongTraining.counts(model));
                log.info("train: trained in {} s, vectors read {} ms after the broker's start began; closing",
                        String.format("%.2f", seconds), millisSince(begun));
                long closing = System.nanoTime();
                app.close();
                log.info("train: topology closed in {} ms", millisSince(closing));
                return result;
            }
        } finally {
            try (var paths = Files.walk(stateDir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
