package io.streamvec.text.model;

import java.util.Locale;

/**
 * How a {@link TextVectorIndex} holds and scans its vectors ({@code text.index.search}).
 *
 * <ul>
 *   <li>{@link #EXACT}: fp32 unit vectors, every row scored exactly (4 x dimension bytes a text).</li>
 *   <li>{@link #INT8}: one signed byte a dimension with one scale a vector (dimension + 4 bytes a text); the scan
 *       keeps the best {@link TextVectorIndex#RERANK_CANDIDATES} rows, which are re-scored exactly in fp32 from the
 *       index's {@link TextVectorIndex.ExactVectors} (the durable store), so the order and scores returned are
 *       fp32's whenever the true top k are among the candidates.</li>
 * </ul>
 */
public enum SearchMode {
    EXACT,
    INT8;

    /** The config value: {@code exact} or {@code int8}. */
    public String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SearchMode parse(String value) {
        for (SearchMode mode : values()) {
            if (mode.configValue().equals(value)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown text index search mode '" + value + "': exact or int8");
    }
}
