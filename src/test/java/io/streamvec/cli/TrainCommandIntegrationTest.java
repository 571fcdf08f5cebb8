package io.streamvec.cli;

import io.streamvec.Cosine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.song2vec.data.SyntheticPlaylists;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code train} trains on a yes_complete file, in this process or through the real topology ({@code --via kafka}),
 * and exports word2vec text vectors.
 */
class TrainCommandIntegrationTest {

    /** A yes_complete file of synthetic playlists (3 genres of 30 songs). */
    private static Path syntheticFile(Path dir, int playlists) throws java.io.IOException {
        SyntheticPlaylists synthetic = new SyntheticPlaylists(3, 30, 5);
        StringBuilder file = new StringBuilder("# external ids\n# counts\n");
        for (int p = 0; p < playlists; p++) {
            StringBuilder line = new StringBuilder();
            for (String song : synthetic.next(5, 20)) {
                line.append(List.of("jazz", "metal", "folk").indexOf(SyntheticPlaylists.genreOf(song)) * 100
                        + Integer.parseInt(song.substring(song.indexOf('-') + 1))).append(' ');
            }
            file.append(line).append('\n');
        }
        return Files.writeString(dir.resolve("train-" + playlists + ".txt"), file.toString());
    }

    @Test
    void inThisProcessOneThreadTrainsExactlyTheModelTheTopologyTrains(@TempDir Path dir) throws Exception {
        Path playlists = syntheticFile(dir, 400);
        for (String mode : List.of("cbow", "skipgram")) {
            Path config = Files.writeString(dir.resolve(mode + ".properties"),
                    "song2vec.threads=1\nsong2vec.mode=" + mode + "\n");
            Path direct = dir.resolve(mode + "-direct.txt");
            Path kafka = dir.resolve(mode + "-kafka.txt");
            CliRun inProcess = CliRun.of("train", "--playlists", playlists.toString(), "--config", config.toString(),
                    "--export-vectors", direct.toString());
            assertEquals(0, inProcess.exitCode(), inProcess.err());
            CliRun streamed = CliRun.of("train", "--via", "kafka", "--playlists", playlists.toString(), "--config",
                    config.toString(), "--export-vectors", kafka.toString());
            assertEquals(0, streamed.exitCode(), streamed.err());
            List<String> directLines = Files.readAllLines(direct);
            assertEquals(91, directLines.size(), "90 songs and the header");
            List<String> kafkaLines = Files.readAllLines(kafka);
            int firstDifferent = 0;
            while (firstDifferent < directLines.size() && firstDifferent < kafkaLines.size()
                    && directLines.get(firstDifferent).equals(kafkaLines.get(firstDifferent))) {
                firstDifferent++;
            }
            assertEquals(kafkaLines.size(), firstDifferent, mode + ": the same vectors, bit for bit; line "
                    + (firstDifferent + 1) + " differs");
        }
    }

