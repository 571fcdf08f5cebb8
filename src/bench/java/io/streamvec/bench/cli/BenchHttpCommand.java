package io.streamvec.bench.cli;

import io.streamvec.avro.Song;
import io.streamvec.bench.HttpLoadClient;
import io.streamvec.bench.HttpRun;
import io.streamvec.bench.JavaLoadClient;
import io.streamvec.bench.ScratchDir;
import io.streamvec.bench.SearchBatches;
import io.streamvec.bench.SlowClients;
import io.streamvec.bench.WrkLoadClient;
import io.streamvec.http.Responses;
import io.streamvec.song2vec.data.PlaylistFile;
import io.streamvec.song2vec.data.SyntheticPlaylists;
import io.streamvec.song2vec.model.NeighborIndex;
import io.streamvec.song2vec.model.SongModelView;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench http}: the HTTP endpoints under a closed-loop load on keep-alive connections, with the song
 * model trained on real or synthetic playlists: requests/s and latency percentiles per target, connection
 * count and training state; where the time of a request goes (the nearest-neighbour search against the rest);
 * a normal request among slow clients; and the operations server's {@code /metrics} while the query server is
 * loaded.
 */
@Command(name = "http", mixinStandardHelpOptions = true,
        description = "The HTTP endpoints under load (wrk, or a Java client with the same method): requests/s and "
                + "p50/p99/p99.9 on /songs/{id}/similar, /playlists/{id}/next and the operations /metrics at each "
                + "connection count, with training running alongside and without; the share of the "
                + "nearest-neighbour search; a request among slow clients; /metrics while the query server is loaded.")
final class BenchHttpCommand implements Callable<Integer> {

    enum Client { auto, wrk, java }

    enum Target { similar, next, metrics }

    enum Training { off, on }

    @Option(names = "--playlists", paramLabel = "FILE",
            description = "Playlists to train on (yes_complete train.txt format); default: synthetic playlists.")
    Path playlistsFile;

    @Option(names = "--songs", paramLabel = "FILE", description = "Song titles and artists (song_hash.txt format).")
    Path songsFile;

    @Option(names = "--max-playlists", paramLabel = "N", description = "Train on the first N playlists of the file only.")
    Integer maxPlaylists;

    @Option(names = "--synthetic", defaultValue = "20000",
            description = "Synthetic playlists when no file is given (default: ${DEFAULT-VALUE}).")
    int synthetic;

    @Option(names = "--connections", split = ",", defaultValue = "1,16,64",
            description = "Connection counts, one cell each (default: ${DEFAULT-VALUE}).")
    List<Integer> connections;

