package io.streamvec.bench;

/**
 * The least-squares line through points, as a soak reads its series: the slope per hour says whether lag or heap
 * grows, whatever the noise around it.
 *
 * @param slopePerHour the fitted change per hour (NaN with fewer than two distinct times)
 * @param intercept    the fitted value at time 0
 * @param points       how many points were fitted (NaN values are left out)
 */
public record Trend(double slopePerHour, double intercept, int points) {

    /** The line through ({@code seconds[i]}, {@code values[i]}), leaving out pairs where either is NaN. */
    public static Trend fit(double[] seconds, double[] values) {
        if (seconds.length != values.length) {
            throw new IllegalArgumentException("seconds and values differ in length: " + seconds.length + " vs "
                    + values.length);
        }
        int n = 0;
        double meanX = 0;
        double meanY = 0;
        for (int i = 0; i < seconds.length; i++) {
            if (!Double.isNaN(seconds[i]) && !Double.isNaN(values[i])) {
                n++;
                meanX += (seconds[i] - meanX) / n;
                meanY += (values[i] - meanY) / n;
            }
        }
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < seconds.length; i++) {
            if (!Double.isNaN(seconds[i]) && !Double.isNaN(values[i])) {
                double dx = seconds[i] - meanX;
                sxx += dx * dx;
                sxy += dx * (values[i] - meanY);
            }
        }
        if (n < 2 || sxx == 0) {
            return new Trend(Double.NaN, n == 0 ? Double.NaN : meanY, n);
        }
        double perSecond = sxy / sxx;
        return new Trend(perSecond * 3600, meanY - perSecond * meanX, n);
    }
}