    @Test
    void inThisProcessTwoThreadsCountEverySongOnce(@TempDir Path dir) throws Exception {
        Path playlists = syntheticFile(dir, 2_000);
        Path config = Files.writeString(dir.resolve("two.properties"), "song2vec.threads=2\n");
        Path out = dir.resolve("two.txt");
        CliRun run = CliRun.of("train", "--playlists", playlists.toString(), "--config", config.toString(),
                "--export-vectors", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        long songs = Files.readAllLines(playlists).stream().skip(2).mapToLong(l -> l.trim().split(" +").length).sum();
        assertTrue(run.out().contains("trained " + songs + " songs"), run.out());
        var vectors = io.streamvec.song2vec.data.Word2vecFile.read(out);
        assertEquals(90, vectors.size());
        // The planted structure is learnt: a song's 5 nearest songs are mostly of its genre (a third by chance).
        int sameGenre = 0;
        for (int a = 0; a < vectors.size(); a++) {
            int song = a;
            List<Integer> nearest = java.util.stream.IntStream.range(0, vectors.size()).filter(b -> b != song).boxed()
                    .sorted(java.util.Comparator.comparingDouble(b -> -Cosine.of(vectors.values(), song * 32, vectors.values(), b * 32, 32)))
                    .limit(5).toList();
            for (int b : nearest) {
                if (Integer.parseInt(vectors.ids().get(a)) / 100 == Integer.parseInt(vectors.ids().get(b)) / 100) {
                    sameGenre++;
                }
            }
        }
        assertTrue(sameGenre / (5.0 * vectors.size()) > 0.8, "5-NN of the same genre: " + sameGenre / 450.0);
    }

    @Test
    void recommendationsNeedTheTopology(@TempDir Path dir) throws Exception {
        Path playlists = syntheticFile(dir, 10);
        CliRun run = CliRun.of("train", "--recommendations", "--playlists", playlists.toString(),
                "--export-vectors", dir.resolve("never.txt").toString());
        assertNotEquals(0, run.exitCode());
        assertTrue(run.err().contains("--recommendations needs --via kafka"), run.err());
        assertTrue(Files.notExists(dir.resolve("never.txt")));
    }


    @Test
    void trainsAndExportsAWord2vecTextFile(@TempDir Path dir) throws Exception {
        SyntheticPlaylists synthetic = new SyntheticPlaylists(3, 30, 1);
        StringBuilder file = new StringBuilder("# external ids\n# counts\n");
        Set<String> songs = new HashSet<>();
        Map<String, Integer> plays = new HashMap<>();
        for (int p = 0; p < 300; p++) {
            List<String> playlist = synthetic.next(5, 20);
            // yes_complete names songs by index: map "genre-n" to a number
            StringBuilder line = new StringBuilder();
            for (String song : playlist) {
                String index = Integer.toString(List.of("jazz", "metal", "folk").indexOf(SyntheticPlaylists.genreOf(song)) * 100
                        + Integer.parseInt(song.substring(song.indexOf('-') + 1)));
                songs.add(index);
                plays.merge(index, 1, Integer::sum);
                line.append(index).append(' ');
            }
            file.append(line).append('\n');
        }
        Path playlists = Files.writeString(dir.resolve("train.txt"), file.toString());
        StringBuilder titles = new StringBuilder();
        for (String song : songs) {
            titles.append(song).append(" \tTitle ").append(song).append("\tArtist ").append(song).append('\n');
        }
        Path hash = Files.writeString(dir.resolve("song_hash.txt"), titles);
        Path out = dir.resolve("vectors.txt");

        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(stdout));
        cli.setErr(new PrintWriter(stderr));
        int code = cli.execute("train", "--playlists", playlists.toString(), "--songs", hash.toString(),
                "--granularity", "song", "--export-vectors", out.toString());

        assertEquals(0, code, stderr.toString());
        assertTrue(stdout.toString().contains("songs/s"), stdout.toString());
        List<String> lines = Files.readAllLines(out);
        String[] header = lines.get(0).split(" ");
        assertEquals(songs.size(), Integer.parseInt(header[0]), "one vector per song");
        assertEquals(32, Integer.parseInt(header[1]));
        assertEquals(songs.size() + 1, lines.size());
        Set<String> exported = new HashSet<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(" ");
            assertEquals(33, fields.length, line);
            exported.add(fields[0]);
            for (int i = 1; i < fields.length; i++) {
                Float.parseFloat(fields[i]);
            }
        }
        assertEquals(songs, exported);
        int mostPlayed = plays.values().stream().max(Integer::compare).orElseThrow();
        assertEquals(mostPlayed, plays.get(lines.get(1).split(" ")[0]), "the most played song first, as gensim saves");