    @Option(names = "--duration", defaultValue = "PT20S", paramLabel = "DURATION",
            description = "Length of each cell (ISO-8601; whole seconds with wrk; default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "PT5S", paramLabel = "DURATION",
            description = "Load on each target before its first cell, not reported (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--targets", split = ",", defaultValue = "similar,next,metrics",
            description = "Routes to load: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    List<Target> targets;

    @Option(names = "--training", split = ",", defaultValue = "off,on",
            description = "Without (off) and with (on) training running alongside (default: ${DEFAULT-VALUE}).")
    List<Training> training;

    @Option(names = "--training-rate", defaultValue = "50000", paramLabel = "SONGS/S",
            description = "Songs a second the background producer sends, as whole playlists, while training runs "
                    + "alongside (default: ${DEFAULT-VALUE}).")
    double trainingRate;

    @Option(names = "--client", defaultValue = "auto",
            description = "Load generator: wrk, java, or auto (wrk when it is on the PATH; default: ${DEFAULT-VALUE}).")
    Client client;

    @Option(names = "--k", defaultValue = "10", description = "Neighbours per query (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--ids", defaultValue = "20000",
            description = "Song ids and playlist ids the requests rotate over, at most (default: ${DEFAULT-VALUE}).")
    int ids;

    @Option(names = "--direct-queries", defaultValue = "5000",
            description = "Queries timed in-process without HTTP, per kind (default: ${DEFAULT-VALUE}).")
    int directQueries;

    @Option(names = "--batch-sizes", split = ",", defaultValue = "1,4,8,16",
            description = "Batch sizes of the in-process search timing, side by side; empty skips (default: "
                    + "${DEFAULT-VALUE}).")
    List<Integer> batchSizes;

    @Option(names = "--batch-rounds", defaultValue = "5",
            description = "Rounds of the in-process batch timings, the sizes alternating (default: ${DEFAULT-VALUE}).")
    int batchRounds;

    @Option(names = "--slow-clients", defaultValue = "200",
            description = "Slow clients (headers trickling in, never finished) held while normal requests are timed; "
                    + "0 skips (default: ${DEFAULT-VALUE}).")
    int slowClients;

    @Option(names = "--offered", defaultValue = "5000@16", split = ",",
            description = "Offered loads on /songs/{id}/similar, training off: RATE@CONNECTIONS, e.g. 5000@16 "
                    + "(requests/s in all, paced per connection; latency from each request's scheduled time), "
                    + "after the closed-loop table; none: --offered= (default: ${DEFAULT-VALUE})")
    List<String> offered;

    @Option(names = "--loaded-connections", defaultValue = "64",
            description = "Connections on the query server while /metrics is probed (default: ${DEFAULT-VALUE}).")
    int loadedConnections;

    @Option(names = "--train-timeout", defaultValue = "PT10M", paramLabel = "DURATION",
            description = "Give up training after (default: ${DEFAULT-VALUE}).")
    Duration trainTimeout;

    @Spec
    CommandSpec spec;

    /** One cell of the table. */
    private record Cell(Training training, Target target, int connections, HttpLoadClient.Result result,
                        double trainedSongsPerSecond, double keptShare) {}

    @Override
    public Integer call() throws Exception {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        List<List<String>> playlists;
        List<Song> songs;
        String data;
        if (playlistsFile != null) {
            playlists = PlaylistFile.readPlaylists(playlistsFile);
            if (maxPlaylists != null && maxPlaylists < playlists.size()) {
                playlists = playlists.subList(0, maxPlaylists);
            }
            songs = songsFile == null ? List.of() : PlaylistFile.readSongs(songsFile);
            data = playlistsFile.toString();
        } else {
            SyntheticPlaylists source = new SyntheticPlaylists(12, 400, 11L);
            playlists = new ArrayList<>(synthetic);
            for (int i = 0; i < synthetic; i++) {
                playlists.add(source.next(5, 30));
            }
            songs = source.songs();
            data = "synthetic (12 genres x 400 songs)";
        }
        long songCount = playlists.stream().mapToLong(List::size).sum();
        out.printf(Locale.ROOT, "data: %,d playlists (%,d songs) from %s; %,d songs with metadata%n",
                playlists.size(), songCount, data, songs.size());
        out.flush();

        try (ScratchDir work = ScratchDir.create("streamvec-bench-http");
             HttpRun run = new HttpRun(playlists, songs, Map.of())) {
            HttpLoadClient load = loadClient(work.path());
            long[] lastReport = {System.nanoTime()};
            int total = playlists.size();
            double seconds = run.train(trainTimeout, trained -> {
                if (System.nanoTime() - lastReport[0] >= 5_000_000_000L) {
                    lastReport[0] = System.nanoTime();
                    out.printf(Locale.ROOT, "  training: %,d of %,d playlists trained%n", trained, total);
                    out.flush();
                }
            });
            if (seconds < 0) {
                spec.commandLine().getErr().printf("the model had not trained every playlist after %s (%d of %d)%n",
                        trainTimeout, run.eventsTrained(), playlists.size());
                return 1;
            }
            SongModelView model = run.model();
            out.printf(Locale.ROOT, "trained %,d playlists in %.1f s (%,.0f songs/s); model: %,d songs; query server %s, "
                    + "operations server %s%n", playlists.size(), seconds, songCount / seconds,
                    model.vocabularySize(), run.queries(), run.operations());
            out.flush();

            List<String> songIds = run.songIds(ids);
            List<String> playlistIds = run.playlistIds(ids);
            Map<Target, List<String>> paths = new LinkedHashMap<>();
            paths.put(Target.similar, HttpRun.similarPaths(songIds, k));
            paths.put(Target.next, HttpRun.nextPaths(playlistIds, k));
            paths.put(Target.metrics, List.of("/metrics"));

            // Where the time goes, part 1: the same queries in-process, one thread, no HTTP.
            Map<Target, HttpRun.Timing[]> direct = direct(run, model, songIds, playlistIds, out);
            // Part 2: the search in batches of concurrent queries, in-process.
            batches(model, songIds, out);

            out.printf(Locale.ROOT, "%nload: %s, closed loop on keep-alive connections, %s per cell (warm-up %s per "
                    + "target); requests rotate over %,d song ids / %,d playlist ids, k=%d%n", load.describe(),
                    duration, warmup, songIds.size(), playlistIds.size(), k);
            if (training.contains(Training.on)) {
                out.printf(Locale.ROOT, "training on: a producer sends %,.0f songs/s as whole playlists; the last column is "
                        + "what the model trained during the cell%n", trainingRate);
            }
            out.printf(Locale.ROOT, "kept: the share of similar queries a snapshot answered from its kept searches "
                    + "(at most %,d rows kept; -Dsong2vec.query.cache.entries=0 keeps none)%n", NeighborIndex.CACHE_ENTRIES);
            String header = String.format(Locale.ROOT, "%-8s %-8s %5s %10s %10s %8s %8s %9s %8s %8s %7s %6s %14s",
                    "training", "target", "conns", "requests", "req/s", "mean ms", "p50 ms", "p99 ms", "p99.9 ms",
                    "max ms", "errors", "kept", "trained songs/s");
            out.println(header);
            out.flush();
            List<Cell> cells = new ArrayList<>();
            for (Training mode : training) {
                if (mode == Training.on) {
                    run.startTraining(trainingRate);
                    Thread.sleep(2_000); // the producer and the model reach their pace
                }
                try {
                    for (Target target : targets) {
                        URI base = target == Target.metrics ? run.operations() : run.queries();
                        if (!warmup.isZero() && mode == training.get(0)) {
                            load.run(base, paths.get(target), connections.get(connections.size() - 1), warmup);
                        }
                        for (int n : connections) {
                            long songsBefore = run.songsTrained();
                            SongModelView.CacheCounts cacheBefore = model.similarCache();
                            long started = System.nanoTime();
                            HttpLoadClient.Result result = load.run(base, paths.get(target), n, duration);
                            double trainedRate = (run.songsTrained() - songsBefore) / ((System.nanoTime() - started) / 1e9);
                            Cell cell = new Cell(mode, target, n, result, trainedRate,
                                    target == Target.similar ? keptShare(cacheBefore, model.similarCache()) : Double.NaN);
                            cells.add(cell);
                            out.println(row(cell));
                            out.flush();
                        }
                    }
                } finally {
                    run.stopTraining();
                }
            }

            offered(out, run, model, load, paths.get(Target.similar));
            shares(out, direct, cells);
            metricsUnderLoad(out, run, load, paths);
            if (slowClients > 0) {
                slowClients(out, run, paths.get(Target.similar));
            }
        }
        return 0;
    }

    private void validate() {
        if (connections.isEmpty() || connections.stream().anyMatch(n -> n < 1) || loadedConnections < 1) {
            throw new ParameterException(spec.commandLine(), "--connections and --loaded-connections must be >= 1");
        }
        if (offered.stream().anyMatch(o -> !o.isBlank() && !o.matches("[0-9]+(\\.[0-9]+)?@[1-9][0-9]*"))
                || offered.stream().anyMatch(o -> o.startsWith("0@") || o.matches("0+(\\.0+)?@.*"))) {
            throw new ParameterException(spec.commandLine(), "--offered takes RATE@CONNECTIONS with a rate > 0, e.g. "
                    + "5000@16: " + offered);
        }
        if (duration.isNegative() || duration.isZero() || warmup.isNegative() || trainTimeout.isNegative()
                || trainTimeout.isZero()) {
            throw new ParameterException(spec.commandLine(), "--duration and --train-timeout must be > 0, --warmup >= 0");
        }
        if (batchSizes.stream().anyMatch(b -> b < 1 || b > 256) || batchRounds < 1) {
            throw new ParameterException(spec.commandLine(), "--batch-sizes must be in 1..256, --batch-rounds >= 1");
        }
        if (k < 1 || k > 1000 || ids < 1 || directQueries < 0 || slowClients < 0 || synthetic < 1
                || (maxPlaylists != null && maxPlaylists < 1) || !(trainingRate > 0)) {
            throw new ParameterException(spec.commandLine(), "--k must be in 1..1000; --ids, --synthetic, "
                    + "--max-playlists and --training-rate > 0; --direct-queries and --slow-clients >= 0");
        }
        if (targets.isEmpty() || training.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--targets and --training need at least one value");
        }
        if (songsFile != null && playlistsFile == null) {
            throw new ParameterException(spec.commandLine(), "--songs goes with --playlists");
        }
    }

    private HttpLoadClient loadClient(Path work) {
        Optional<Path> wrk = WrkLoadClient.find();
        if (client == Client.wrk && wrk.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--client wrk: wrk is not on the PATH");
        }
        if (client != Client.java && wrk.isPresent()) {
            return new WrkLoadClient(wrk.get(), work, Runtime.getRuntime().availableProcessors());
        }
        return new JavaLoadClient();
    }

    private static String row(Cell cell) {
        HttpLoadClient.Result r = cell.result();
        return String.format(Locale.ROOT, "%-8s %-8s %5d %10d %10.1f %8.3f %8.3f %9.3f %8.3f %8.1f %7d %6s %14s",
                cell.training(), cell.target(), cell.connections(), r.requests(), r.requestsPerSecond(), r.meanMs(),
                r.p50Ms(), r.p99Ms(), r.p999Ms(), r.maxMs(), r.errors(),
                Double.isNaN(cell.keptShare()) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * cell.keptShare()),
                cell.training() == Training.on ? String.format(Locale.ROOT, "%,.0f", cell.trainedSongsPerSecond()) : "-");
    }

