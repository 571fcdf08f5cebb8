package io.streamvec.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.song2vec.data.Word2vecFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code similar}: gensim's most_similar over a word2vec file, printed with titles and artists. */
class SimilarCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** 1 = x, 2 = y, 3 = x+y, 4 = x-y, 5 = -x. */
    private static final List<String> IDS = List.of("1", "2", "3", "4", "5");
    private static final float[] PLANE = {2, 0, 0, 3, 1, 1, 5, -5, -1, 0};

    @TempDir
    Path dir;
    private Path vectors;
    private Path songs;

    @BeforeEach
    void files() throws Exception {
        vectors = dir.resolve("vectors.txt");
        Word2vecFile.write(vectors, IDS, 2, PLANE);
        songs = Files.writeString(dir.resolve("song_hash.txt"),
                "1 \tOne\tAlpha\n2 \tTwo\tBeta\n3 \tThree\tGamma\n4 \tFour\tDelta\n", StandardCharsets.UTF_8);
    }

    @Test
    void oneLinePerSongWithRankIdScoreTitleAndArtist() {
        CliRun run = CliRun.of("similar", "--vectors", vectors.toString(), "--songs", songs.toString(),
                "--negative", "2", "--k", "3", "1");
        assertEquals(0, run.exitCode(), run.err());
        assertArrayEquals(new String[] {
            " 1  4  1.0000  Four — Delta",
            " 2  3  0.0000  Three — Gamma",
            " 3  5  -0.7071"}, run.out().split("\\R"), run.out());
        assertEquals("", run.err());
    }

    @Test
    void jsonIsOneObjectPerQuery() throws Exception {
        CliRun run = CliRun.of("similar", "--vectors", vectors.toString(), "--songs", songs.toString(), "--json",
                "--k", "3", "1", "nope", "2");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(1, run.lines().length, run.out());
        JsonNode query = JSON.readTree(run.lines()[0]);
        assertEquals("[\"1\",\"nope\",\"2\"]", query.get("positive").toString());
        assertEquals("[]", query.get("negative").toString());
        assertEquals(3, query.get("k").asInt());
        assertEquals("[\"nope\"]", query.get("unknown").toString());
        JsonNode first = query.get("results").get(0);
        assertEquals("3", first.get("id").asText());
        assertEquals(1.0, first.get("score").asDouble(), 1e-6);
        assertEquals("Three", first.get("title").asText());
        assertEquals("Gamma", first.get("artist").asText());
        assertEquals("4", query.get("results").get(1).get("id").asText());
        JsonNode third = query.get("results").get(2);
        assertEquals("5", third.get("id").asText());
        assertTrue(third.get("title").isNull(), "no title for a song without metadata: " + third);
        assertTrue(third.get("artist").isNull(), third.toString());
        assertEquals(3, query.get("results").size());
    }

    @Test
    void aBinaryFileAnswersTheSame() throws Exception {
        ByteBuffer binary = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        binary.put("5 2\n".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < IDS.size(); i++) {
            binary.put((IDS.get(i) + " ").getBytes(StandardCharsets.UTF_8));
            binary.putFloat(PLANE[2 * i]).putFloat(PLANE[2 * i + 1]);
        }
        Path file = Files.write(dir.resolve("vectors.bin"), java.util.Arrays.copyOf(binary.array(), binary.position()));
        CliRun text = CliRun.of("similar", "--vectors", vectors.toString(), "--negative", "5", "3");
        CliRun bin = CliRun.of("similar", "--vectors", file.toString(), "--negative", "5", "3");
        assertEquals(0, bin.exitCode(), bin.err());
        assertEquals(text.out(), bin.out());
        assertEquals(3, bin.lines().length, "k is 10 but only 3 songs are not in the query: " + bin.out());
    }

    @Test
    void unknownSongsAreReportedAndNoneKnownIsAnError() {
        CliRun some = CliRun.of("similar", "--vectors", vectors.toString(), "1", "x9");
        assertEquals(0, some.exitCode(), some.err());
        assertTrue(some.err().contains("unknown song (not in " + vectors + "): x9"), some.err());

        CliRun none = CliRun.of("similar", "--vectors", vectors.toString(), "--negative", "1", "x9", "x8");
        assertNotEquals(0, none.exitCode());
        assertEquals("streamvec similar: none of the songs x9, x8 is in " + vectors, none.err().strip());
    }

    @Test
    void badInputIsAOneLineError() throws Exception {
        CliRun k = CliRun.of("similar", "--vectors", vectors.toString(), "--k", "0", "1");
        assertNotEquals(0, k.exitCode());
        assertTrue(k.err().contains("--k must be from 1 to 1000"), k.err());

        Path bad = Files.writeString(dir.resolve("bad.txt"), "2 2\n1 0.5 0.5\n2 0.5 NaN\n");
        CliRun nan = CliRun.of("similar", "--vectors", bad.toString(), "1");
        assertNotEquals(0, nan.exitCode());
        assertEquals("streamvec similar: " + bad + " line 3: value 2 of song 2 is NaN, not a finite number",
                nan.err().strip());

        CliRun missing = CliRun.of("similar", "--vectors", vectors.toString());
        assertNotEquals(0, missing.exitCode());
        assertFalse(missing.err().isEmpty());
    }
}
