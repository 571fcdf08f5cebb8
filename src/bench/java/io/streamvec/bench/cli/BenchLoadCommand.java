package io.streamvec.bench.cli;

import io.streamvec.StreamvecConfig;
import io.streamvec.bench.LoadRun;
import io.streamvec.bench.Median;
import io.streamvec.bench.Trend;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 * {@code bench load}: both paths at a fixed rate through the in-process broker, with throughput,
 * end-to-end latency, consumer lag and heap reported over time. A rate given as a percentage is a share
 * of the capacity measured first by flooding both paths.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Fixed-rate load on both paths (text events and playlist events) through an in-process "
                + "broker: throughput, end-to-end latency p50/p99, consumer lag and heap over time.")
final class BenchLoadCommand implements Callable<Integer> {

    @Option(names = "--rate", required = true, paramLabel = "N|P%",
            description = "Text events per second, or a percentage of the measured capacity (e.g. 80%%): both paths "
                    + "share the machine, so P%% runs each path at P/2 %% of its own maximum rate.")
    String rate;

    @Option(names = "--playlist-rate", paramLabel = "N|P%", description = "Playlist events per second, or a "
            + "percentage of the measured capacity (default: the --rate percentage, or 20 x --rate).")
    String playlistRate;

    @Option(names = "--minutes", defaultValue = "10", description = "Length of the fixed-rate run (default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--report-every", defaultValue = "PT30S", paramLabel = "DURATION",
            description = "Report interval (ISO-8601, default ${DEFAULT-VALUE}).")
    Duration every;

    @Option(names = "--calibrate", defaultValue = "PT60S", paramLabel = "DURATION",
            description = "How long to flood both paths to measure capacity, when a rate is a percentage "
                    + "(default ${DEFAULT-VALUE}).")
    Duration calibrate;

    @Option(names = "--csv", paramLabel = "FILE", description = "Also write the intervals as CSV.")
    Path csv;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Rate text = Rate.parse(rate, "--rate", spec);
        Rate playlists = playlistRate != null ? Rate.parse(playlistRate, "--playlist-rate", spec)
                : text.percent() ? text : new Rate(text.value() * 20, false);
        if (minutes <= 0 || every.isNegative() || every.isZero() || calibrate.isNegative() || calibrate.isZero()) {
            throw new ParameterException(spec.commandLine(), "--minutes, --report-every and --calibrate must be > 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (LoadRun load = new LoadRun(Map.of(StreamvecConfig.EMBEDDING_PRECISION, "fp32"))) {
            double textRate = text.value();
            double playlistsRate = playlists.value();
            if (text.percent() || playlists.percent()) {
                out.printf("measuring capacity: flooding each path alone for %ds ...%n", calibrate.toSeconds() / 2);
                out.flush();
                LoadRun.Capacity capacity = load.measureCapacity(calibrate);
                out.printf(Locale.ROOT, "capacity alone: %.1f texts/s; %.0f playlist events/s%n",
                        capacity.textPerSecond(), capacity.playlistsPerSecond());
                // Both paths share the CPU: P% is P% of a half-and-half mix's capacity, each path at P/2 % of
                // its own maximum (at 100% the two together would saturate the machine).
                textRate = text.percent() ? capacity.textPerSecond() * text.value() / 200 : textRate;
                playlistsRate = playlists.percent() ? capacity.playlistsPerSecond() * playlists.value() / 200 : playlistsRate;
            }
            out.printf(Locale.ROOT, "load: %.1f texts/s and %.0f playlist events/s for %.1f min%n",
                    textRate, playlistsRate, minutes);
            String header = "   t(s)  text in/s out/s  p50 ms  p99 ms | playlists in/s  out/s  p50 ms  p99 ms |"
                    + " lag text playlists | heap MB  after GC";
            out.println(header);
            out.flush();
            List<String> rows = new ArrayList<>();
            List<LoadRun.Interval> intervals = load.run(textRate, playlistsRate,
                    Duration.ofMillis((long) (minutes * 60_000)), every, i -> {
                        out.printf(Locale.ROOT, "%7.0f  %11.1f %5.1f %7.0f %7.0f | %14.0f %6.0f %7.0f %7.0f | %8d %9d | %7d %9d%n",
                                i.elapsedSeconds(), i.textInRate(), i.textOutRate(), i.textP50(), i.textP99(),
                                i.playlistInRate(), i.playlistOutRate(), i.songP50(), i.songP99(), i.textLag(),
                                i.playlistLag(), i.heapUsedMb(), i.heapAfterGcMb());
                        out.flush();
                        rows.add(String.format(Locale.ROOT, "%.0f,%.2f,%.2f,%.0f,%.0f,%.1f,%.1f,%.0f,%.0f,%d,%d,%d,%d",
                                i.elapsedSeconds(), i.textInRate(), i.textOutRate(), i.textP50(), i.textP99(),
                                i.playlistInRate(), i.playlistOutRate(), i.songP50(), i.songP99(), i.textLag(),
                                i.playlistLag(), i.heapUsedMb(), i.heapAfterGcMb()));
                    });
            summarize(out, intervals);
            if (csv != null) {
                rows.add(0, "seconds,text_in,text_out,text_p50_ms,text_p99_ms,playlists_in,playlists_out,"
                        + "song_p50_ms,song_p99_ms,text_lag,playlist_lag,heap_mb,heap_after_gc_mb");
                Files.write(csv, rows, StandardCharsets.UTF_8);
            }
        }
        return 0;
    }

