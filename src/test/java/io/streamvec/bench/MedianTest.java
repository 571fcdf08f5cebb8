package io.streamvec.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MedianTest {

    @Test
    void theMiddleValueOrTheMeanOfTheMiddleTwo() {
        assertEquals(2.0, Median.of(3, 1, 2));
        assertEquals(2.5, Median.of(4, 1, 3, 2));
        assertEquals(7.0, Median.of(7));
    }

    @Test
    void theUpperMedianTakesTheGreaterOfTheMiddleTwo() {
        assertEquals(2.0, Median.upper(3, 1, 2));
        assertEquals(3.0, Median.upper(4, 1, 3, 2));
        assertEquals(9.0, Median.upper(5, 9));
    }

    @Test
    void leavesItsArgumentAloneAndRefusesNoValues() {
        double[] values = {3, 1, 2};
        Median.of(values);
        Median.upper(values);
        assertEquals(3.0, values[0]);
        assertThrows(IllegalArgumentException.class, Median::of);
        assertThrows(IllegalArgumentException.class, Median::upper);
    }
}