        // With --songs, the run ends with the similar songs of three of the most played (1st, 10th, 100th), titled.
        String[] printed = stdout.toString().split("\\R");
        int examples = 0;
        for (int i = 0; i < printed.length; i++) {
            if (printed[i].startsWith("songs like ")) {
                examples++;
                String song = printed[i].substring("songs like ".length()).split(" ")[0];
                assertTrue(printed[i].contains("Title " + song + " — Artist " + song)
                        && printed[i].contains(" most played, " + plays.get(song) + " times)"), printed[i]);
                for (int rank = 1; rank <= 5; rank++) {
                    String neighbor = printed[i + rank];
                    assertTrue(neighbor.matches("  " + (rank < 10 ? " " : "") + rank + "  \\S+ +-?[01]\\.\\d{4}  Title .+ — Artist .+"),
                            neighbor);
                }
            }
        }
        assertEquals(3, examples, stdout.toString());
        assertTrue(stdout.toString().contains("(the 1st most played, " + mostPlayed + " times)"), stdout.toString());
        assertEquals(90, songs.size());
        assertTrue(stdout.toString().contains("(the 90th most played, "), "fewer than 100 songs: the least played: "
                + stdout);
    }

    @Test
    void trainsOnFromAWarmStartFileAndRefusesABadOne(@TempDir Path dir) throws Exception {
        Path playlists = Files.writeString(dir.resolve("train.txt"), "ids\ncounts\n1 2 3 4 5\n5 4 3 2 1\n2 4 6 8\n");
        List<String> ids = List.of("4", "2", "9");
        float[] values = new float[3 * 32];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i % 7 - 3) * 0.01f;
        }
        Path init = dir.resolve("init.txt");
        io.streamvec.song2vec.data.Word2vecFile.write(init, ids, 32, values);
        Path out = dir.resolve("vectors.txt");
        CliRun run = CliRun.of("train", "--playlists", playlists.toString(), "--init-vectors", init.toString(),
                "--export-vectors", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        var exported = io.streamvec.song2vec.data.Word2vecFile.read(out);
        assertTrue(exported.ids().containsAll(List.of("1", "2", "3", "4", "5", "6", "8", "9")), exported.ids().toString());
        assertEquals("9", exported.ids().get(exported.size() - 1), "a song only in the file: its count from the file's order");

        Path bad = Files.writeString(dir.resolve("bad.txt"), "1 4\n4 0.1 0.2 0.3 0.4\n");
        CliRun refused = CliRun.of("train", "--playlists", playlists.toString(), "--init-vectors", bad.toString(),
                "--export-vectors", dir.resolve("never.txt").toString());
        assertNotEquals(0, refused.exitCode());
        assertEquals("streamvec train: song2vec.init.vectors: " + bad + " line 1: vectors of dimension 4, but "
                + "song2vec.dim is 32", refused.err().strip());
        assertTrue(Files.notExists(dir.resolve("never.txt")));
    }

    @Test
    void aMalformedPlaylistFileIsAClearError(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.txt"), "ids\ncounts\n1 2 3\n4 five 6\n");
        StringWriter stderr = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(stderr));
        int code = cli.execute("train", "--playlists", bad.toString(), "--export-vectors", dir.resolve("v").toString());
        assertNotEquals(0, code);
        assertTrue(stderr.toString().contains("line 4") && stderr.toString().contains("'five'"), stderr.toString());
    }

    @Test
    void anInvalidSettingIsAClearErrorEitherWay(@TempDir Path dir) throws Exception {
        Path playlists = Files.writeString(dir.resolve("train.txt"), "ids\ncounts\n1 2 3\n");
        Path config = Files.writeString(dir.resolve("bad.properties"), "song2vec.mode=bogus\n");
        for (String via : List.of("direct", "kafka")) {
            CliRun run = CliRun.of("train", "--via", via, "--playlists", playlists.toString(), "--config",
                    config.toString(), "--export-vectors", dir.resolve("never.txt").toString());
            assertEquals(1, run.exitCode(), via);
            assertEquals("", run.out(), via);
            assertEquals("streamvec train: Invalid value bogus for configuration song2vec.mode: String must be one "
                    + "of: cbow, skipgram", run.err().strip(), via);
        }
        assertTrue(Files.notExists(dir.resolve("never.txt")));
    }
}
