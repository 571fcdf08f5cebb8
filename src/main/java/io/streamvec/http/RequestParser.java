package io.streamvec.http;

import io.streamvec.song2vec.stream.PreparePlaylistProcessor;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a request line (method, raw path, raw query) into a {@link Route}, or an {@link HttpError}: 404
 * for an unknown path, 405 for a method other than GET or HEAD on a known one, 400 for a bad id, a bad or
 * repeated k, or any other query parameter (the vector route takes none). Pure: no I/O, no state.
 */
public final class RequestParser {

    public static final int DEFAULT_K = 10;
    public static final int MAX_K = 1000;
    public static final int MAX_ID_LENGTH = 256;
    /** The methods every endpoint answers (the Allow header of a 405): the endpoints are read-only. */
    public static final String ALLOW = "GET, HEAD";

    private RequestParser() {}

    public static Route parse(String method, String rawPath, String rawQuery) {
        // A path without its leading slash ("songs/1/vector") is no resource: the forwarder, which puts the raw
        // path after host:port, would send it to another path.
        List<String> segments = rawPath == null || !rawPath.startsWith("/") ? List.of() : segments(rawPath);
        Route.Kind kind = match(segments);
        if (kind == null) {
            throw HttpError.notFound("no such resource: use GET /songs/{id}/similar, GET /songs/{id}/vector or "
                    + "GET /playlists/{id}/next");
        }
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            throw HttpError.methodNotAllowed(method, ALLOW);
        }
        String what = kind == Route.Kind.PLAYLIST_NEXT ? "playlist id" : "song id";
        String id = validId(PercentDecoder.decode(segments.get(1), what), what);
        if (kind == Route.Kind.SONG_VECTOR) {
            if (rawQuery != null && !rawQuery.isEmpty()) {
                throw HttpError.badRequest("GET /songs/{id}/vector takes no query parameters");
            }
            return new Route(kind, id, 0);
        }
        return new Route(kind, id, k(rawQuery));
    }

    /** The segments between the slashes of a path that starts with one (still percent-encoded). */
    static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        int from = 1;
        while (true) {
            int slash = rawPath.indexOf('/', from);
            if (slash < 0) {
                out.add(rawPath.substring(from));
                return out;
            }
            out.add(rawPath.substring(from, slash));
            from = slash + 1;
        }
    }

    private static Route.Kind match(List<String> segments) {
        if (segments.size() != 3) {
            return null;
        }
        if (segments.get(0).equals("songs") && segments.get(2).equals("similar")) {
            return Route.Kind.SIMILAR_SONGS;
        }
        if (segments.get(0).equals("songs") && segments.get(2).equals("vector")) {
            return Route.Kind.SONG_VECTOR;
        }
        if (segments.get(0).equals("playlists") && segments.get(2).equals("next")) {
            return Route.Kind.PLAYLIST_NEXT;
        }
        return null;
    }

    /**
     * {@code id} when it is 1 to 256 characters without whitespace or control characters (the rule the song
     * path applies to the ids it stores, {@link PreparePlaylistProcessor#validSongId}); else 400.
     */
    static String validId(String id, String what) {
        if (id.isEmpty()) {
            throw HttpError.badRequest(what + " is empty");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw HttpError.badRequest(what + " is longer than " + MAX_ID_LENGTH + " characters");
        }
        if (!PreparePlaylistProcessor.validSongId(id, MAX_ID_LENGTH)) {
            boolean control = id.chars().anyMatch(Character::isISOControl);
            throw HttpError.badRequest(what + (control ? " contains a control character" : " contains whitespace"));
        }
        return id;
    }

    /**
     * The k query parameter: 10 when absent, else an integer in [1, 1000]; 400 otherwise, and 400 for any
     * other query parameter (so that a misspelt one is never silently ignored).
     */
    static int k(String rawQuery) {
        String value = null;
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&", -1)) {
                int eq = pair.indexOf('=');
                String name = PercentDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), "query parameter name");
                if (!name.equals("k")) {
                    // The name is not echoed: it is the client's own text, of any length.
                    throw HttpError.badRequest(name.isEmpty() ? "empty query parameter"
                            : "unknown query parameter; the only one is k");
                }
                if (value != null) {
                    throw HttpError.badRequest("k is given more than once");
                }
                value = eq < 0 ? "" : PercentDecoder.decode(pair.substring(eq + 1), "k");
            }
        }
        if (value == null) {
            return DEFAULT_K;
        }
        // ASCII digits only (parseInt would also take signs and other scripts' digits); 9 keep it in int range.
        boolean digits = !value.isEmpty() && value.length() <= 9 && value.chars().allMatch(c -> c >= '0' && c <= '9');
        int k = digits ? Integer.parseInt(value) : -1;
        if (k < 1 || k > MAX_K) {
            throw HttpError.badRequest("k must be an integer from 1 to " + MAX_K);
        }
        return k;
    }
}
