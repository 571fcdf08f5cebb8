package io.streamvec.fuzz;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.opentest4j.AssertionFailedError;

/**
 * The property every fuzz test checks: a parser given any input either returns a value or throws one of
 * its documented exception types, with a message; never an undocumented exception (a
 * NullPointerException, an index out of bounds, a negative array size), never an Error (an
 * OutOfMemoryError from a hostile length field, a StackOverflowError) and never a hang.
 *
 * <p>The parse runs on a worker thread so that a hang is reported with the input that caused it instead of
 * stalling the build. The limit is a hang detector, not a speed requirement: it is far above the time any
 * of these parsers needs for a few kilobytes, on any machine.
 */
public final class Fuzz {

    private static final long HANG_SECONDS = 60;

    private static ExecutorService worker = newWorker();

    private Fuzz() {}

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-target");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The value {@code parse} returns for {@code input}, or null when it throws an exception of one of the
     * {@code documented} types with a message; any other outcome fails the test, naming {@code target} and
     * printing the input so that it can be kept as a regression example.
     */
    @SafeVarargs
    public static <T> T valueOrDocumentedError(String target, Object input, Callable<T> parse,
                                               Class<? extends Exception>... documented) {
        Throwable thrown;
        Future<T> future = worker.submit(parse);
        try {
            return future.get(HANG_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            thrown = e.getCause();
        } catch (TimeoutException e) {
            future.cancel(true);
            worker.shutdownNow();
            worker = newWorker(); // the stuck thread is a daemon: it cannot keep the JVM alive
            throw new Hang(target + " did not return within " + HANG_SECONDS + " s (a loop that never ends?) on "
                    + describe(input));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted while " + target + " parsed " + describe(input));
        }
        for (Class<? extends Exception> type : documented) {
            if (type.isInstance(thrown)) {
                String message = thrown.getMessage();
                if (message == null || message.isBlank()) {
                    return fail(target + " threw a " + type.getSimpleName() + " without a message on "
                            + describe(input), thrown);
                }
                return null;
            }
        }
        return fail(target + " threw an undocumented " + thrown.getClass().getName() + " on " + describe(input),
                thrown);
    }

    /** A parse that did not return. */
    static final class Hang extends AssertionFailedError {
        Hang(String message) {
            super(message);
        }
    }

    /** Bytes as hex (a Java array literal is one search-and-replace away), strings as escaped Java literals. */
    public static String describe(Object input) {
        if (input instanceof byte[] bytes) {
            return bytes.length + " bytes, hex " + HexFormat.of().formatHex(bytes)
                    + " (as text: " + javaLiteral(new String(bytes, StandardCharsets.ISO_8859_1)) + ")";
        }
        if (input instanceof String s) {
            return javaLiteral(s);
        }
        return String.valueOf(input);
    }

    private static String javaLiteral(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.append('"').toString();
    }
}
