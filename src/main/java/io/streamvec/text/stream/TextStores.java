package io.streamvec.text.stream;

/**
 * The names of the text path's state stores. Kafka Streams names a store's changelog topic
 * {@code <application.id>-<store>-changelog}: renaming a store loses what it holds.
 */
public final class TextStores {

    /** Texts waiting for their embedding ({@link EmbedProcessor#STORE}). */
    public static final String EMBEDDING_BUFFER = EmbedProcessor.STORE;

    /** Each buffered text's text (first 1,000 characters), for the text index ({@link EmbedProcessor#TEXTS_STORE}). */
    public static final String EMBEDDING_BUFFER_TEXTS = EmbedProcessor.TEXTS_STORE;

    /**
     * What each text-events task has embedded, keyed by source id ({@link TextIndexStore}, written by
     * {@code index-text}); changelog topic {@code <application.id>-text-index-changelog}, compacted.
     */
    public static final String TEXT_INDEX = "text-index";

    private TextStores() {}
}
