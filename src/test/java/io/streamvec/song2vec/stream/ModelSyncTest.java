package io.streamvec.song2vec.stream;

import io.streamvec.song2vec.data.SyntheticPlaylists;
import io.streamvec.song2vec.model.ModelChecksum;
import io.streamvec.song2vec.model.PlaylistContext;
import io.streamvec.song2vec.model.SgnsConfig;
import io.streamvec.song2vec.model.SgnsModel;
import io.streamvec.song2vec.model.SgnsTrainer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.avro.ModelDelta;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Replicas that exchange their deltas end up with the same model, and never echo what they received. */
class ModelSyncTest {

    private static final SgnsConfig CONFIG = SgnsConfig.builder().dim(16).window(5).negative(5).capacity(4096).build();

    private record Replica(SgnsModel model, SgnsTrainer trainer, ModelSync sync) {
        static Replica named(String name, int seed) {
            SgnsModel model = new SgnsModel(CONFIG);
            return new Replica(model, new SgnsTrainer(model, seed), new ModelSync(model, name));
        }

        void train(List<List<String>> playlists) {
            for (List<String> playlist : playlists) {
                PlaylistContext ctx = trainer.newContext(playlist.hashCode());
                trainer.trainIds(ctx, playlist);
                trainer.flush(ctx);
            }
        }

        List<ModelDelta> publish() {
            int[][] dirty = trainer.drainDirtyRows();
            return sync.publish(IntStream.concat(Arrays.stream(dirty[0]), Arrays.stream(dirty[1])).distinct().sorted().toArray());
        }

        float[] input(String songId) {
            return model.vector(model.vocab.indexOf(songId));
        }

        float[] output(String songId) {
            int row = model.vocab.indexOf(songId);
            return Arrays.copyOfRange(model.syn1neg, row * CONFIG.dim, (row + 1) * CONFIG.dim);
        }
    }

