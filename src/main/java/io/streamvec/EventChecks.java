package io.streamvec;

import java.time.Duration;

/** Checks shared by both paths: event timestamps and identifiers that become record keys. */
public final class EventChecks {

    /** How far ahead of this instance's clock an event timestamp may be (producers' clocks drift). */
    public static final Duration MAX_FUTURE = Duration.ofDays(1);

    /** The longest id (text source id, playlist id, song id) streamvec accepts. */
    public static final int MAX_ID_LENGTH = 256;

    private EventChecks() {}

    /** Rejects negative timestamps and ones more than {@link #MAX_FUTURE} ahead of {@code nowMs}. */
    public static void checkTimestamp(long timestampMs, long nowMs) {
        if (timestampMs < 0) {
            throw new InvalidEventException("negative timestamp " + timestampMs);
        }
        if (timestampMs > nowMs + MAX_FUTURE.toMillis()) {
            throw new InvalidEventException("timestamp " + timestampMs + " is more than " + MAX_FUTURE.toHours()
                    + " h in the future (clock " + nowMs + ")");
        }
    }

    /**
     * True for a usable id: 1 to {@code maxLength} characters, none of them whitespace or control
     * characters (ids are record keys, log fields and URL path segments).
     */
    public static boolean validId(String id, int maxLength) {
        if (id == null || id.isEmpty() || id.length() > maxLength) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
                return false;
            }
        }
        return true;
    }
}
