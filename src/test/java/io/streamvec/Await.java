package io.streamvec;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polling waits of the integration tests: a failure says what was awaited and the state things were in. */
public final class Await {

    private static final long POLL_MS = 100;

    private Await() {
    }

    public static void until(Duration wait, String what, BooleanSupplier condition) throws InterruptedException {
        until(wait, what, condition, () -> "", () -> null);
    }

    public static void until(Duration wait, String what, BooleanSupplier condition, Supplier<String> state)
            throws InterruptedException {
        until(wait, what, condition, state, () -> null);
    }

    /**
     * Waits until {@code condition} holds; fails after {@code wait}, or as soon as {@code stopped} answers why
     * waiting longer is pointless (for example a child JVM that exited; null while it is not).
     */
    public static void until(Duration wait, String what, BooleanSupplier condition, Supplier<String> state,
                             Supplier<String> stopped) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + wait + " waiting until " + what + "; " + state.get());
            }
            String why = stopped.get();
            if (why != null) {
                fail(why + " while waiting until " + what);
            }
            Thread.sleep(POLL_MS);
        }
    }
}
