package io.streamvec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamvec.song2vec.data.PlaylistFile;
import io.streamvec.song2vec.data.SyntheticPlaylists;
import io.streamvec.song2vec.data.Word2vecFile;
import io.streamvec.song2vec.model.PlaylistContext;
import io.streamvec.song2vec.model.SgnsConfig;
import io.streamvec.song2vec.model.SgnsModel;
import io.streamvec.song2vec.model.SgnsTrainer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The same word2vec file through {@code streamvec similar} and through gensim's {@code KeyedVectors.most_similar}
 * (Debian's python3-gensim, as {@code bench song2vec} runs it): the same top-10 ids in the same order, up to ties
 * of 1e-6, for 50 songs and 20 positive/negative combinations. The vectors are trained here on the first
 * playlists of {@code ../shared/data/yes/train.txt} (synthetic playlists when it is absent) and written by
 * streamvec's exporter. Skipped, loudly, when python3 cannot import gensim ({@code -Dstreamvec.python=...}
 * names another interpreter).
 */
class GensimParityTest {

    private static final Logger LOG = LoggerFactory.getLogger(GensimParityTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PYTHON = System.getProperty("streamvec.python", "/usr/bin/python3");
    private static final Path YES = Path.of("..", "shared", "data", "yes", "train.txt");
    private static final double TIE = 1e-6;
    private static final int K = 10;

    @Test
    void similarAnswersAsGensimMostSimilarDoes(@TempDir Path dir) throws Exception {
        assumeGensim();
        Path vectors = dir.resolve("vectors.txt");
        List<String> songs = trainAndExport(vectors);
        assertTrue(songs.size() >= 500, "songs exported: " + songs.size());

        List<ObjectNode> queries = queries(songs);
        Path queriesFile = dir.resolve("queries.json");
        ArrayNode all = JSON.createArrayNode();
        queries.forEach(all::add);
        Files.writeString(queriesFile, JSON.writeValueAsString(all));
        Path binary = dir.resolve("vectors.bin");
        List<String> gensim = python(dir, vectors, queriesFile, binary);
        assertEquals(queries.size(), gensim.size(), "one gensim answer per query");

        for (int q = 0; q < queries.size(); q++) {
            JsonNode query = queries.get(q);
            JsonNode ours = similar(vectors, query);
            assertSameUpToTies(query, JSON.readTree(gensim.get(q)), ours.get("results"));
            if (q % 10 == 0) { // gensim's binary file, read back by streamvec, answers the same
                assertEquals(ours, similar(binary, query), "binary file, query " + query);
            }
        }
        LOG.info("gensim parity: {} queries over {} songs answered alike", queries.size(), songs.size());
    }

    /** Skips (with a warning line and a JUnit assumption) when python3 cannot import gensim. */
    private static void assumeGensim() throws InterruptedException {
        String why;
        try {
            Process probe = new ProcessBuilder(PYTHON, "-c", "import gensim").redirectErrorStream(true).start();
            String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            why = probe.waitFor() == 0 ? null : output.isEmpty() ? "exit " + probe.exitValue()
                    : output.lines().reduce((a, b) -> b).orElse(output);
        } catch (IOException e) {
            why = e.getMessage();
        }
        if (why != null) {
            String message = "SKIPPED: the gensim parity test needs python3-gensim (" + PYTHON + " -c 'import gensim': "
                    + why + ")";
            LOG.warn(message);
        }
        Assumptions.assumeTrue(why == null, "python3-gensim is not installed for " + PYTHON + ": " + why);
    }

    /** Trains song2vec on a few yes_complete playlists (or synthetic ones) and exports songs seen 3+ times. */
    private static List<String> trainAndExport(Path file) throws IOException {
        List<List<String>> playlists;
        if (Files.isRegularFile(YES)) {
            playlists = PlaylistFile.readPlaylists(YES);
            playlists = playlists.subList(0, Math.min(800, playlists.size()));
        } else {
            LOG.warn("{} is absent: the gensim parity test trains on synthetic playlists", YES.toAbsolutePath());
            SyntheticPlaylists synthetic = new SyntheticPlaylists(12, 150, 3);
            playlists = new ArrayList<>();
            for (int p = 0; p < 3000; p++) {
                playlists.add(synthetic.next(10, 40));
            }
        }
        SgnsConfig config = SgnsConfig.builder().alpha(0.025f).capacity(1 << 16).seed(11).build();
        SgnsModel model = new SgnsModel(config);
        SgnsTrainer trainer = new SgnsTrainer(model, 1);
        for (int p = 0; p < playlists.size(); p++) {
            PlaylistContext context = trainer.newContext(p);
            trainer.trainIds(context, playlists.get(p));
            trainer.flush(context);
        }
        List<Integer> rows = new ArrayList<>();
        for (int row = 0; row < model.vocab.size(); row++) {
            if (model.vocab.count(row) >= 3) {
                rows.add(row);
            }
        }
        rows.sort(Comparator.<Integer>comparingLong(r -> -model.vocab.count(r)).thenComparing(model.vocab::id));
        List<String> ids = new ArrayList<>();
        float[] values = new float[rows.size() * config.dim];
        for (int i = 0; i < rows.size(); i++) {
            ids.add(model.vocab.id(rows.get(i)));
            System.arraycopy(model.syn0, rows.get(i) * config.dim, values, i * config.dim, config.dim);
        }
        Word2vecFile.write(file, ids, config.dim, values);
        return ids;
    }

    /** 50 single songs from the most to the least played, and 20 combinations of positives and negatives. */
    private static List<ObjectNode> queries(List<String> songs) {
        List<ObjectNode> queries = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            queries.add(query(List.of(songs.get(i * songs.size() / 50)), List.of()));
        }
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            List<String> positive = new ArrayList<>();
            List<String> negative = new ArrayList<>();
            int positives = 1 + i % 3;
            int negatives = i % 4 == 3 ? 0 : 1 + i % 2;
            while (positive.size() < positives) {
                String song = songs.get(random.nextInt(Math.min(songs.size(), 2000)));
                if (!positive.contains(song)) {
                    positive.add(song);
                }
            }
            while (negative.size() < negatives) {
                String song = songs.get(random.nextInt(Math.min(songs.size(), 2000)));
                if (!positive.contains(song) && !negative.contains(song)) {
                    negative.add(song);
                }
            }
            queries.add(query(positive, negative));
        }
        return queries;
    }

    private static ObjectNode query(List<String> positive, List<String> negative) {
        ObjectNode query = JSON.createObjectNode();
        positive.forEach(query.putArray("positive")::add);
        negative.forEach(query.putArray("negative")::add);
        query.put("k", K);
        return query;
    }

    /** {@code streamvec similar --json} for the query. */
    private static JsonNode similar(Path vectors, JsonNode query) throws IOException {
        List<String> args = new ArrayList<>(List.of("similar", "--vectors", vectors.toString(), "--json",
                "--k", Integer.toString(K)));
        query.get("negative").forEach(song -> args.addAll(List.of("--negative", song.asText())));
        query.get("positive").forEach(song -> args.add(song.asText()));
        CliRun run = CliRun.of(args.toArray(new String[0]));
        assertEquals(0, run.exitCode(), run.err());
        return JSON.readTree(run.out());
    }

    /**
     * Rank by rank: the same score within 1e-6, and the same id unless the two ids tie (gensim scores ours, among
     * its k+5 answers, within 1e-6 of the rank's score).
     */
    private static void assertSameUpToTies(JsonNode query, JsonNode gensim, JsonNode ours) {
        assertEquals(K, ours.size(), "answers to " + query);
        for (int rank = 0; rank < K; rank++) {
            String id = ours.get(rank).get("id").asText();
            double score = ours.get(rank).get("score").asDouble();
            double gensimScore = gensim.get(rank).get(1).asDouble();
            String where = "rank " + (rank + 1) + " of " + query + ": streamvec " + ours + " gensim " + gensim;
            assertEquals(gensimScore, score, TIE, where);
            if (!id.equals(gensim.get(rank).get(0).asText())) {
                boolean tie = false;
                for (JsonNode answer : gensim) {
                    tie |= answer.get(0).asText().equals(id) && Math.abs(answer.get(1).asDouble() - gensimScore) <= TIE;
                }
                if (!tie) {
                    fail("another song, not a tie: " + where);
                }
            }
        }
    }

    /** Runs the gensim side: one JSON line per query. */
    private static List<String> python(Path dir, Path vectors, Path queries, Path binary) throws Exception {
        Path script = dir.resolve("most_similar.py");
        try (InputStream in = GensimParityTest.class.getResourceAsStream("/gensim/most_similar.py")) {
            Files.copy(in, script);
        }
        Process process = new ProcessBuilder(PYTHON, script.toString(), vectors.toString(), queries.toString(),
                binary.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            fail("gensim failed: " + output);
        }
        return output.lines().filter(line -> line.startsWith("[")).toList();
    }
}
