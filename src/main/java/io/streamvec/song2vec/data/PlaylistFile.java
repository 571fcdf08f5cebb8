package io.streamvec.song2vec.data;

import io.streamvec.avro.Song;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
        List<List<String>> playlists = new ArrayList<>();
        // One String per distinct song: a song's id is hashed once, and the playlists share the instances.
        java.util.Map<String, String> songs = new java.util.HashMap<>();
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
                int length = line.length();
                int i = 0;
                while (i < length) {
                    while (i < length && Character.isWhitespace(line.charAt(i))) {
                        i++;
                    }
                    int start = i;
                    while (i < length && !Character.isWhitespace(line.charAt(i))) {
                        i++;
                    }
                    if (i > start) {
                        String token = line.substring(start, i);
                        if (!isIndex(token)) {
                            throw new IOException(file + " line " + number + ": '" + abbreviate(token)
                                    + "' is not a song index (the yes_complete format has one playlist of song indices "
                                    + "per line after two header lines)");
                        }
                        String shared = songs.putIfAbsent(token, token);
                        tokens.add(shared == null ? token : shared);
                    }
                }
                if (!tokens.isEmpty()) {
                    playlists.add(List.copyOf(tokens));
                }
            }
            if (number < 2) {
                throw new IOException(file + " has no yes_complete header (song ids and counts lines)");
            }
        }
        return playlists;
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
        if (token.isEmpty() || token.length() > 12) {
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