    /** Means over the run, and the first and last third side by side: flat lag and heap look alike in both. */
    private static void summarize(PrintWriter out, List<LoadRun.Interval> intervals) {
        int third = Math.max(1, intervals.size() / 3);
        List<LoadRun.Interval> first = intervals.subList(0, third);
        List<LoadRun.Interval> last = intervals.subList(intervals.size() - third, intervals.size());
        out.printf(Locale.ROOT, "throughput: %.1f texts/s, %.0f playlist events/s (out, mean of intervals)%n",
                mean(intervals, LoadRun.Interval::textOutRate), mean(intervals, LoadRun.Interval::playlistOutRate));
        out.printf(Locale.ROOT, "latency text: p50 %.0f ms, p99 %.0f ms (median of intervals); worst p99 %.0f ms%n",
                median(intervals, LoadRun.Interval::textP50), median(intervals, LoadRun.Interval::textP99),
                intervals.stream().mapToDouble(LoadRun.Interval::textP99).filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN));
        out.printf(Locale.ROOT, "latency song: p50 %.0f ms, p99 %.0f ms (median of intervals); worst p99 %.0f ms%n",
                median(intervals, LoadRun.Interval::songP50), median(intervals, LoadRun.Interval::songP99),
                intervals.stream().mapToDouble(LoadRun.Interval::songP99).filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN));
        out.printf(Locale.ROOT, "lag (mean, first third -> last third): text %.0f -> %.0f, playlists %.0f -> %.0f%n",
                mean(first, i -> i.textLag()), mean(last, i -> i.textLag()),
                mean(first, i -> i.playlistLag()), mean(last, i -> i.playlistLag()));
        out.printf(Locale.ROOT, "heap after GC (mean, first third -> last third): %.0f -> %.0f MB%n",
                mean(first, i -> i.heapAfterGcMb()), mean(last, i -> i.heapAfterGcMb()));
        // The fitted line over the whole run: a leak or a falling-behind path shows as a slope, whatever the noise.
        double[] seconds = intervals.stream().mapToDouble(LoadRun.Interval::elapsedSeconds).toArray();
        Trend textLag = Trend.fit(seconds, series(intervals, i -> i.textLag()));
        Trend playlistLag = Trend.fit(seconds, series(intervals, i -> i.playlistLag()));
        Trend heap = Trend.fit(seconds, series(intervals, i -> i.heapAfterGcMb() < 0 ? Double.NaN : i.heapAfterGcMb()));
        out.printf(Locale.ROOT, "trend (least-squares slope per hour): text lag %+.1f, playlist lag %+.1f, "
                + "heap after GC %+.1f MB (fitted at the start %.0f MB)%n", textLag.slopePerHour(),
                playlistLag.slopePerHour(), heap.slopePerHour(), heap.intercept());
        out.flush();
    }

    private static double[] series(List<LoadRun.Interval> intervals,
                                   java.util.function.ToDoubleFunction<LoadRun.Interval> f) {
        return intervals.stream().mapToDouble(f).toArray();
    }

    private static double mean(List<LoadRun.Interval> intervals, java.util.function.ToDoubleFunction<LoadRun.Interval> f) {
        return intervals.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).average().orElse(Double.NaN);
    }

    private static double median(List<LoadRun.Interval> intervals, java.util.function.ToDoubleFunction<LoadRun.Interval> f) {
        double[] values = intervals.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).toArray();
        return values.length == 0 ? Double.NaN : Median.upper(values);
    }

    /** A rate: events per second, or a percentage of the measured capacity. */
    record Rate(double value, boolean percent) {
        static Rate parse(String text, String option, CommandSpec spec) {
            boolean percent = text.endsWith("%");
            try {
                double value = Double.parseDouble(percent ? text.substring(0, text.length() - 1) : text);
                if (value > 0 && Double.isFinite(value) && (!percent || value <= 100)) {
                    return new Rate(value, percent);
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new ParameterException(spec.commandLine(), option + " must be a positive number of events per "
                    + "second or a percentage in (0, 100]: " + text);
        }
    }
}
