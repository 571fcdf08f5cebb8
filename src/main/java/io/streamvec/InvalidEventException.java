package io.streamvec;

/**
 * An event that streamvec cannot process as it is (empty text, a playlist without songs, ...). The
 * processing exception handler sends the source record to the dead-letter queue with this message as
 * the reason, and processing continues.
 */
public class InvalidEventException extends RuntimeException {

    public InvalidEventException(String message) {
        super(message);
    }
}
