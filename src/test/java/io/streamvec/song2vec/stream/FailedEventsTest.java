package io.streamvec.song2vec.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class FailedEventsTest {

    @Test
    void anEventIsRetriedOnceThenRefusedWithItsFirstFailure() {
        FailedEvents failed = new FailedEvents();
        RuntimeException first = new IllegalStateException("first");
        assertNull(failed.refusal("t-0@5"), "never failed");
        failed.remember("t-0@5", first);
        assertNull(failed.refusal("t-0@5"), "one failure: retried");
        failed.remember("t-0@5", new IllegalStateException("second"));
        assertSame(first, failed.refusal("t-0@5"), "two failures: refused, naming the first");
        assertNull(failed.refusal("t-0@5"), "forgotten once refused");
        assertEquals(0, failed.size());
    }

    @Test
    void anEventThatSucceedsOnItsRetryIsForgotten() {
        FailedEvents failed = new FailedEvents();
        failed.remember("t-0@5", new IllegalStateException("transient"));
        failed.succeeded("t-0@5");
        failed.remember("t-0@5", new IllegalStateException("again, much later"));
        assertNull(failed.refusal("t-0@5"), "a success resets the count");
    }

    @Test
    void theMemoryIsBounded() {
        FailedEvents failed = new FailedEvents();
        for (int offset = 0; offset < 20_000; offset++) {
            failed.remember("t-0@" + offset, new IllegalStateException("x"));
        }
        assertEquals(10_000, failed.size());
    }
}
