package io.streamvec.text.model;

/**
 * The tokens of one text: ids, pieces, and each piece's character span [start, end) in the text
 * (special tokens have the empty span [0, 0)). {@code truncated} is true when the text had more tokens
 * than the tokenizer's maximum length. {@code special} marks the tokens the tokenizer added around the text
 * ({@code [CLS]}, {@code [SEP]}); a special token written in the text itself is only known as special from the
 * {@link Vocabulary}.
 */
public record Tokens(long[] ids, String[] pieces, int[] starts, int[] ends, boolean truncated, boolean[] special) {

    public int size() {
        return ids.length;
    }
}
