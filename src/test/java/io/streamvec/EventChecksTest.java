package io.streamvec;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EventChecksTest {

    private static final long NOW = 1_800_000_000_000L;

    @Test
    void timestampsFromZeroToADayAheadAreAccepted() {
        assertDoesNotThrow(() -> EventChecks.checkTimestamp(0, NOW));
        assertDoesNotThrow(() -> EventChecks.checkTimestamp(NOW, NOW));
        assertDoesNotThrow(() -> EventChecks.checkTimestamp(NOW + EventChecks.MAX_FUTURE.toMillis(), NOW));
        assertThrows(InvalidEventException.class, () -> EventChecks.checkTimestamp(-1, NOW));
        assertThrows(InvalidEventException.class,
                () -> EventChecks.checkTimestamp(NOW + EventChecks.MAX_FUTURE.toMillis() + 1, NOW));
        assertThrows(InvalidEventException.class, () -> EventChecks.checkTimestamp(Long.MAX_VALUE, NOW));
    }

    @Test
    void idsArePrintableWithoutWhitespaceAndBounded() {
        assertTrue(EventChecks.validId("song-42_ä♪", 256));
        assertTrue(EventChecks.validId("x".repeat(256), 256));
        assertFalse(EventChecks.validId("x".repeat(257), 256));
        assertFalse(EventChecks.validId("", 256));
        assertFalse(EventChecks.validId(null, 256));
        for (String bad : new String[] {"a b", "a\tb", "a\u0000b", "a\u007fb", "a\u00a0b", "a\u2028b", "\u3000"}) {
            assertFalse(EventChecks.validId(bad, 256), bad);
        }
    }
}
