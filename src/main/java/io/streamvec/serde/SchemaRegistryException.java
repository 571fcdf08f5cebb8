package io.streamvec.serde;

/** A schema registry could not answer: the schema or id is unknown, or the registry refused the request. */
public class SchemaRegistryException extends RuntimeException {

    private final boolean transientFailure;

    public SchemaRegistryException(String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    public SchemaRegistryException(String message) {
        this(message, false, null);
    }

    /**
     * True when retrying later may succeed (registry unreachable, 5xx): the record is not at fault and
     * must not be dead-lettered.
     */
    public boolean isTransient() {
        return transientFailure;
    }
}