    /** The share of similar queries answered from kept searches between two counts of the model's. */
    private static double keptShare(SongModelView.CacheCounts before, SongModelView.CacheCounts after) {
        long hits = after.hits() - before.hits();
        long misses = after.misses() - before.misses();
        return hits + misses == 0 ? Double.NaN : (double) hits / (hits + misses);
    }

    /** The queries of each route timed in-process: {model search, query object}, for similar and next. */
    private Map<Target, HttpRun.Timing[]> direct(HttpRun run, SongModelView model, List<String> songIds,
                                                 List<String> playlistIds, PrintWriter out) {
        Map<Target, HttpRun.Timing[]> timings = new LinkedHashMap<>();
        if (directQueries == 0) {
            return timings;
        }
        var queries = run.queryObject();
        // next: the model's part is the continuation from the playlist's retained songs, as the route asks it.
        List<List<String>> recent = new ArrayList<>();
        for (String id : playlistIds.subList(0, Math.min(playlistIds.size(), 2_000))) {
            queries.next(id, k).map(Responses.PlaylistNext::recentSongs).filter(r -> !r.isEmpty()).ifPresent(recent::add);
        }
        SongModelView.CacheCounts cacheBefore = model.similarCache();
        timings.put(Target.similar, new HttpRun.Timing[] {
            HttpRun.time(songIds, directQueries, id -> model.similar(id, k).orElse(null)),
            HttpRun.time(songIds, directQueries, id -> queries.similar(id, k).orElse(null))});
        double kept = keptShare(cacheBefore, model.similarCache());
        if (!recent.isEmpty()) {
            timings.put(Target.next, new HttpRun.Timing[] {
                HttpRun.time(recent, directQueries, songs -> model.continuation(songs, k).orElse(null)),
                HttpRun.time(playlistIds, directQueries, id -> queries.next(id, k).orElse(null))});
        }
        out.printf(Locale.ROOT, "%nin-process, one thread, no HTTP (%,d queries each, k=%d; %.0f%% of the similar "
                + "queries answered from kept searches):%n", directQueries, k, Double.isNaN(kept) ? 0 : 100 * kept);
        out.printf(Locale.ROOT, "  %-8s %-52s %9s %9s %9s%n", "route", "part", "mean ms", "p50 ms", "p99 ms");
        String[] parts = {"nearest-neighbour search (the model's snapshot)",
            "query object (stores, search, metadata)"};
        timings.forEach((target, pair) -> {
            for (int i = 0; i < pair.length; i++) {
                out.printf(Locale.ROOT, "  %-8s %-52s %9.3f %9.3f %9.3f%n", target, parts[i], pair[i].meanMs(),
                        pair[i].p50Ms(), pair[i].p99Ms());
            }
        });
        out.flush();
        return timings;
    }

