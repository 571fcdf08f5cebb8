package io.streamvec.bench;

import java.util.Arrays;

/** The medians the benchmarks report. */
public final class Median {

    private Median() {}

    /** The median of {@code values}: the middle one, or the mean of the middle two for an even count. */
    public static double of(double... values) {
        double[] sorted = sorted(values);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** The upper median: the middle value, or the greater of the middle two for an even count. */
    public static double upper(double... values) {
        double[] sorted = sorted(values);
        return sorted[sorted.length / 2];
    }

    private static double[] sorted(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted;
    }
}
