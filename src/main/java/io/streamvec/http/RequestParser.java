package io.streamvec.http;

import io.streamvec.song2vec.stream.PreparePlaylistProcessor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a request line (method, raw path, raw query) into a {@link Route}, or an {@link HttpError}: 404
 * for an unknown path, 405 for a method other than GET or HEAD on a known one, 400 for a bad id, a bad or
 * repeated parameter, or any parameter the route does not take (the vector route takes none). Lists of songs
 * are 1 to {@value #MAX_SONGS} ids separated by commas (a comma inside an id is sent as {@code %2C}), each
 * valid as a path id is. Pure: no I/O, no state.
 */
public final class RequestParser {

    public static final int DEFAULT_K = 10;
    public static final int MAX_K = 1000;
    public static final int MAX_ID_LENGTH = 256;
    /** The most songs a list query names, positives and negatives together. */
    public static final int MAX_SONGS = 100;
    public static final int DEFAULT_SEARCH_LIMIT = 20;
    public static final int DEFAULT_TOP_K = 50;
    public static final int MAX_QUERY_LENGTH = 256;
    /** The songs {@code GET /songs/map} places unless {@code limit} says otherwise, and the most it places. */
    public static final int DEFAULT_MAP_LIMIT = 5000;
    public static final int MAX_MAP_LIMIT = 20000;
    /** The methods every endpoint answers (the Allow header of a 405): the endpoints are read-only. */
    public static final String ALLOW = "GET, HEAD";

    private RequestParser() {}

    public static Route parse(String method, String rawPath, String rawQuery) {
        return parse(method, rawPath, rawQuery, false);
    }

    /**
     * As {@link #parse(String, String, String)}; {@code part}: another instance asks for this instance's part of a
     * text search ({@value TextRoutes#PART}), which takes {@code vector} and {@code exclude} instead of {@code q}.
     */
    public static Route parse(String method, String rawPath, String rawQuery, boolean part) {
        // A path without its leading slash ("songs/1/vector") is no resource: the forwarder, which puts the raw
        // path after host:port, would send it to another path.
        List<String> segments = rawPath == null || !rawPath.startsWith("/") ? List.of() : segments(rawPath);
        Route.Kind kind = match(segments);
        if (kind == null) {
            throw HttpError.notFound("no such resource: use GET /songs/{id}/similar, GET /songs/{id}/vector, "
                    + "GET /playlists/{id}/next, GET /songs/similar, GET /songs/next, GET /songs, GET /songs/top, "
                    + "GET /songs/map, GET /texts/search, GET /texts/{id}/similar, GET /texts/recent, GET /stats or POST /embed");
        }
        if (kind == Route.Kind.EMBED) {
            if (!"POST".equals(method)) {
                throw HttpError.methodNotAllowed(method, "POST");
            }
            if (rawQuery != null && !rawQuery.isEmpty()) {
                throw HttpError.badRequest("POST /embed takes no query parameters: send {\"texts\": [...]} as the body");
            }
            return new Route(kind, null, 0);
        }
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            throw HttpError.methodNotAllowed(method, ALLOW);
        }
        switch (kind) {
            case MOST_SIMILAR -> {
                Map<String, String> params = params(rawQuery, "GET /songs/similar", "positive", "negative", "k");
                List<String> negative = songs(params.get("negative"), "negative", false);
                if (params.get("positive") == null) {
                    throw HttpError.badRequest(negative.isEmpty() ? "positive is required: the songs to find "
                            + "similar songs to, separated by commas"
                            : "negative needs positive: the songs to move towards, as gensim's most_similar does");
                }
                List<String> positive = songs(params.get("positive"), "positive", true);
                if (positive.size() + negative.size() > MAX_SONGS) {
                    throw HttpError.badRequest("positive and negative name more than " + MAX_SONGS + " songs");
                }
                return new Route(kind, null, k(params.get("k"), DEFAULT_K), positive, negative, null);
            }
            case SONGS_NEXT -> {
                Map<String, String> params = params(rawQuery, "GET /songs/next", "songs", "k");
                if (params.get("songs") == null) {
                    throw HttpError.badRequest("songs is required: the songs to continue, oldest first, separated "
                            + "by commas");
                }
                return new Route(kind, null, k(params.get("k"), DEFAULT_K), songs(params.get("songs"), "songs", true),
                        List.of(), null);
            }
            case SONG_SEARCH -> {
                Map<String, String> params = params(rawQuery, "GET /songs", "query", "limit");
                return new Route(kind, null, bounded(params.get("limit"), DEFAULT_SEARCH_LIMIT, "limit"), List.of(),
                        List.of(), searchText(params.get("query")));
            }
            case TEXT_SEARCH -> {
                return TextRoutes.search(rawQuery, part);
            }
            case SIMILAR_TEXTS -> {
                String id = TextRoutes.textId(PercentDecoder.decode(segments.get(1), "text id"));
                return new Route(kind, id, k(rawQuery));
            }
            case TOP_SONGS -> {
                Map<String, String> params = params(rawQuery, "GET /songs/top", "k");
                return new Route(kind, null, k(params.get("k"), DEFAULT_TOP_K));
            }
            case SONG_MAP -> {
                Map<String, String> params = params(rawQuery, "GET /songs/map", "limit");
                return new Route(kind, null, bounded(params.get("limit"), DEFAULT_MAP_LIMIT, "limit", MAX_MAP_LIMIT));
            }
            case RECENT_TEXTS -> {
                Map<String, String> params = params(rawQuery, "GET /texts/recent", "k");
                return new Route(kind, null, k(params.get("k"), DEFAULT_K));
            }
            case STATS -> {
                if (rawQuery != null && !rawQuery.isEmpty()) {
                    throw HttpError.badRequest("GET /stats takes no query parameters");
                }
                return new Route(kind, null, 0);
            }
            default -> {
            }
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
        if (segments.size() == 1 && segments.get(0).equals("songs")) {
            return Route.Kind.SONG_SEARCH;
        }
        if (segments.size() == 1 && segments.get(0).equals("embed")) {
            return Route.Kind.EMBED;
        }
        if (segments.size() == 1 && segments.get(0).equals("stats")) {
            return Route.Kind.STATS;
        }
        if (segments.size() == 2 && segments.get(0).equals("texts") && segments.get(1).equals("search")) {
            return Route.Kind.TEXT_SEARCH;
        }
        if (segments.size() == 2 && segments.get(0).equals("texts") && segments.get(1).equals("recent")) {
            return Route.Kind.RECENT_TEXTS;
        }
        if (segments.size() == 2 && segments.get(0).equals("songs")) {
            return switch (segments.get(1)) {
                case "similar" -> Route.Kind.MOST_SIMILAR;
                case "next" -> Route.Kind.SONGS_NEXT;
                case "top" -> Route.Kind.TOP_SONGS;
                case "map" -> Route.Kind.SONG_MAP;
                default -> null;
            };
        }
        if (segments.size() != 3) {
            return null;
        }
        if (segments.get(0).equals("songs") && segments.get(2).equals("similar")) {
            return Route.Kind.SIMILAR_SONGS;
        }
        if (segments.get(0).equals("songs") && segments.get(2).equals("vector")) {
            return Route.Kind.SONG_VECTOR;
        }
        if (segments.get(0).equals("texts") && segments.get(2).equals("similar")) {
            return Route.Kind.SIMILAR_TEXTS;
        }
        if (segments.get(0).equals("playlists") && segments.get(2).equals("next")) {
            return Route.Kind.PLAYLIST_NEXT;
        }
        return null;
    }

    /**
     * The query parameters, still percent-encoded, by (decoded) name: each of {@code names} at most once, no other;
     * 400 otherwise. A parameter without '=' has the empty value.
     */
    static Map<String, String> params(String rawQuery, String route, String... names) {
        Map<String, String> values = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return values;
        }
        List<String> allowed = List.of(names);
        for (String pair : rawQuery.split("&", -1)) {
            int eq = pair.indexOf('=');
            String name = PercentDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), "query parameter name");
            if (!allowed.contains(name)) {
                // The name is not echoed: it is the client's own text, of any length.
                throw HttpError.badRequest(name.isEmpty() ? "empty query parameter"
                        : allowed.size() == 1 ? "unknown query parameter; the only one is " + names[0]
                        : "unknown query parameter; " + route + " takes " + String.join(", ",
                                allowed.subList(0, allowed.size() - 1)) + " and " + names[names.length - 1]);
            }
            if (values.put(name, eq < 0 ? "" : pair.substring(eq + 1)) != null) {
                throw HttpError.badRequest(name + " is given more than once");
            }
        }
        return values;
    }

    /**
     * A list of song ids separated by commas, each percent-decoded and valid as {@link #validId}; null (absent)
     * is the empty list unless {@code required}. 400 for an empty list or item, or more than {@value #MAX_SONGS}.
     */
    static List<String> songs(String raw, String name, boolean required) {
        if (raw == null && !required) {
            return List.of();
        }
        if (raw == null || raw.isEmpty()) {
            throw HttpError.badRequest(name + " is empty: name 1 to " + MAX_SONGS + " song ids, separated by commas");
        }
        String[] items = raw.split(",", -1);
        if (items.length > MAX_SONGS) {
            throw HttpError.badRequest(name + " names more than " + MAX_SONGS + " songs");
        }
        List<String> ids = new ArrayList<>(items.length);
        for (String item : items) {
            ids.add(validId(PercentDecoder.decode(item, name), "a song id of " + name));
        }
        return ids;
    }

    /** The search text: '+' is a space (form encoding); 1 to 256 characters with at least one letter or digit. */
    private static String searchText(String raw) {
        if (raw == null) {
            throw HttpError.badRequest("query is required: words of a song's title or artist");
        }
        String text = PercentDecoder.decode(raw.replace('+', ' '), "query").strip();
        if (text.length() > MAX_QUERY_LENGTH) {
            throw HttpError.badRequest("query is longer than " + MAX_QUERY_LENGTH + " characters");
        }
        if (SongSearch.words(text).isEmpty()) {
            throw HttpError.badRequest("query has no words: give words of a song's title or artist");
        }
        return text;
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
        return k(params(rawQuery, null, "k").get("k"), DEFAULT_K);
    }

    static int k(String raw, int absent) {
        return bounded(raw, absent, "k");
    }

    /** An integer parameter in [1, 1000]: {@code absent} when not given; 400 otherwise. */
    private static int bounded(String raw, int absent, String name) {
        return bounded(raw, absent, name, MAX_K);
    }

    /** An integer parameter in [1, max] (max below 10^9): {@code absent} when not given; 400 otherwise. */
    private static int bounded(String raw, int absent, String name, int max) {
        if (raw == null) {
            return absent;
        }
        String value = PercentDecoder.decode(raw, name);
        // ASCII digits only (parseInt would also take signs and other scripts' digits); 9 keep it in int range.
        boolean digits = !value.isEmpty() && value.length() <= 9 && value.chars().allMatch(c -> c >= '0' && c <= '9');
        int k = digits ? Integer.parseInt(value) : -1;
        if (k < 1 || k > max) {
            throw HttpError.badRequest(name + " must be an integer from 1 to " + max);
        }
        return k;
    }
}