    /**
     * The similar route's search over the model's rows in batches of concurrent queries: one thread, each batch
     * size's cost per query side by side (median of the rounds); then 16 threads through the combiner the
     * snapshot uses, batching off (1) and on (the largest batch size), alternating.
     */
    private void batches(SongModelView model, List<String> songIds, PrintWriter out) throws Exception {
        if (directQueries == 0 || batchSizes.isEmpty()) {
            return;
        }
        SearchBatches search = new SearchBatches(model, songIds, k);
        if (search.queries() == 0) {
            return;
        }
        int[] sizes = batchSizes.stream().mapToInt(Integer::intValue).toArray();
        List<SearchBatches.BatchCost> costs = search.batchCosts(sizes, directQueries, batchRounds);
        double single = costs.get(0).medianUs();
        out.printf(Locale.ROOT, "%nsearch in batches, in-process, one thread (%,d songs, k=%d, %,d queries per size and round, "
                + "median of %d rounds, sizes alternating):%n", search.songs(), k, directQueries, batchRounds);
        out.printf(Locale.ROOT, "  %5s %14s %12s %14s %12s   %s%n", "batch", "us per query", "vs batch " + sizes[0],
                "CPU us/query", "vs batch " + sizes[0], "per round (wall us)");
        double singleCpu = costs.get(0).medianCpuUs();
        for (SearchBatches.BatchCost cost : costs) {
            StringBuilder rounds = new StringBuilder();
            for (double us : cost.roundsUs()) {
                rounds.append(String.format(Locale.ROOT, " %.1f", us));
            }
            out.printf(Locale.ROOT, "  %5d %14.1f %11.2fx %14.1f %11.2fx  %s%n", cost.batch(), cost.medianUs(),
                    single / cost.medianUs(), cost.medianCpuUs(), singleCpu / cost.medianCpuUs(), rounds);
        }
        int threads = 16;
        int largest = Arrays.stream(sizes).max().orElse(1);
        if (largest > 1) {
            List<SearchBatches.Concurrent> rates = search.concurrent(threads, new int[] {1, largest}, 1_000, batchRounds);
            out.printf(Locale.ROOT, "  %d threads asking at once through the snapshot's combiner, %d rounds of 1 s "
                    + "alternating:%n", threads, batchRounds);
            for (SearchBatches.Concurrent rate : rates) {
                StringBuilder rounds = new StringBuilder();
                for (double qps : rate.rounds()) {
                    rounds.append(String.format(Locale.ROOT, " %,.0f", qps));
                }
                out.printf(Locale.ROOT, "  max batch %3d: %,10.0f queries/s (median; rounds%s), mean batch %.2f%n",
                        rate.maxBatch(), rate.medianQueriesPerSecond(), rounds, rate.meanBatch());
            }
            out.printf(Locale.ROOT, "  batching on / off: %.2fx%n",
                    rates.get(1).medianQueriesPerSecond() / rates.get(0).medianQueriesPerSecond());
        }
        out.flush();
    }