    private static List<List<String>> playlists(int count, long seed) {
        SyntheticPlaylists source = new SyntheticPlaylists(4, 30, seed);
        List<List<String>> playlists = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            playlists.add(source.next(5, 15));
        }
        return playlists;
    }

    @Test
    void replicasThatExchangeDeltasAgree() {
        Replica a = Replica.named("app/1_0", 1);
        Replica b = Replica.named("app/1_1", 2);
        for (int round = 0; round < 5; round++) {
            a.train(playlists(200, round));
            b.train(playlists(200, 100 + round));
            List<ModelDelta> fromA = a.publish();
            List<ModelDelta> fromB = b.publish();
            assertTrue(!fromA.isEmpty() && !fromB.isEmpty());
            fromA.forEach(b.sync()::apply);
            fromB.forEach(a.sync()::apply);
            assertEquals(List.of(), a.sync().publish(allRows(a.model())), "received deltas are not published again");
        }
        assertEquals(a.model().vocab.size(), b.model().vocab.size());
        for (int row = 0; row < a.model().vocab.size(); row++) {
            String song = a.model().vocab.id(row);
            assertEquals(a.model().vocab.count(row), b.model().vocab.count(b.model().vocab.indexOf(song)), song);
            assertArrayEquals(a.input(song), b.input(song), 1e-6f, song);
            assertArrayEquals(a.output(song), b.output(song), 1e-6f, song);
        }
    }

    @Test
    void checksumsOfReplicasAgreeAfterTheExchangeAndShowAMissedDelta() {
        Replica a = Replica.named("app/1_0", 1);
        Replica b = Replica.named("app/1_1", 2);
        Replica c = Replica.named("app/1_2", 3); // receives all of b's deltas but one of a's
        for (int round = 0; round < 3; round++) {
            a.train(playlists(200, round));
            b.train(playlists(200, 100 + round));
            List<ModelDelta> fromA = a.publish();
            List<ModelDelta> fromB = b.publish();
            fromA.forEach(b.sync()::apply);
            fromB.forEach(a.sync()::apply);
            fromB.forEach(c.sync()::apply);
            fromA.subList(round == 1 ? 1 : 0, fromA.size()).forEach(c.sync()::apply);
        }
        double checksumA = ModelChecksum.of(a.model());
        double checksumB = ModelChecksum.of(b.model());
        assertTrue(checksumA > 0);
        assertEquals(checksumA, checksumB, 1e-5 * checksumA, "replicas that exchanged everything agree");
        assertTrue(Math.abs(ModelChecksum.of(c.model()) - checksumA) > 1e-3 * checksumA,
                "a replica that missed a delta differs: " + ModelChecksum.of(c.model()) + " vs " + checksumA);
    }

    @Test
    void aDeltaIsRefusedWholeBeforeAnyRowIsApplied() {
        Replica a = Replica.named("app/1_0", 1);
        Replica b = Replica.named("app/1_1", 2);
        a.train(playlists(100, 1));
        a.publish().forEach(b.sync()::apply);
        String first = b.model().vocab.id(0);
        String second = b.model().vocab.id(1);
        float[] before = b.input(first);
        java.nio.ByteBuffer input = java.nio.ByteBuffer.allocate(2 * CONFIG.dim * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 2 * CONFIG.dim; i++) {
            input.putFloat(i == 2 * CONFIG.dim - 1 ? Float.NaN : 0.5f); // the last value of the second song
        }
        ModelDelta bad = new ModelDelta("app/1_9", CONFIG.dim, List.of(first, second), List.of(1L, 1L),
                input.flip(), java.nio.ByteBuffer.allocate(2 * CONFIG.dim * 4));
        ModelSync.InvalidDeltaException e = assertThrows(ModelSync.InvalidDeltaException.class, () -> b.sync().apply(bad));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains(second), e.getMessage());
        assertArrayEquals(before, b.input(first), "the first song's rows are untouched");
        assertEquals(List.of(), b.sync().publish(allRows(b.model())), "nothing changed, nothing to publish");
    }

    @Test
    void theSumOfDeltasIsWhatEachReplicaTrained() {
        Replica a = Replica.named("app/1_0", 1);
        Replica observer = Replica.named("app/1_1", 2);
        a.train(playlists(300, 7));
        a.publish().forEach(observer.sync()::apply);
        for (int row = 0; row < a.model().vocab.size(); row++) {
            String song = a.model().vocab.id(row);
            assertArrayEquals(a.input(song), observer.input(song), 1e-6f, "init + delta = trained: " + song);
        }
        Replica b = Replica.named("app/1_1", 3);
        b.train(playlists(50, 8));
        List<ModelDelta> own = b.publish();
        float[] before = b.input(b.model().vocab.id(0));
        own.forEach(delta -> assertEquals(0, b.sync().apply(delta).length, "a replica ignores its own deltas"));
        assertArrayEquals(before, b.input(b.model().vocab.id(0)));
    }

    @Test
    void onlyDeltasOfTheSameApplicationAreApplied() {
        Replica a = Replica.named("app/1_0", 1);
        Replica stranger = Replica.named("other-app/1_1", 2);
        stranger.train(playlists(50, 9));
        for (ModelDelta delta : stranger.publish()) {
            assertEquals(0, a.sync().apply(delta).length);
        }
        assertEquals(0, a.model().vocab.size(), "nothing of another application's model");
    }

    @Test
    void deltasOfAnotherDimensionOrMalformedAreRejected() {
        Replica a = Replica.named("app/1_0", 1);
        assertThrows(IllegalStateException.class, () -> a.sync().apply(new ModelDelta("app/1_9", 8, List.of("x"),
                List.of(1L), java.nio.ByteBuffer.allocate(32), java.nio.ByteBuffer.allocate(32))));
        assertThrows(IllegalStateException.class, () -> a.sync().apply(new ModelDelta("app/1_9", CONFIG.dim, List.of("x"),
                List.of(1L), java.nio.ByteBuffer.allocate(4), java.nio.ByteBuffer.allocate(4))));
    }

    private static int[] allRows(SgnsModel model) {
        return IntStream.range(0, model.vocab.size()).toArray();
    }
}
