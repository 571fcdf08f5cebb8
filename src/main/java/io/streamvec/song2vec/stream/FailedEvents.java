package io.streamvec.song2vec.stream;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Playlist events whose processing failed after they had begun to change the song model (counts, vocabulary,
 * vectors, the playlist's context). Such an event is never dead-lettered with its change left behind:
 * {@link Song2vecProcessor} throws {@link ModelChangedException}, the processing exception handler fails the
 * task, and exactly-once aborts its transaction, so the task restarts from its last commit with the change
 * undone. A transient fault is then over and the event trains. So that an event that fails every time cannot
 * fail the task for ever, its failures are remembered here by topic, partition and offset: after
 * {@value #FAILURES_BEFORE_REFUSAL} of them, the next time the same event comes it is refused before it changes
 * anything ({@link RepeatedFailureException}) and goes to the dead-letter queue.
 *
 * <p>One instance per Kafka Streams instance, shared by the processors of every task and thread (a failed
 * thread's tasks are rebuilt by new processors); bounded, the oldest entries forgotten first. Thread-safe.
 */
public final class FailedEvents {

    /** Failures after changing the model before an event is refused: one retry. */
    public static final int FAILURES_BEFORE_REFUSAL = 2;
    private static final int MAX_ENTRIES = 10_000;

    private record Failures(int count, RuntimeException first) {}

    private final Map<String, Failures> failures = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    /** Remembers that the event at {@code where} failed with {@code failure} after changing the model. */
    synchronized void remember(String where, RuntimeException failure) {
        Failures before = failures.get(where);
        failures.put(where, before == null ? new Failures(1, failure) : new Failures(before.count() + 1, before.first()));
    }

    /**
     * The first failure of the event at {@code where} when it has failed {@value #FAILURES_BEFORE_REFUSAL} times
     * and must be refused (forgotten then); null when it may be processed.
     */
    synchronized RuntimeException refusal(String where) {
        Failures before = failures.get(where);
        if (before == null || before.count() < FAILURES_BEFORE_REFUSAL) {
            return null;
        }
        failures.remove(where);
        return before.first();
    }

    /** The event at {@code where} was processed: its earlier failures, if any, are forgotten. */
    synchronized void succeeded(String where) {
        if (!failures.isEmpty()) {
            failures.remove(where);
        }
    }

    synchronized int size() {
        return failures.size();
    }

    /** Processing failed after the event changed the model: the task must fail so that the change is undone. */
    public static final class ModelChangedException extends RuntimeException {
        ModelChangedException(String where, RuntimeException cause) {
            super("processing playlist event " + where + " failed after it had changed the song model: failing "
                    + "the task, so that exactly-once undoes the change (the event is retried once, then "
                    + "dead-lettered): " + cause, cause);
        }
    }

    /** The event failed twice after changing the model; refused this time before it changes anything. */
    public static final class RepeatedFailureException extends RuntimeException {
        RepeatedFailureException(String where, RuntimeException first) {
            super("playlist event " + where + " failed " + FAILURES_BEFORE_REFUSAL + " times after it had changed "
                    + "the song model, and the task restarted from its last commit without the change each time; "
                    + "dead-lettered untrained. The first failure: " + first, first);
        }
    }
}
