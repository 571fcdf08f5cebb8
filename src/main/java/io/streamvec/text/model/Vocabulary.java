package io.streamvec.text.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.BitSet;
import java.util.Iterator;

/**
 * The token ids a {@code tokenizer.json} defines: its model's vocabulary (a map of piece to id for BPE,
 * WordPiece and WordLevel, a list for Unigram) and its added tokens, some of them special ({@code [CLS]},
 * {@code <|endoftext|>}). The native tokenizer does not expose them, and decodes an unknown id to nothing
 * without a word, so they are read from the file.
 */
public final class Vocabulary {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BitSet ids;
    private final BitSet special;

    private Vocabulary(BitSet ids, BitSet special) {
        this.ids = ids;
        this.special = special;
    }

    /** Reads the ids of a {@code tokenizer.json}. */
    public static Vocabulary read(InputStream tokenizerJson) throws IOException {
        JsonNode root = JSON.readTree(tokenizerJson);
        BitSet ids = new BitSet();
        BitSet special = new BitSet();
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            for (Iterator<JsonNode> values = vocab.elements(); values.hasNext(); ) {
                JsonNode id = values.next();
                if (id.canConvertToInt() && id.asInt() >= 0) {
                    ids.set(id.asInt());
                }
            }
        } else if (vocab.isArray()) { // Unigram: [[piece, score], ...], the id is the index
            ids.set(0, vocab.size());
        }
        for (JsonNode added : root.path("added_tokens")) {
            JsonNode id = added.get("id");
            if (id != null && id.canConvertToInt() && id.asInt() >= 0) {
                ids.set(id.asInt());
                if (added.path("special").asBoolean(false)) {
                    special.set(id.asInt());
                }
            }
        }
        if (ids.isEmpty()) {
            throw new IOException("no vocabulary (model.vocab) and no added tokens");
        }
        return new Vocabulary(ids, special);
    }

    /** Distinct ids, added tokens included (Hugging Face's {@code get_vocab_size(with_added_tokens=True)}). */
    public int size() {
        return ids.cardinality();
    }

    public boolean contains(long id) {
        return id >= 0 && id < Integer.MAX_VALUE && ids.get((int) id);
    }

    /** An added token marked special ({@code [CLS]}, {@code [SEP]}, {@code <|endoftext|>}...). */
    public boolean isSpecial(long id) {
        return id >= 0 && id < Integer.MAX_VALUE && special.get((int) id);
    }

    /** The highest id. */
    public int maxId() {
        return ids.length() - 1;
    }
}
