package io.streamvec.song2vec.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlaylistFileTest {

    @TempDir
    Path directory;

    private List<List<String>> read(String content) throws IOException {
        Path file = directory.resolve("train.txt");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return PlaylistFile.readPlaylists(file);
    }

    @Test
    void readsPlaylistsAfterTheTwoHeaderLinesWhateverTheLineEnds() throws IOException {
        assertEquals(List.of(List.of("0", "1", "2"), List.of("2", "1"), List.of("5")),
                read("ext-1 ext-2 ext-3\n5 3 9\n0 1 2\n\n2\t1 \r\n5\r"));
        assertEquals(List.of(List.of("3")), read("a\rb\r\n3"));
        assertEquals(List.of(), read("a\nb\n"));
    }

    @Test
    void oneStringPerSongAndIndicesAreTheirText() throws IOException {
        List<List<String>> playlists = read("h\nh\n7 12 007 7\n12 9999999999 9999999999 1048576 1048576 0 00\n");
        assertEquals(List.of(List.of("7", "12", "007", "7"),
                List.of("12", "9999999999", "9999999999", "1048576", "1048576", "0", "00")), playlists);
        assertSame(playlists.get(0).get(0), playlists.get(0).get(3));
        assertSame(playlists.get(0).get(1), playlists.get(1).get(0));
        assertSame(playlists.get(1).get(1), playlists.get(1).get(2));
        assertSame(playlists.get(1).get(3), playlists.get(1).get(4));
        assertNotSame(playlists.get(0).get(0), playlists.get(0).get(2));
    }

    @Test
    void aTokenThatIsNoIndexIsAnErrorNamingItsLine() {
        IOException error = assertThrows(IOException.class, () -> read("h\nh\n1 2\n3 x4 5\n"));
        assertTrue(error.getMessage().contains("line 4: 'x4' is not a song index"), error.getMessage());
        error = assertThrows(IOException.class, () -> read("h\nh\n1234567890123\n"));
        assertTrue(error.getMessage().contains("line 3: '1234567890123'"), error.getMessage());
        error = assertThrows(IOException.class, () -> read("only one line\n"));
        assertTrue(error.getMessage().contains("no yes_complete header"), error.getMessage());
    }

    /**
     * Files of digits, white space (ASCII and not), line ends of every kind and the odd letter or non-ASCII digit
     * are read as a plain line-by-line reader (Java's lines, {@link Character#isWhitespace} between songs,
     * {@link Character#isDigit} in them) reads them: the same playlists or the same error.
     */
    @Test
    void readsWhatALineByLineReaderReads() throws IOException {
        String[] pieces = {"0", "1", "7", "42", "007", "123456", "1048577", "99999999", "1234567890123", " ", " ",
            "\t", "\n", "\n", "\r", "\r\n", "\u000b", "\u001c", "\u3000", "\u00a0", "\u0663", "x", "\u00e9"};
        Random random = new Random(7);
        int errors = 0;
        for (int round = 0; round < 400; round++) {
            StringBuilder file = new StringBuilder("h1 h2\n3 4\n");
            int length = random.nextInt(60);
            boolean plain = round % 2 == 0; // half of the files digits and ASCII white space only
            for (int i = 0; i < length; i++) {
                String piece = pieces[random.nextInt(plain ? 16 : pieces.length)];
                file.append(piece);
                if (Character.isDigit(piece.charAt(0)) || Character.isLetter(piece.charAt(0))) {
                    file.append(' ');
                }
            }
            String content = file.toString();
            Object expected;
            try {
                expected = reference(content);
            } catch (IOException e) {
                expected = where(e);
            }
            Object actual;
            try {
                actual = read(content);
            } catch (IOException e) {
                actual = where(e);
                errors++;
            }
            assertEquals(expected, actual, () -> "file " + content.replace("\r", "\\r").replace("\n", "\\n"));
        }
        assertTrue(errors > 20 && errors < 380, errors + " of 400 files rejected");
    }

    /** "line N: 'TOKEN'" of a rejected file's error. */
    private static String where(IOException e) {
        return e.getMessage().replaceAll("(?s)^.* (line \\d+: '.*?') is not a song index.*$", "$1");
    }

    /** The playlists as a line-by-line reader sees them. */
    private static List<List<String>> reference(String content) throws IOException {
        List<List<String>> playlists = new ArrayList<>();
        BufferedReader reader = new BufferedReader(new StringReader(content));
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
            if (++number <= 2) {
                continue;
            }
            List<String> songs = new ArrayList<>();
            for (String token : line.split("\\p{javaWhitespace}+")) {
                if (token.isEmpty()) {
                    continue;
                }
                if (token.length() > 12 || !token.chars().allMatch(Character::isDigit)) {
                    throw new IOException("x line " + number + ": '" + token + "' is not a song index");
                }
                songs.add(token);
            }
            if (!songs.isEmpty()) {
                playlists.add(songs);
            }
        }
        return playlists;
    }
}
