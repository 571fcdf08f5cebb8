package io.streamvec.song2vec.data;

import io.streamvec.avro.Song;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Yes.com {@code yes_complete} playlist format: line 1 the dataset's external song ids, line 2
 * per-song counts, then one playlist per line of song indices separated by spaces. Songs are named by
 * their index, as gensim's book example does. {@code song_hash.txt} maps an index (with a trailing space)
 * to title and artist, tab-separated.
 */
public final class PlaylistFile {

    private PlaylistFile() {}

    /** The playlists of a train.txt-style file; empty lines are skipped; a non-integer token is an error. */
    public static List<List<String>> readPlaylists(Path file) throws IOException {
        if (Files.size(file) <= MAX_IN_MEMORY_BYTES) {
            List<List<String>> playlists = readAscii(file, Files.readAllBytes(file));
            if (playlists != null) {
                return playlists;
            }
        }
        return readLines(file);
    }

    /** Files up to this size are read at once and parsed as bytes. */
    private static final long MAX_IN_MEMORY_BYTES = 1L << 28;
    private static final int MAX_INDEX_DIGITS = 12;

    /**
     * The playlists of a file read into {@code bytes}, parsed without decoding it line by line (half the
     * time), or null when it is not all ASCII: {@link #readLines} then reads it with Java's idea of lines and
     * white space. Lines end as {@link BufferedReader#readLine} ends them, at \n, \r or \r\n.
     */
    private static List<List<String>> readAscii(Path file, byte[] bytes) throws IOException {
        List<List<String>> playlists = new ArrayList<>();
        SongIds songs = new SongIds();
        List<String> tokens = new ArrayList<>();
        int n = bytes.length;
        int number = 0;
        for (int i = 0; i < n; i++) { // i: a line's first byte
            number++;
            int end = lineEnd(bytes, i);
            if (end < 0) {
                return null;
            }
            if (number > 2) { // after the external ids and counts
                tokens.clear();
                parseLine(file, number, bytes, i, end, songs, tokens);
                if (!tokens.isEmpty()) {
                    playlists.add(List.copyOf(tokens));
                }
            }
            i = end < n - 1 && bytes[end] == '\r' && bytes[end + 1] == '\n' ? end + 1 : end;
        }
        if (number < 2) {
            throw noHeader(file);
        }
        return playlists;
    }

    /** Where the line from {@code from} ends (its \n or \r, or the file's end), or -1 at a byte beyond ASCII. */
    private static int lineEnd(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b == '\n' || b == '\r') {
                return i;
            }
            if (b < 0) {
                return -1;
            }
        }
        return bytes.length;
    }

    /** Adds the songs of the ASCII line {@code bytes[from, to)} to {@code tokens}. */
    private static void parseLine(Path file, int number, byte[] bytes, int from, int to, SongIds songs,
                                  List<String> tokens) throws IOException {
        int i = from;
        while (i < to) {
            if (isAsciiWhitespace(bytes[i])) {
                i++;
                continue;
            }
            int start = i;
            boolean digits = true;
            while (i < to && !isAsciiWhitespace(bytes[i])) {
                digits &= bytes[i] >= '0' && bytes[i] <= '9';
                i++;
            }
            if (!digits || i - start > MAX_INDEX_DIGITS) {
                throw notAnIndex(file, number, new String(bytes, start, i - start, StandardCharsets.US_ASCII));
            }
            tokens.add(songs.id(bytes, start, i));
        }
    }

    /** {@link Character#isWhitespace} of an ASCII character. */
    private static boolean isAsciiWhitespace(byte b) {
        return b == ' ' || (b >= 0x09 && b <= 0x0d) || (b >= 0x1c && b <= 0x1f);
    }

    /** The playlists of a file that is not all ASCII, line by line. */
    private static List<List<String>> readLines(Path file) throws IOException {
        List<List<String>> playlists = new ArrayList<>();
        SongIds songs = new SongIds();
        List<String> tokens = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (number <= 2) {
                    continue; // external ids and counts
                }
                tokens.clear();
                for (String token : WHITESPACE.split(line)) {
                    if (token.isEmpty()) {
                        continue;
                    }
                    if (!isIndex(token)) {
                        throw notAnIndex(file, number, token);
                    }
                    tokens.add(songs.id(token));
                }
                if (!tokens.isEmpty()) {
                    playlists.add(List.copyOf(tokens));
                }
            }
            if (number < 2) {
                throw noHeader(file);
            }
        }
        return playlists;
    }

    /** Runs of {@link Character#isWhitespace} characters. */
    private static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("\\p{javaWhitespace}+");

    private static IOException notAnIndex(Path file, int line, String token) {
        return new IOException(file + " line " + line + ": '" + abbreviate(token) + "' is not a song index (the "
                + "yes_complete format has one playlist of song indices per line after two header lines)");
    }

    private static IOException noHeader(Path file) {
        return new IOException(file + " has no yes_complete header (song ids and counts lines)");
    }

    /**
     * One String per distinct song, so that a song's id is made and hashed once and the playlists share the
     * instances: small indices written without leading zeros (all of yes_complete's) are found by their value,
     * any other index through a map of its text.
     */
    private static final class SongIds {
        private static final int BY_VALUE_LIMIT = 1 << 20;
        private String[] byValue = new String[1024];
        private final Map<String, String> byText = new HashMap<>();

        /** The id of the ASCII digits {@code bytes[start, end)}. */
        String id(byte[] bytes, int start, int end) {
            int length = end - start;
            if (length > 7 || (bytes[start] == '0' && length > 1)) {
                return id(new String(bytes, start, length, StandardCharsets.US_ASCII));
            }
            int value = 0;
            for (int i = start; i < end; i++) {
                value = value * 10 + (bytes[i] - '0');
            }
            if (value >= BY_VALUE_LIMIT) {
                return id(new String(bytes, start, length, StandardCharsets.US_ASCII));
            }
            if (value >= byValue.length) {
                byValue = Arrays.copyOf(byValue, Math.min(BY_VALUE_LIMIT, Math.max(2 * byValue.length, value + 1)));
            }
            String id = byValue[value];
            if (id == null) {
                id = new String(bytes, start, length, StandardCharsets.US_ASCII);
                byValue[value] = id;
            }
            return id;
        }

        String id(String token) {
            String shared = byText.putIfAbsent(token, token);
            return shared == null ? token : shared;
        }
    }

    /** Song metadata from a song_hash.txt-style file. */
    public static List<Song> readSongs(Path file) throws IOException {
        List<Song> songs = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.split("\t", -1);
                String index = fields[0].trim();
                if (fields.length < 3 || !isIndex(index)) {
                    throw new IOException(file + " line " + number + ": expected 'index<TAB>title<TAB>artist'");
                }
                songs.add(new Song(index, fields[1].trim(), fields[2].trim()));
            }
        }
        return songs;
    }

    private static boolean isIndex(String token) {
        if (token.isEmpty() || token.length() > MAX_INDEX_DIGITS) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            if (!Character.isDigit(token.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String token) {
        return token.length() > 40 ? token.substring(0, 40) + "..." : token;
    }
}
