package io.streamvec.song2vec.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.fuzz.Fuzz;
import io.streamvec.fuzz.Fuzzer;
import io.streamvec.fuzz.Mutations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the dataset files {@code train} reads (the yes_complete playlists and song_hash files): a file is read
 * or rejected with an {@link IOException} naming the file and line; never an undocumented exception. A reader
 * of another file format is one more entry in {@link #targets()}. See docs/architecture.md, "Fuzz tests".
 */
class DatasetFilesFuzzTest {

    @TempDir
    Path directory;

    /** A reader of one file format, valid files to mutate, and what every value it returns must satisfy. */
    record Target(String name, FileReader read, List<byte[]> seeds) {}

    interface FileReader {
        /** Reads the file; returns what was read as a collection to check. */
        Collection<?> read(Path file) throws IOException;
    }

    private static List<byte[]> utf8(String... files) {
        return List.of(files).stream().map(f -> f.getBytes(StandardCharsets.UTF_8)).toList();
    }

    static List<Target> targets() {
        return List.of(
                new Target("yes_complete playlists", file -> {
                    List<List<String>> playlists = PlaylistFile.readPlaylists(file);
                    for (List<String> playlist : playlists) {
                        assertFalse(playlist.isEmpty(), "an empty playlist");
                        playlist.forEach(id -> assertTrue(!id.isEmpty() && id.length() <= 12, "song index " + id));
                    }
                    return playlists;
                }, utf8("ext-1 ext-2 ext-3\n5 3 9\n0 1 2\n\n2 1 \n", "a\nb\n", "\n\n0\r\n1 1 1 1\n")),
                new Target("song_hash", file -> {
                    List<io.streamvec.avro.Song> songs = PlaylistFile.readSongs(file);
                    songs.forEach(song -> assertFalse(song.getId().isEmpty(), "a song without an id"));
                    return songs;
                }, utf8("0 \tRoundabout\tYes\n1 \tHeart of the Sunrise\tYes\n", "7\t\t\n\n12\tA\tB\tC\n")),
                new Target("word2vec vectors", file -> {
                    Word2vecFile.Vectors vectors = Word2vecFile.read(file);
                    assertTrue(vectors.dim() >= 1, "dimension " + vectors.dim());
                    assertTrue(vectors.values().length == vectors.ids().size() * vectors.dim(), "values per song");
                    for (float v : vectors.values()) {
                        assertTrue(Float.isFinite(v), "a value that is not finite: " + v);
                    }
                    return vectors.ids();
                }, List.of("2 3\na 0.1 -0.2 3e-1\nb 1 2 3\n".getBytes(StandardCharsets.UTF_8),
                        "1 2\n\u00e9t\u00e9 0.5 0.25\n".getBytes(StandardCharsets.UTF_8),
                        binaryWord2vec())));
    }

    /** A binary word2vec file of two songs in two dimensions (gensim's layout: id, space, little-endian floats). */
    private static byte[] binaryWord2vec() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes("2 2\n".getBytes(StandardCharsets.US_ASCII));
        for (String id : List.of("a", "b")) {
            out.writeBytes((id + " ").getBytes(StandardCharsets.US_ASCII));
            java.nio.ByteBuffer floats = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            floats.putFloat(0.5f).putFloat(-1.25f);
            out.writeBytes(floats.array());
            out.write('\n');
        }
        return out.toByteArray();
    }

    @Test
    void mutatedFilesAreReadOrRejected() {
        Path file = directory.resolve("dataset.txt");
        for (Target target : targets()) {
            Fuzzer.bytes(target.name(), 1_500, random -> Mutations.mutate(random, target.seeds()), bytes ->
                    Fuzz.valueOrDocumentedError(target.name(), bytes, () -> {
                        Files.write(file, bytes);
                        return target.read().read(file);
                    }, IOException.class));
        }
    }
}