    /** Where the time goes: the search against the whole request at one connection, and its CPU share under load. */
    private static void shares(PrintWriter out, Map<Target, HttpRun.Timing[]> direct, List<Cell> cells) {
        if (direct.isEmpty()) {
            return;
        }
        int cores = Runtime.getRuntime().availableProcessors();
        out.printf(Locale.ROOT, "%nwhere the time goes (training off):%n");
        direct.forEach((target, pair) -> {
            double search = pair[0].meanMs();
            double query = pair[1].meanMs();
            if (target == Target.similar && NeighborIndex.CACHE_ENTRIES > 0) {
                // Kept searches answer repeated queries without a scan: the in-process timings mix both.
                out.printf(Locale.ROOT, "  %-8s the in-process timings mix kept searches and scans: the split of a "
                        + "scanned query needs a run with -Dsong2vec.query.cache.entries=0%n", target);
                return;
            }
            for (Cell cell : cells) {
                if (cell.target() != target || cell.training() != Training.off) {
                    continue;
                }
                HttpLoadClient.Result r = cell.result();
                if (cell.connections() == 1) {
                    double http = r.meanMs();
                    out.printf(Locale.ROOT, "  %-8s 1 connection, means: %.3f ms a request = search %.3f ms (%.0f%%) + rest of "
                                    + "the query object %.3f ms (%.0f%%) + HTTP (server, client, loopback) %.3f ms (%.0f%%)%n",
                            target, http, search, 100 * search / http, query - search, 100 * (query - search) / http,
                            http - query, 100 * (http - query) / http);
                    // Medians too: one stall on a busy machine moves a mean, not a median.
                    double httpP50 = r.p50Ms();
                    out.printf(Locale.ROOT, "  %-8s 1 connection, medians: %.3f ms a request; search %.3f ms (%.0f%%), "
                                    + "query object %.3f ms (%.0f%%)%n", target, httpP50, pair[0].p50Ms(),
                            100 * pair[0].p50Ms() / httpP50, pair[1].p50Ms(), 100 * pair[1].p50Ms() / httpP50);
                } else {
                    // CPU-bound: the machine's CPU time per request is at most cores / (requests/s).
                    double cpuMsPerRequest = 1000.0 * cores / r.requestsPerSecond();
                    out.printf(Locale.ROOT, "  %-8s %d connections: %,.0f requests/s on %d cores = at most %.3f ms of CPU "
                                    + "a request (load generator included); the search's %.3f ms is %.0f%% of it%n",
                            target, cell.connections(), r.requestsPerSecond(), cores, cpuMsPerRequest, search,
                            100 * search / cpuMsPerRequest);
                }
            }
        });
        out.flush();
    }

