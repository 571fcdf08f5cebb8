package io.streamvec.bench.cli;

import io.streamvec.cli.SongTraining;
import io.streamvec.cli.TrainCommand;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.bench.HitRate;
import io.streamvec.bench.Median;
import io.streamvec.bench.ScratchDir;
import io.streamvec.song2vec.data.PlaylistFile;
import io.streamvec.song2vec.model.OfflineTraining;
import io.streamvec.song2vec.stream.Song2vecSettings;
import java.io.BufferedWriter;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * gensim (the anchor) and streamvec on the same playlists in one run: songs/s of each and the ratios at the
 * seed call's parameters (CBOW, dim 32, window 20, negative 50; 5 epochs against 5 passes, and one against one,
 * alternating runs, medians), and next-song HR@10 on held-out playlists for every model.
 */
@Command(name = "song2vec", mixinStandardHelpOptions = true,
        description = "Benchmark streamvec's song2vec against gensim on the same playlist file (speed and HR@10).")
final class BenchSong2vecCommand implements Callable<Integer> {

    private static final String BOOK = "\"vector_size\": 32, \"window\": 20, \"negative\": 50, \"min_count\": 1";

    @Option(names = "--playlists", required = true, paramLabel = "FILE", description = "Playlists (train.txt format).")
    Path playlistsFile;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with gensim 4.x.")
    String python;

    @Option(names = "--workers", defaultValue = "2", description = "gensim worker threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--split-seed", defaultValue = "42", description = "Seed of the 90/10 held-out split.")
    long splitSeed;

    @Option(names = "--repeat", defaultValue = "3", description = "Alternating runs of gensim and streamvec at the "
            + "book's parameters; the medians give the ratio (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--skip-gensim", description = "Only run streamvec.")
    boolean skipGensim;

    @Option(names = "--parts", split = ",", defaultValue = "book,defaults,wall",
            description = "What to run: book (the seed call's parameters), defaults (streamvec's defaults against "
                    + "gensim at exactly those, 1 and --workers threads), wall (the `train` command against gensim's "
                    + "whole script on the whole file), seeds (HR@10 at the defaults over --seeds seeds, one thread "
                    + "each, streamvec without a broker) (default: ${DEFAULT-VALUE}).")
    List<Part> parts;

    enum Part { book, defaults, wall, seeds }

    @Option(names = "--seeds", defaultValue = "12",
            description = "Seeds 1..N of the seeds part (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--jar", defaultValue = "target/streamvec.jar",
            description = "The streamvec jar whose `train` command the wall part runs (default: ${DEFAULT-VALUE}).")
    Path streamvecJar;

    /** gensim at exactly streamvec's defaults (SgnsConfig): CBOW, dim 32, window 10, negative 5, constant alpha. */
    static final String DEFAULTS = "\"sg\": 0, \"vector_size\": 32, \"window\": 10, \"negative\": 5, "
            + "\"alpha\": 0.005, \"min_alpha\": 0.005, \"sample\": 0.001, \"min_count\": 1, \"epochs\": 1";

    @Spec
    CommandSpec spec;

    private record Row(String system, String params, double songsPerSecond, double hitRate) {}

