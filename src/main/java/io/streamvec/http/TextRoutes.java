package io.streamvec.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The text routes' inputs: the parameters of {@code GET /texts/search}, text ids, the body of {@code POST /embed},
 * and query vectors as they travel between instances. Every bad input is an {@link HttpError} (400, or 413 for
 * too many texts) with a message for people. Pure: no I/O, no state.
 */
public final class TextRoutes {

    /**
     * Marks a request one instance sends another for that instance's part of a text search: answered from local
     * state only, as a {@link Responses.TextSearchPart}.
     */
    public static final String PART = "X-Streamvec-Search-Part";
    /** The longest search text, in UTF-8 bytes. */
    public static final int MAX_QUERY_BYTES = 4096;
    /** The most texts one {@code POST /embed} takes. */
    public static final int MAX_EMBED_TEXTS = 256;
    /** The longest vector a part request carries (floats). */
    public static final int MAX_VECTOR_DIM = 4096;

    private static final ObjectMapper JSON = new ObjectMapper();

    private TextRoutes() {}

    /** {@code GET /texts/search}: q (or, in a part, vector and exclude), k, since. */
    static Route search(String rawQuery, boolean part) {
        Map<String, String> params = part
                ? RequestParser.params(rawQuery, "GET /texts/search", "vector", "exclude", "k", "since")
                : RequestParser.params(rawQuery, "GET /texts/search", "q", "k", "since");
        int k = RequestParser.k(params.get("k"), RequestParser.DEFAULT_K);
        long since = since(params.get("since"));
        if (part) {
            if (params.get("vector") == null) {
                throw HttpError.badRequest("vector is required in a search part");
            }
            String exclude = params.get("exclude") == null ? null
                    : textId(PercentDecoder.decode(params.get("exclude"), "exclude"));
            return new Route(Route.Kind.TEXT_SEARCH, null, k, List.of(), List.of(), null, since,
                    decodeVector(PercentDecoder.decode(params.get("vector"), "vector")), exclude);
        }
        return new Route(Route.Kind.TEXT_SEARCH, null, k, List.of(), List.of(), queryText(params.get("q")), since,
                null, null);
    }

    /** The search text: '+' is a space (form encoding); not empty or blank, at most 4 KiB of UTF-8. */
    private static String queryText(String raw) {
        if (raw == null) {
            throw HttpError.badRequest("q is required: the text to find similar texts to");
        }
        String text = PercentDecoder.decode(raw.replace('+', ' '), "q");
        if (text.isBlank()) {
            throw HttpError.badRequest("q is empty: give the text to find similar texts to");
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_QUERY_BYTES) {
            throw HttpError.badRequest("q is longer than " + MAX_QUERY_BYTES + " bytes (UTF-8)");
        }
        return text;
    }

    /** since: absent (no bound), else epoch milliseconds, an integer from 0 to 10^15 (ASCII digits only). */
    static long since(String raw) {
        if (raw == null) {
            return Long.MIN_VALUE;
        }
        String value = PercentDecoder.decode(raw, "since");
        boolean digits = !value.isEmpty() && value.length() <= 16 && value.chars().allMatch(c -> c >= '0' && c <= '9');
        long since = digits ? Long.parseLong(value) : -1;
        if (since < 0 || since > 1_000_000_000_000_000L) {
            throw HttpError.badRequest("since must be epoch milliseconds: an integer from 0 to 10^15");
        }
        return since;
    }

    /** A text's source id: 1 to 256 characters without control characters (the rule prepare-text applies). */
    static String textId(String id) {
        if (id.isEmpty()) {
            throw HttpError.badRequest("text id is empty");
        }
        if (id.length() > RequestParser.MAX_ID_LENGTH) {
            throw HttpError.badRequest("text id is longer than " + RequestParser.MAX_ID_LENGTH + " characters");
        }
        if (id.chars().anyMatch(Character::isISOControl)) {
            throw HttpError.badRequest("text id contains a control character");
        }
        return id;
    }

    /**
     * The texts of a {@code POST /embed} body, {@code {"texts": ["...", ...]}}: 1 to {@value #MAX_EMBED_TEXTS}
     * strings, none empty; 400 for a body that is not that JSON (other fields, non-string texts), 413 for more texts.
     */
    public static List<String> embedTexts(byte[] body) {
        JsonNode root;
        try (JsonParser parser = JSON.getFactory().createParser(body)) {
            root = JSON.readTree(parser);
            if (root != null && parser.nextToken() != null) {
                throw HttpError.badRequest("the body has more after its JSON object");
            }
        } catch (JsonProcessingException e) {
            throw HttpError.badRequest("the body is not JSON: send {\"texts\": [\"...\", ...]}");
        } catch (java.io.IOException e) {
            throw HttpError.badRequest("the body could not be read as JSON");
        }
        if (root == null || !root.isObject()) {
            throw HttpError.badRequest("the body must be a JSON object: {\"texts\": [\"...\", ...]}");
        }
        Iterator<String> names = root.fieldNames();
        while (names.hasNext()) {
            if (!names.next().equals("texts")) {
                throw HttpError.badRequest("unknown field; the body takes only texts");
            }
        }
        JsonNode texts = root.get("texts");
        if (texts == null || !texts.isArray()) {
            throw HttpError.badRequest("texts is required: an array of strings");
        }
        if (texts.size() == 0) {
            throw HttpError.badRequest("texts is empty: give 1 to " + MAX_EMBED_TEXTS + " texts");
        }
        if (texts.size() > MAX_EMBED_TEXTS) {
            throw new HttpError(413, "texts has more than " + MAX_EMBED_TEXTS + " texts: send them in several requests");
        }
        List<String> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            JsonNode text = texts.get(i);
            if (!text.isTextual()) {
                throw HttpError.badRequest("texts[" + i + "] is not a string");
            }
            if (text.asText().isBlank()) {
                throw HttpError.badRequest("texts[" + i + "] is empty");
            }
            out.add(text.asText());
        }
        return out;
    }

    /** A vector as it travels between instances: base64url (no padding) of little-endian float32s. */
    public static String encodeVector(float[] vector) {
        ByteBuffer b = ByteBuffer.allocate(4 * vector.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : vector) {
            b.putFloat(x);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    /** The inverse of {@link #encodeVector}; 400 for what is not 1 to 4096 finite floats so encoded. */
    public static float[] decodeVector(String encoded) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("vector is not base64url");
        }
        if (bytes.length == 0 || bytes.length % 4 != 0 || bytes.length / 4 > MAX_VECTOR_DIM) {
            throw HttpError.badRequest("vector must be 1 to " + MAX_VECTOR_DIM + " float32s");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[bytes.length / 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getFloat();
            if (!Float.isFinite(v[i])) {
                throw HttpError.badRequest("vector has a value that is not a finite number");
            }
        }
        return v;
    }
}
