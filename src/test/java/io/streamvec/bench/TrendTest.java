package io.streamvec.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TrendTest {

    @Test
    void aLineIsFittedExactlyAndItsSlopeIsPerHour() {
        double[] seconds = {0, 30, 60, 90, 120};
        double[] values = new double[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            values[i] = 200 + 0.5 * seconds[i]; // 0.5 a second
        }
        Trend trend = Trend.fit(seconds, values);
        assertEquals(1800, trend.slopePerHour(), 1e-9);
        assertEquals(200, trend.intercept(), 1e-9);
        assertEquals(5, trend.points());
    }

    @Test
    void noiseAroundAFlatLineGivesASlopeNearZeroAndNaNsAreLeftOut() {
        Random random = new Random(3);
        int n = 120; // one hour of 30 s intervals
        double[] seconds = new double[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            seconds[i] = 30.0 * (i + 1);
            values[i] = i % 10 == 0 ? Double.NaN : 300 + 20 * random.nextGaussian();
        }
        Trend trend = Trend.fit(seconds, values);
        assertEquals(108, trend.points());
        assertTrue(Math.abs(trend.slopePerHour()) < 25, "a flat series with noise: " + trend);
        assertEquals(300, trend.intercept(), 15);
    }

    @Test
    void fewerThanTwoTimesHaveNoSlope() {
        assertTrue(Double.isNaN(Trend.fit(new double[] {5}, new double[] {1}).slopePerHour()));
        assertTrue(Double.isNaN(Trend.fit(new double[] {5, 5}, new double[] {1, 2}).slopePerHour()));
        assertTrue(Double.isNaN(Trend.fit(new double[0], new double[0]).intercept()));
        assertThrows(IllegalArgumentException.class, () -> Trend.fit(new double[2], new double[3]));
    }
}
