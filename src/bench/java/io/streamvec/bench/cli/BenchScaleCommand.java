package io.streamvec.bench.cli;

import io.streamvec.bench.Median;
import io.streamvec.bench.ScaleRun;
import io.streamvec.bench.ScratchDir;
import io.streamvec.song2vec.data.SyntheticPlaylists;
import io.streamvec.song2vec.data.PlaylistFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench scale}: song-path throughput with 1 and with 2 instances (child JVMs pinned to one core
 * each) on the same two-partition playlist stream, and the ratio.
 */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "Song-path scaling: the same playlist events through 1 and 2 streamvec instances (child JVMs, "
                + "each pinned to one core with taskset), two model replicas exchanging deltas; songs/s and the ratio.")
final class BenchScaleCommand implements Callable<Integer> {

    @Option(names = "--playlists", paramLabel = "FILE",
            description = "Playlists (train.txt format); default: synthetic playlists.")
    Path playlistsFile;

    @Option(names = "--synthetic", defaultValue = "100000",
            description = "Synthetic playlists when no file is given (default: ${DEFAULT-VALUE}).")
    int synthetic;

    @Option(names = "--passes", defaultValue = "2", description = "Runs of each configuration, interleaved; the "
            + "median is reported (default: ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting for the instances (repeatable).")
    Map<String, String> settings = new HashMap<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (passes < 1 || synthetic < 1) {
            throw new ParameterException(spec.commandLine(), "--passes and --synthetic must be >= 1");
        }
        List<List<String>> playlists = playlistsFile != null ? PlaylistFile.readPlaylists(playlistsFile) : synthetic();
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%d playlist events, %d songs; 2 playlist-events partitions (2 replicas)%n",
                playlists.size(), playlists.stream().mapToLong(List::size).sum());
        double[][] rates = new double[2][passes];
        try (ScratchDir work = ScratchDir.create("streamvec-bench-scale")) {
            for (int pass = 0; pass < passes; pass++) {
                for (int instances = 1; instances <= 2; instances++) {
                    ScaleRun.Result result = ScaleRun.run(playlists, instances, 2,
                            work.resolve("pass-" + pass + "-" + instances), settings, Duration.ofMinutes(10));
                    rates[instances - 1][pass] = result.songsPerSecond();
                    out.printf(Locale.ROOT, "pass %d, %d instance(s): %.1f s, %.0f songs/s, %d delta rows published "
                                    + "(%.0f rows/s, ~%.1f MB/s at dim 32)%n", pass + 1, instances, result.seconds(),
                            result.songsPerSecond(), result.deltaRows(), result.deltaRows() / result.seconds(),
                            result.deltaRows() * (8 * 32 + 16) / result.seconds() / 1e6);
                    out.flush();
                }
            }
        }
        double one = Median.upper(rates[0]);
        double two = Median.upper(rates[1]);
        out.printf(Locale.ROOT, "1 instance (1 core): %.0f songs/s; 2 instances (1 core each): %.0f songs/s; ratio %.2fx%n",
                one, two, two / one);
        return 0;
    }

    private List<List<String>> synthetic() {
        SyntheticPlaylists source = new SyntheticPlaylists(12, 400, 3L);
        List<List<String>> playlists = new ArrayList<>(synthetic);
        for (int i = 0; i < synthetic; i++) {
            playlists.add(source.next(5, 30));
        }
        return playlists;
    }
}
