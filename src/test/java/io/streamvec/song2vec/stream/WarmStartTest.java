package io.streamvec.song2vec.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.song2vec.data.SyntheticPlaylists;
import io.streamvec.song2vec.data.Word2vecFile;
import io.streamvec.song2vec.model.PlaylistContext;
import io.streamvec.song2vec.model.SgnsConfig;
import io.streamvec.song2vec.model.SgnsModel;
import io.streamvec.song2vec.model.SgnsTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code song2vec.init.vectors}: a new model starts from a word2vec file, once; a model with state keeps it. */
class WarmStartTest {

    private static final SgnsConfig CONFIG = SgnsConfig.builder().dim(8).capacity(1000).alpha(0.025f).build();

    @TempDir
    Path dir;

    private static KeyValueStore<Integer, byte[]> rows() {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("m"), Serdes.Integer(), Serdes.ByteArray())
                .withLoggingDisabled().withCachingDisabled().build();
    }

    private static SongModelStore open(KeyValueStore<Integer, byte[]> rows, InitialVectors init) {
        SongModelStore store = new SongModelStore("m", rows, CONFIG, init);
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        return store;
    }

    /** 100 synthetic songs with random vectors, most played first. */
    private Path file(int dim) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int g = 0; g < 2; g++) {
            for (int s = 0; s < 50; s++) {
                ids.add(SyntheticPlaylists.songId(g, s));
            }
        }
        Random random = new Random(1);
        float[] values = new float[ids.size() * dim];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * 0.1f;
        }
        Path file = dir.resolve("init-" + dim + ".txt");
        Word2vecFile.write(file, ids, dim, values);
        return file;
    }

    private static void train(SongModelStore store, int playlists) {
        SgnsTrainer trainer = new SgnsTrainer(store.model(), 1);
        store.attach(trainer);
        SyntheticPlaylists synthetic = new SyntheticPlaylists(2, 50, 4);
        for (int p = 0; p < playlists; p++) {
            PlaylistContext context = trainer.newContext(p);
            List<String> songs = synthetic.next(5, 15);
            for (String song : songs) {
                store.markCounted(store.model().admit(song));
            }
            trainer.trainIds(context, songs);
            trainer.flush(context);
            store.eventTrained();
        }
        store.flushCache();
    }

    @Test
    void aNewModelStartsFromTheFileAndComesBackFromItsStateWithoutReadingItAgain() throws Exception {
        Path file = file(8);
        Word2vecFile.Vectors vectors = Word2vecFile.read(file);
        InitialVectors init = new InitialVectors(file);
        KeyValueStore<Integer, byte[]> rows = rows();
        SongModelStore store = open(rows, init);
        SgnsModel model = store.model();
        assertEquals(1, init.reads());
        assertEquals(100, model.vocab.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(vectors.ids().get(i), model.vocab.id(i));
            assertEquals(100 - i, model.vocab.count(i), "counts from the file's order, as gensim makes them up");
            assertArrayEquals(java.util.Arrays.copyOfRange(vectors.values(), i * 8, i * 8 + 8), model.vector(i));
        }
        assertEquals(5050, model.tokens(), "as if the songs had been seen that often");
        assertEquals(file.toAbsolutePath().normalize().toString(), store.startedFrom().orElseThrow());
        store.refreshIndex(0, 0);
        assertEquals(10, store.similar(vectors.ids().get(0), 10).orElseThrow().size(), "queries answer at once");

        train(store, 100); // the first commit writes the marker first, then every row
        float[] trained = model.vector(0);
        assertFalse(java.util.Arrays.equals(trained, java.util.Arrays.copyOf(vectors.values(), 8)), "it keeps learning");
        assertEquals(store.startedFrom().orElseThrow(), new String(rows.get(SongModelStore.INIT_ROW),
                java.nio.charset.StandardCharsets.UTF_8), "the durable copy names the file");

        Files.delete(file);
        InitialVectors again = new InitialVectors(file);
        SongModelStore restored = open(rows, again);
        assertEquals(0, again.reads(), "a model with state is not started again: the file is not read");
        assertArrayEquals(trained, restored.model().vector(0));
        assertEquals(model.vocab.count(0), restored.model().vocab.count(0));
        assertEquals(100, restored.events());
        assertEquals(store.startedFrom(), restored.startedFrom());
    }

    @Test
    void aModelWithOtherStateKeepsIt() throws Exception {
        KeyValueStore<Integer, byte[]> rows = rows();
        SongModelStore plain = open(rows, null);
        train(plain, 50);
        InitialVectors init = new InitialVectors(file(8));
        SongModelStore reopened = open(rows, init);
        assertEquals(plain.model().vocab.size(), reopened.model().vocab.size());
        assertEquals(0, init.reads());
        assertTrue(reopened.startedFrom().isEmpty());
    }

    @Test
    void aFileThatCannotStartTheModelIsOneLineNamingTheLine() throws Exception {
        assertMessage(file(16), "line 1: vectors of dimension 16, but song2vec.dim is 8");
        assertMessage(Files.writeString(dir.resolve("nan.txt"), "2 8\na 1 2 3 4 5 6 7 8\nb 1 2 3 NaN 5 6 7 8\n"),
                "line 3: value 4 of song b is NaN, not a finite number");
        assertMessage(Files.writeString(dir.resolve("cut.txt"), "2 8\na 1 2 3 4 5 6 7 8\nb 1 2 3"),
                "line 3: expected a song id and 8 values, found 3 values (truncated line?)");
        assertMessage(Files.writeString(dir.resolve("short.txt"), "3 8\na 1 2 3 4 5 6 7 8\n"),
                "line 3: the file ends after 1 of the 3 vectors");
        assertMessage(Files.writeString(dir.resolve("control.txt"), "1 8\na\u0001b 1 2 3 4 5 6 7 8\n"), "line 2: song id");
        assertMessage(dir.resolve("missing.txt"), "missing.txt");
        Path big = dir.resolve("big.txt");
        StringBuilder many = new StringBuilder("1001 1\n");
        for (int i = 0; i < 1001; i++) {
            many.append("s").append(i).append(" 1\n");
        }
        Files.writeString(big, many);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new InitialVectors(big).load(SgnsConfig.builder().dim(1).capacity(1000).build()));
        assertTrue(e.getMessage().endsWith("line 1: 1001 vectors, more than song2vec.capacity (1000)"), e.getMessage());
    }

    private void assertMessage(Path file, String expected) {
        InitialVectors init = new InitialVectors(file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open(rows(), init).model());
        assertTrue(e.getMessage().startsWith(InitialVectors.KEY + ": " + file), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertNotEquals(null, e.getMessage());
    }
}
