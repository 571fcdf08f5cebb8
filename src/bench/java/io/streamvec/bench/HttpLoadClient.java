package io.streamvec.bench;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * A closed-loop HTTP load on keep-alive connections: each connection sends its next request as soon as the
 * answer to the previous one has arrived, rotating through {@code paths}. Two implementations use the same
 * method: {@link WrkLoadClient} (wrk, when installed) and {@link JavaLoadClient}.
 */
public interface HttpLoadClient {

    /**
     * What one run measured. Latencies in milliseconds, from sending a request to the end of its answer; every
     * answer counts, errors are answers that are not 2xx plus failed connections, reads and writes.
     */
    record Result(long requests, long errors, double seconds, double meanMs, double p50Ms, double p99Ms,
                  double p999Ms, double maxMs) {

        public double requestsPerSecond() {
            return seconds > 0 ? requests / seconds : 0;
        }
    }

    /** Runs {@code connections} connections against {@code base} for {@code duration}. */
    Result run(URI base, List<String> paths, int connections, Duration duration) throws Exception;

    /** The client, as the report names it (e.g. "wrk 4.1.0"). */
    String describe();
}
