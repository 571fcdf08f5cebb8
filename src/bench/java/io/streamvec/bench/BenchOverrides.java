package io.streamvec.bench;

import java.util.Map;

/** Settings a benchmark run takes from the command line as {@code -Dstreamvec.bench.<key>=value}. */
final class BenchOverrides {

    private static final String PREFIX = "streamvec.bench.";

    private BenchOverrides() {}

    /** Puts every {@code -Dstreamvec.bench.<key>=value} into {@code properties} as {@code <key>=value}. */
    static void apply(Map<String, Object> properties) {
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(PREFIX))
                .forEach(k -> properties.put(k.substring(PREFIX.length()), System.getProperty(k)));
    }
}
