package io.streamvec.kafka;

/** The names of streamvec's topics; their settings live in the catalog {@code topology/topics.yaml}. */
public final class Topics {

    public static final String TEXT_EVENTS = "text-events";
    public static final String TEXT_TOKENS = "text-tokens";
    public static final String DLQ = "streamvec-dlq";

    private Topics() {}
}
