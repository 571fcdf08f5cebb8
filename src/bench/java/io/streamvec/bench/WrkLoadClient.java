package io.streamvec.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load generator: {@code wrk} (closed loop, keep-alive connections spread over its threads), driven by a
 * Lua script that rotates the request paths and prints the figures from {@code done()}: requests, errors,
 * and the latency mean and percentiles from {@code latency:percentile()}. wrk counts an answer that is not
 * 2xx or 3xx as a status error; socket errors and timeouts (10 s) as the others.
 */
public final class WrkLoadClient implements HttpLoadClient {

    private static final Pattern SUMMARY = Pattern.compile("streamvec-wrk requests=(\\d+) duration_us=(\\d+) "
            + "errors=(\\d+) non2xx=(\\d+) mean_us=(\\S+) p50_us=(\\d+) p99_us=(\\d+) p999_us=(\\d+) max_us=(\\d+)");

    private final Path wrk;
    private final Path workDir;
    private final int maxThreads;

    /** Runs {@code wrk} with at most {@code maxThreads} threads, writing its scripts to {@code workDir}. */
    public WrkLoadClient(Path wrk, Path workDir, int maxThreads) {
        this.wrk = wrk;
        this.workDir = workDir;
        this.maxThreads = Math.max(1, maxThreads);
    }

    /** {@code wrk} on the PATH, if installed. */
    public static Optional<Path> find() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, "wrk");
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public String describe() {
        try {
            Process process = new ProcessBuilder(wrk.toString(), "--version").redirectErrorStream(true).start();
            String first = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                    .findFirst().orElse("").trim();
            process.waitFor(5, TimeUnit.SECONDS);
            return first.startsWith("wrk") ? first.replaceAll("\\s*Copyright.*", "") : wrk.toString();
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return wrk.toString();
        }
    }

    @Override
    public Result run(URI base, List<String> paths, int connections, Duration duration) throws Exception {
        if (connections < 1 || paths.isEmpty()) {
            throw new IllegalArgumentException("need at least one connection and one path");
        }
        int threads = Math.min(connections, maxThreads);
        Path script = Files.createTempFile(workDir, "paths-", ".lua");
        Files.writeString(script, script(paths, threads), StandardCharsets.UTF_8);
        long seconds = Math.max(1, Math.round(duration.toMillis() / 1000.0)); // wrk takes whole seconds
        String url = "http://" + base.getHost() + ":" + base.getPort();
        Process process = new ProcessBuilder(wrk.toString(), "-t", Integer.toString(threads), "-c",
                Integer.toString(connections), "-d", seconds + "s", "--timeout", "10s", "-s", script.toString(), url)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(seconds + 60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("wrk did not finish: " + output);
        }
        Files.deleteIfExists(script);
        if (process.exitValue() != 0) {
            throw new IOException("wrk failed (exit " + process.exitValue() + "): " + output);
        }
        return parse(output);
    }

    /** The figures of the summary line that the script's {@code done()} printed. */
    static Result parse(String output) throws IOException {
        Matcher m = SUMMARY.matcher(output);
        if (!m.find()) {
            throw new IOException("no summary in wrk's output: " + output);
        }
        long requests = Long.parseLong(m.group(1));
        return new Result(requests, Long.parseLong(m.group(3)) + Long.parseLong(m.group(4)),
                Long.parseLong(m.group(2)) / 1e6, requests == 0 ? Double.NaN : Double.parseDouble(m.group(5)) / 1e3,
                us(m.group(6), requests), us(m.group(7), requests), us(m.group(8), requests), us(m.group(9), requests));
    }

    private static double us(String micros, long requests) {
        return requests == 0 ? Double.NaN : Long.parseLong(micros) / 1e3;
    }

    /** The Lua script: the paths, each thread starting at its own offset, and the summary line. */
    static String script(List<String> paths, int threads) {
        StringBuilder lua = new StringBuilder(paths.size() * 32 + 1024);
        lua.append("-- written by bench http: rotates the request paths; done() prints the summary\n");
        lua.append("local paths = {\n");
        for (String path : paths) {
            lua.append('"');
            for (int i = 0; i < path.length(); i++) {
                char c = path.charAt(i);
                if (c == '"' || c == '\\') {
                    lua.append('\\');
                } else if (c < 0x20 || c > 0x7e) {
                    throw new IllegalArgumentException("a request path must be printable ASCII: " + path);
                }
                lua.append(c);
            }
            lua.append("\",\n");
        }
        lua.append("}\n")
                .append("local n = #paths\n")
                .append("local started = 0\n")
                .append("local i = 0\n")
                .append("function setup(thread)\n")
                .append("  thread:set(\"first\", started)\n")
                .append("  started = started + 1\n")
                .append("end\n")
                .append("function init(args)\n")
                .append("  i = math.floor((first or 0) * n / ").append(threads).append(")\n")
                .append("end\n")
                .append("function request()\n")
                .append("  i = i + 1\n")
                .append("  if i > n then i = 1 end\n")
                .append("  return wrk.format(\"GET\", paths[i])\n")
                .append("end\n")
                .append("function done(summary, latency, requests)\n")
                .append("  local e = summary.errors\n")
                .append("  io.write(string.format(\"streamvec-wrk requests=%.0f duration_us=%.0f errors=%.0f ")
                .append("non2xx=%.0f mean_us=%.3f p50_us=%.0f p99_us=%.0f p999_us=%.0f max_us=%.0f\\n\",\n")
                .append("    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,\n")
                .append("    latency.mean, latency:percentile(50), latency:percentile(99), latency:percentile(99.9),\n")
                .append("    latency.max))\n")
                .append("end\n");
        return lua.toString();
    }
}