    @Override
    public Integer call() throws Exception {
        if (repeat < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--repeat must be >= 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        HitRate.Split split = HitRate.split(PlaylistFile.readPlaylists(playlistsFile), splitSeed);
        out.printf(Locale.ROOT, "%d training playlists (%d songs), %d held-out playlists (seed %d)%n",
                split.train().size(), split.trainSongs(), split.heldOut().size(), splitSeed);
        out.flush();
        if (parts.contains(Part.book)) {
            book(out, split);
        }
        if (parts.contains(Part.defaults)) {
            defaults(out, split);
        }
        if (parts.contains(Part.seeds)) {
            seeds(out, split);
        }
        if (parts.contains(Part.wall)) {
            wall(out);
        }
        out.flush();
        return 0;
    }

    /** The seed call's parameters (the book's CBOW w20 n50), alternating pairs, then single rows. */
    private void book(PrintWriter out, HitRate.Split split) throws Exception {
        List<Row> rows = new ArrayList<>();
        String w = ", \"workers\": " + workers;
        String bookOneEpoch = "{" + BOOK + w + ", \"epochs\": 1}";
        Map<String, Object> book = new LinkedHashMap<>();
        book.put(StreamvecConfig.SONG2VEC_MODE, "cbow");
        book.put(StreamvecConfig.SONG2VEC_WINDOW, 20);
        book.put(StreamvecConfig.SONG2VEC_NEGATIVE, 50);
        book.put(StreamvecConfig.SONG2VEC_ALPHA, 0.025);
        Map<String, Object> bookParallel = new LinkedHashMap<>(book);
        bookParallel.put(StreamvecConfig.SONG2VEC_THREADS, workers);
        String parallelLabel = "book parameters, " + workers + " threads (like gensim's workers)";

        // The seed call (gensim's default 5 epochs) against 5 streaming passes, and one epoch against one pass, run
        // alternately `repeat` times: the machine is noisy, and whether a commit lands inside a short pass moves a
        // one-pass figure by up to 40%; five passes always contain commits.
        double[][] rates = new double[4][repeat]; // gensim 5 epochs, streamvec 5 passes, gensim 1 epoch, streamvec 1 pass
        for (int r = 0; r < repeat; r++) {
            List<Row> run = new ArrayList<>();
            if (!skipGensim) {
                run.add(gensim(split, "book call (the seed call: 5 epochs)", "{" + BOOK + w + "}"));
            }
            run.add(streamvec(split, "book parameters, " + workers + " threads, 5 passes", bookParallel, 5,
                    TrainCommand.Load.PRELOADED));
            if (!skipGensim) {
                run.add(gensim(split, "book call, 1 epoch", bookOneEpoch));
            }
            run.add(streamvec(split, parallelLabel + ", 1 pass", bookParallel, 1, TrainCommand.Load.PRELOADED));
            for (int i = 0; i < run.size(); i++) {
                Row row = run.get(i);
                print(out, row);
                rates[skipGensim ? 2 * i + 1 : i][r] = row.songsPerSecond();
            }
            if (r == 0) {
                rows.addAll(run);
            }
        }
        List<Row> more = new ArrayList<>();
        if (!skipGensim) {
            more.add(gensim(split, "negative 5, 1 epoch",
                    "{\"vector_size\": 32, \"window\": 20, \"negative\": 5, \"min_count\": 1" + w + ", \"epochs\": 1}"));
        }
        more.add(streamvec(split, "book parameters (cbow w20 n50 alpha 0.025), 1 thread, 1 pass", book, 1,
                TrainCommand.Load.PRELOADED));
        more.add(streamvec(split, parallelLabel + ", 1 pass, producer alongside", bookParallel, 1,
                TrainCommand.Load.ALONGSIDE));
        more.add(streamvec(split, "defaults (cbow w10 n5 alpha 0.005), 1 thread, 1 pass", Map.of(), 1,
                TrainCommand.Load.PRELOADED));
        more.forEach(row -> print(out, row));
        rows.addAll(more);

        out.println();
        out.println("streamvec: events in playlist-events before the clock starts (the topology paused, then resumed), "
                + "except \"producer alongside\"; gensim: its corpus in memory before Word2Vec(...) starts (vocabulary "
                + "build + training timed)");
        out.printf(Locale.ROOT, "%-10s %-55s %14s %8s%n", "system", "parameters", "songs/s", "HR@10");
        for (Row row : rows) {
            out.printf(Locale.ROOT, "%-10s %-55s %14.0f %8.4f%n", row.system(), row.params(), row.songsPerSecond(),
                    row.hitRate());
        }
        if (!skipGensim) {
            out.printf(Locale.ROOT, "%nspeed at the seed call's parameters, %d threads each, median of %d alternating runs "
                    + "(end to end through Kafka for streamvec):%n", workers, repeat);
            ratio(out, "the seed call like for like: streamvec 5 passes vs gensim 5 epochs", rates[1], rates[0]);
            double[] gensimBest = new double[repeat];
            for (int r = 0; r < repeat; r++) {
                gensimBest[r] = Math.max(rates[0][r], rates[2][r]); // 5 epochs amortise the vocabulary build
            }
            ratio(out, "one pass vs gensim's better of 1 and 5 epochs", rates[3], gensimBest);
        }
        out.flush();
    }

    /**
     * streamvec's defaults against gensim at exactly the same parameters, one pass against one epoch, at 1 and
     * {@code --workers} threads each: alternating runs, the ratio of the medians and per run, HR@10 of every run.
     */
    private void defaults(PrintWriter out, HitRate.Split split) throws Exception {
        out.printf(Locale.ROOT, "%nstreamvec's defaults like for like: gensim Word2Vec(%s, workers=N) against "
                + "streamvec with song2vec.threads=N, one pass; %d alternating runs%n", DEFAULTS.replace("\"", ""),
                repeat);
        for (int threads : threadCounts()) {
            double[] gensimRates = new double[repeat];
            double[] streamvecRates = new double[repeat];
            double[] gensimHits = new double[repeat];
            double[] streamvecHits = new double[repeat];
            for (int r = 0; r < repeat; r++) {
                if (!skipGensim) {
                    // Run r seeds both with r + 1: HR@10's spread is over seeds, not only over thread timing.
                    Row g = gensim(split, "defaults, " + threads + " worker(s), 1 epoch, seed " + (r + 1),
                            "{" + DEFAULTS + ", \"workers\": " + threads + ", \"seed\": " + (r + 1) + "}");
                    print(out, g);
                    gensimRates[r] = g.songsPerSecond();
                    gensimHits[r] = g.hitRate();
                }
                Row sv = streamvec(split, "defaults, " + threads + " thread(s), 1 pass, seed " + (r + 1),
                        Map.of(StreamvecConfig.SONG2VEC_THREADS, threads, StreamvecConfig.SONG2VEC_SEED, r + 1L), 1,
                        TrainCommand.Load.PRELOADED);
                print(out, sv);
                streamvecRates[r] = sv.songsPerSecond();
                streamvecHits[r] = sv.hitRate();
            }
            out.printf(Locale.ROOT, "  HR@10 at %d thread(s), seeds 1-%d: streamvec median %.4f mean %.4f (%s), "
                    + "gensim median %.4f mean %.4f (%s)%n", threads, repeat, Median.of(streamvecHits),
                    mean(streamvecHits), spread(streamvecHits), Median.of(gensimHits), mean(gensimHits),
                    spread(gensimHits));
            if (!skipGensim) {
                ratio(out, "defaults, " + threads + " thread(s) each", streamvecRates, gensimRates);
            }
        }
        out.flush();
    }

    /**
     * Quality at the defaults over seeds 1..{@code --seeds}, one thread each, where both are deterministic for a
     * seed: gensim with one worker against streamvec's trainers in this process, as {@code train} runs them
     * (no broker: the model is the one a one-partition task trains). Speed is the other parts' business.
     */
    private void seeds(PrintWriter out, HitRate.Split split) throws Exception {
        if (seeds < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--seeds must be >= 1");
        }
        out.printf(Locale.ROOT, "%nHR@10 at the defaults over seeds 1-%d, one thread each: gensim Word2Vec(%s, "
                + "workers=1, seed=s) against streamvec's trainers with song2vec.seed=s (as `train` runs them)%n",
                seeds, DEFAULTS.replace("\"", ""));
        List<OfflineTraining.Event> events = SongTraining.events(split.train(), false, 1, OfflineTraining.Event::new);
        double[] gensimHits = new double[seeds];
        double[] streamvecHits = new double[seeds];
        for (int s = 1; s <= seeds; s++) {
            if (!skipGensim) {
                gensimHits[s - 1] = gensim(split, "defaults, 1 worker, seed " + s,
                        "{" + DEFAULTS + ", \"workers\": 1, \"seed\": " + s + "}").hitRate();
            }
            Song2vecSettings settings = new StreamvecConfig(Map.of(StreamvecConfig.SONG2VEC_THREADS, 1,
                    StreamvecConfig.SONG2VEC_SEED, (long) s)).song2vec();
            TrainCommand.Result result = TrainCommand.trainDirect(events, settings, false);
            streamvecHits[s - 1] = HitRate.of(result.vectors(), split.heldOut(), 10);
            out.printf(Locale.ROOT, "  seed %2d: streamvec %.4f%s%n", s, streamvecHits[s - 1],
                    skipGensim ? "" : String.format(Locale.ROOT, "  gensim %.4f", gensimHits[s - 1]));
            out.flush();
        }
        out.printf(Locale.ROOT, "  HR@10, seeds 1-%d: streamvec median %.4f mean %.4f (%s)", seeds,
                Median.of(streamvecHits), mean(streamvecHits), spread(streamvecHits));
        if (!skipGensim) {
            out.printf(Locale.ROOT, ", gensim median %.4f mean %.4f (%s)", Median.of(gensimHits), mean(gensimHits),
                    spread(gensimHits));
        }
        out.println();
        out.flush();
    }

    /**
     * What a user waits for: the {@code train} command (reading the file, training, the vectors written), in this
     * process (its default) and through the embedded broker ({@code --via kafka}), on the whole file against
     * gensim's whole script at the same parameters (interpreter start, reading the file, Word2Vec(...), the vectors
     * written), {@code --workers} threads each, alternating runs.
     */
    private void wall(PrintWriter out) throws Exception {
        out.printf(Locale.ROOT, "%nwall time a user sees, the whole file, defaults, %d thread(s) each, %d alternating "
                + "runs: `streamvec train --passes 1` and `train --via kafka` (command start to vectors written) "
                + "against gensim's whole script (process start to vectors written)%n", workers, repeat);
        double[] gensimSeconds = new double[repeat];
        double[] directSeconds = new double[repeat];
        double[] kafkaSeconds = new double[repeat];
        for (int r = 0; r < repeat; r++) {
            if (!skipGensim) {
                gensimSeconds[r] = gensimScriptSeconds(workers);
                out.printf(Locale.ROOT, "  gensim    whole script               %8.2f s%n", gensimSeconds[r]);
            }
            directSeconds[r] = trainCommandSeconds(workers, "direct");
            out.printf(Locale.ROOT, "  streamvec train --passes 1           %8.2f s%n", directSeconds[r]);
            kafkaSeconds[r] = trainCommandSeconds(workers, "kafka");
            out.printf(Locale.ROOT, "  streamvec train --via kafka          %8.2f s%n", kafkaSeconds[r]);
            out.flush();
        }
        if (!skipGensim) {
            wallRatio(out, "train", gensimSeconds, directSeconds);
            wallRatio(out, "train --via kafka", gensimSeconds, kafkaSeconds);
        }
        out.flush();
    }

    private void wallRatio(PrintWriter out, String what, double[] gensimSeconds, double[] trainSeconds) {
        StringBuilder perRun = new StringBuilder();
        for (int r = 0; r < repeat; r++) {
            perRun.append(r == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", gensimSeconds[r] / trainSeconds[r]));
        }
        double g = Median.of(gensimSeconds);
        double t = Median.of(trainSeconds);
        out.printf(Locale.ROOT, "  wall time: streamvec %s %.2f s vs gensim %.2f s: streamvec %.2fx as fast "
                + "(per run: %s)%n", what, t, g, g / t, perRun);
    }

    private int[] threadCounts() {
        return workers == 1 ? new int[] {1} : new int[] {1, workers};
    }

    private static double mean(double[] values) {
        return java.util.Arrays.stream(values).average().orElse(Double.NaN);
    }

    private static String spread(double[] values) {
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (double v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return String.format(Locale.ROOT, "%.4f-%.4f", min, max);
    }

    private double trainCommandSeconds(int threads, String via) throws Exception {
        if (!Files.isRegularFile(streamvecJar)) {
            throw new IllegalStateException("no " + streamvecJar + " (build it with mvn package, or pass --jar)");
        }
        try (ScratchDir scratch = ScratchDir.create("streamvec-bench-train")) {
            Path config = scratch.path().resolve("train.properties");
            Files.writeString(config, StreamvecConfig.SONG2VEC_THREADS + "=" + threads + "\n");
            Path vectors = scratch.path().resolve("vectors.txt");
            Path log = scratch.path().resolve("train.log");
            String java = ProcessHandle.current().info().command().orElse("java");
            long started = System.nanoTime();
            Process process = new ProcessBuilder(java, "-jar", streamvecJar.toString(), "train", "--via", via,
                    "--playlists", playlistsFile.toString(), "--passes", "1", "--config", config.toString(),
                    "--export-vectors", vectors.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            int exit = process.waitFor();
            double seconds = (System.nanoTime() - started) / 1e9;
            if (exit != 0 || !Files.exists(vectors)) {
                throw new IllegalStateException("streamvec train failed (exit " + exit + "): " + Files.readString(log));
            }
            return seconds;
        }
    }

    private double gensimScriptSeconds(int threads) throws Exception {
        try (ScratchDir scratch = ScratchDir.create("streamvec-bench-gensim")) {
            Path dir = scratch.path();
            Path train = dir.resolve("train.txt");
            try (BufferedWriter writer = Files.newBufferedWriter(train, StandardCharsets.UTF_8)) {
                for (List<String> playlist : PlaylistFile.readPlaylists(playlistsFile)) {
                    writer.write(String.join(" ", playlist));
                    writer.newLine();
                }
            }
            Path script = script(dir);
            long started = System.nanoTime();
            Process process = new ProcessBuilder(python, script.toString(), train.toString(),
                    dir.resolve("vectors.txt").toString(), "{" + DEFAULTS + ", \"workers\": " + threads + "}")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (process.waitFor() != 0) {
                throw new IllegalStateException("gensim failed (is python3-gensim installed for " + python + "?): "
                        + output);
            }
            return (System.nanoTime() - started) / 1e9;
        }
    }

    private static Path script(Path dir) throws java.io.IOException {
        Path script = dir.resolve("gensim_word2vec.py");
        try (InputStream in = BenchSong2vecCommand.class.getResourceAsStream("/bench/gensim_word2vec.py")) {
            Files.copy(in, script);
        }
        return script;
    }

    private static void ratio(PrintWriter out, String label, double[] streamvec, double[] gensim) {
        StringBuilder perRun = new StringBuilder();
        for (int r = 0; r < streamvec.length; r++) {
            perRun.append(r == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", streamvec[r] / gensim[r]));
        }
        double s = Median.of(streamvec);
        double g = Median.of(gensim);
        out.printf(Locale.ROOT, "  %s: streamvec %.0f vs gensim %.0f songs/s: %.2fx (per run: %s)%n", label, s, g, s / g,
                perRun);
    }

    private static void print(PrintWriter out, Row row) {
        out.printf(Locale.ROOT, "  %-9s %-55s %10.0f songs/s  HR@10 %.4f%n", row.system(), row.params(),
                row.songsPerSecond(), row.hitRate());
        out.flush();
    }

    private Row streamvec(HitRate.Split split, String label, Map<String, Object> overrides, int passes,
                          TrainCommand.Load load) throws Exception {
        List<PlaylistEvent> events = SongTraining.events(split.train(), false, passes);
        Map<String, Object> settings = new LinkedHashMap<>(overrides);
        settings.put(StreamvecConfig.RECOMMEND_ENABLED, false);
        TrainCommand.Result result = TrainCommand.run(events, List.of(), settings, Duration.ofMinutes(20), false,
                load);
        if (!result.complete()) {
            throw new IllegalStateException("streamvec did not finish training (" + label + ")");
        }
        return new Row("streamvec", label, passes * split.trainSongs() / result.seconds(),
                HitRate.of(result.vectors(), split.heldOut(), 10));
    }

    private Row gensim(HitRate.Split split, String label, String params) throws Exception {
        try (ScratchDir scratch = ScratchDir.create("streamvec-bench-gensim")) {
            Path dir = scratch.path();
            Path train = dir.resolve("train.txt");
            Path vectors = dir.resolve("vectors.txt");
            try (BufferedWriter writer = Files.newBufferedWriter(train, StandardCharsets.UTF_8)) {
                for (List<String> playlist : split.train()) {
                    writer.write(String.join(" ", playlist));
                    writer.newLine();
                }
            }
            Process process = new ProcessBuilder(python, script(dir).toString(), train.toString(), vectors.toString(),
                    params)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (process.waitFor() != 0) {
                throw new IllegalStateException("gensim failed (is python3-gensim installed for " + python + "?): "
                        + output);
            }
            JsonNode json = new ObjectMapper().readTree(output.substring(output.lastIndexOf('{')));
            double songsPerSecond = json.get("songs").asDouble() * json.get("epochs").asInt() / json.get("seconds").asDouble();
            return new Row("gensim", label, songsPerSecond, HitRate.of(HitRate.readWord2vec(vectors), split.heldOut(), 10));
        }
    }
}