    /**
     * The similar route at offered rates rather than as fast as it answers: each of the connections sends on a
     * schedule, and a request's latency runs from when it was due (so the percentiles are those a client sending
     * at that rate sees).
     */
    private void offered(PrintWriter out, HttpRun run, SongModelView model, HttpLoadClient warmLoad, List<String> paths)
            throws Exception {
        List<String> loads = offered.stream().filter(o -> !o.isBlank()).toList();
        if (loads.isEmpty()) {
            return;
        }
        if (!warmup.isZero()) { // after training on, a new snapshot: it keeps its searches from here
            warmLoad.run(run.queries(), paths, connections.get(connections.size() - 1), warmup);
        }
        out.printf(Locale.ROOT, "%noffered load on /songs/{id}/similar, training off (java client, each connection "
                + "paced; latency from each request's scheduled time):%n");
        out.printf(Locale.ROOT, "  %9s %5s %10s %10s %8s %8s %9s %8s %8s %7s %6s%n", "offered/s", "conns", "requests",
                "req/s", "mean ms", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "errors", "kept");
        for (String load : loads) {
            String[] parts = load.split("@");
            double rate = Double.parseDouble(parts[0]);
            int connections = Integer.parseInt(parts[1]);
            Duration pace = Duration.ofNanos(Math.round(connections * 1e9 / rate));
            SongModelView.CacheCounts cacheBefore = model.similarCache();
            HttpLoadClient.Result r = new JavaLoadClient(pace).run(run.queries(), paths, connections, duration);
            double kept = keptShare(cacheBefore, model.similarCache());
            out.printf(Locale.ROOT, "  %,9.0f %5d %10d %10.1f %8.3f %8.3f %9.3f %8.3f %8.1f %7d %6s%n", rate, connections,
                    r.requests(), r.requestsPerSecond(), r.meanMs(), r.p50Ms(), r.p99Ms(), r.p999Ms(), r.maxMs(),
                    r.errors(), Double.isNaN(kept) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * kept));
            out.flush();
        }
    }

    /** /metrics probed once every 100 ms, alone and while the query server serves {@code loadedConnections}. */
    private void metricsUnderLoad(PrintWriter out, HttpRun run, HttpLoadClient load, Map<Target, List<String>> paths)
            throws Exception {
        HttpLoadClient probe = new JavaLoadClient(Duration.ofMillis(100));
        HttpLoadClient.Result alone = probe.run(run.operations(), paths.get(Target.metrics), 1, duration);
        HttpLoadClient.Result loaded;
        HttpLoadClient.Result queries;
        ExecutorService background = Executors.newSingleThreadExecutor();
        try {
            Future<HttpLoadClient.Result> queryLoad = background.submit(() ->
                    load.run(run.queries(), paths.get(Target.similar), loadedConnections, duration));
            Thread.sleep(500); // the load is on
            loaded = probe.run(run.operations(), paths.get(Target.metrics), 1, duration.minusMillis(1_000));
            queries = queryLoad.get();
        } finally {
            background.shutdownNow();
        }
        out.printf(Locale.ROOT, "%noperations /metrics, one request every 100 ms on one keep-alive connection:%n");
        out.printf(Locale.ROOT, "  query server idle:                        %s%n", probe(alone));
        out.printf(Locale.ROOT, "  query server at %3d connections (similar): %s; the query server answered %,.0f requests/s, "
                + "p99 %.3f ms%n", loadedConnections, probe(loaded), queries.requestsPerSecond(), queries.p99Ms());
        out.flush();
    }

    private static String probe(HttpLoadClient.Result r) {
        return String.format(Locale.ROOT, "%d requests, p50 %.3f ms, p99 %.3f ms, max %.3f ms, %d errors", r.requests(),
                r.p50Ms(), r.p99Ms(), r.maxMs(), r.errors());
    }

    /**
     * Slow clients trickling their headers (one byte each every 100 ms, reconnecting when cut off) held for the
     * cell duration while a normal request on a new connection is timed every 250 ms.
     */
    private void slowClients(PrintWriter out, HttpRun run, List<String> similarPaths) throws Exception {
        URI base = run.queries();
        try (SlowClients slow = new SlowClients(new InetSocketAddress(base.getHost(), base.getPort()), slowClients,
                Duration.ofMillis(100))) {
            Thread.sleep(500);
            int connectedAtStart = slow.connected();
            List<Double> latencies = new ArrayList<>();
            long errors = 0;
            long deadline = System.nanoTime() + duration.toNanos();
            int i = 0;
            while (System.nanoTime() < deadline) {
                // One request on a fresh connection: it has to be accepted and answered beside the slow ones.
                try {
                    latencies.add(JavaLoadClient.once(base, similarPaths.get(i++ % similarPaths.size())));
                } catch (java.io.IOException e) {
                    errors++;
                }
                Thread.sleep(250);
            }
            latencies.sort(null);
            long withinSecond = latencies.stream().filter(ms -> ms <= 1000).count();
            out.printf(Locale.ROOT, "%n%d slow clients (headers trickling in, %d connected at the start, %d cut off by the "
                            + "request-header timeout and reconnected) for %s:%n", slowClients, connectedAtStart,
                    slow.cutOff(), duration);
            out.printf(Locale.ROOT, "  %d normal requests on new connections: %d answered within 1 s, %d failed; "
                            + "latency p50 %.3f ms, max %.3f ms%n", latencies.size() + errors, withinSecond, errors,
                    latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() / 2),
                    latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() - 1));
            out.flush();
        }
    }
}
