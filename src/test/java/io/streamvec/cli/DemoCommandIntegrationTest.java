package io.streamvec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandIntegrationTest {

    @Test
    void demoPrintsTokensForEverySampleAndExitsZero() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));

        int code = cli.execute("demo", "--exit-when-done");

        assertEquals(0, code, err.toString());
        for (String id : DemoCommand.SAMPLE_TEXTS.keySet()) {
            assertTrue(out.toString().contains(id + ": \"" + DemoCommand.SAMPLE_TEXTS.get(id) + "\""),
                    "tokens of sample " + id + " printed:\n" + out);
        }
        assertTrue(Pattern.compile("(?m)^\\s+7592\\s+hello$").matcher(out.toString()).find(), out.toString());
        assertTrue(Pattern.compile("(?m)^explorer \\(open in a browser\\) at http://127\\.0\\.0\\.1:\\d+/$")
                .matcher(out.toString()).find(), "the page's URL printed:\n" + out);

        // The song part: songs like one song of each of three genres, which share its planted genre.
        java.util.regex.Matcher block = Pattern.compile("(?m)^songs like .*\\((\\w+)-0, .*\\):\\n((?:\\s+-?[0-9.]+\\s+\\S+ .*\\n)+)")
                .matcher(out.toString());
        int blocks = 0;
        while (block.find()) {
            blocks++;
            String genre = block.group(1);
            long same = block.group(2).lines().filter(line -> line.trim().split("\\s+")[1].startsWith(genre + "-")).count();
            assertTrue(same >= 4, "most songs like " + genre + "-0 are " + genre + ":\n" + block.group(2));
            assertTrue(block.group(2).contains(" Tune #"), "with titles");
        }
        assertEquals(3, blocks, out.toString());

        // The text search: the paraphrase finds the sample text it paraphrases first.
        java.util.regex.Matcher search = Pattern.compile("(?m)^texts like \"(.*)\" \\(GET /texts/search\\?.*\\):\n"
                + "\\s+(-?[0-9.]+)\\s+(\\S+)\\s+(.*)$").matcher(out.toString());
        assertTrue(search.find(), "the demo ends with a text search:\n" + out);
        assertEquals(DemoCommand.PARAPHRASE, search.group(1));
        assertEquals("kafka", search.group(3), "the paraphrased sample comes first:\n" + out);
        assertEquals(DemoCommand.SAMPLE_TEXTS.get("kafka"), search.group(4));
    }

    /** {@code --playlists} and {@code --songs}: a yes_complete file of two planted genres instead of synthetic playlists. */
    @Test
    void demoStreamsAYesCompleteFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        StringBuilder playlists = new StringBuilder("#ids\n#counts\n");
        java.util.Random random = new java.util.Random(3);
        for (int p = 0; p < 400; p++) {
            int genre = p % 2;
            for (int i = 0; i < 12; i++) {
                playlists.append(genre * 20 + random.nextInt(20)).append(' ');
            }
            playlists.append('\n');
        }
        StringBuilder songs = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            songs.append(i).append(" \tSong ").append(i).append('\t').append(i < 20 ? "Band A" : "Band B").append('\n');
        }
        java.nio.file.Path train = java.nio.file.Files.writeString(dir.resolve("train.txt"), playlists);
        java.nio.file.Path hash = java.nio.file.Files.writeString(dir.resolve("song_hash.txt"), songs);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));

        int code = cli.execute("demo", "--exit-when-done", "--playlists", train.toString(), "--songs", hash.toString());

        assertEquals(0, code, err.toString() + out);
        assertTrue(out.toString().contains("song2vec: 400 playlists of " + train), out.toString());
        java.util.regex.Matcher block = Pattern.compile("(?m)^songs like Song \\d+ - (Band \\w) \\(\\d+\\):\\n((?:\\s+-?[0-9.]+\\s+\\S+ .*\\n)+)")
                .matcher(out.toString());
        assertTrue(block.find(), out.toString());
        long same = block.group(2).lines().filter(line -> line.endsWith(block.group(1))).count();
        assertTrue(same >= 4, "songs like a song of " + block.group(1) + ":\n" + block.group(2));
    }

    @Test
    void playlistsWithoutSongsIsAClearError() {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        assertEquals(2, cli.execute("demo", "--playlists", "train.txt"));
        assertTrue(err.toString().contains("--playlists and --songs go together"), err.toString());
    }
}
