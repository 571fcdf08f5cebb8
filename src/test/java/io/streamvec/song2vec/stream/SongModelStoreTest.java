package io.streamvec.song2vec.stream;

import io.streamvec.song2vec.data.SyntheticPlaylists;
import io.streamvec.song2vec.model.PlaylistContext;
import io.streamvec.song2vec.model.SgnsConfig;
import io.streamvec.song2vec.model.SgnsModel;
import io.streamvec.song2vec.model.SgnsTrainer;
import io.streamvec.song2vec.model.SongModelView;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The durable copy of the song model: blocks of rows and a meta entry, written at the pre-commit flush. */
class SongModelStoreTest {

    private long songsFed;

    private static KeyValueStore<Integer, byte[]> rows() {
        KeyValueStore<Integer, byte[]> rows = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("m"),
                Serdes.Integer(), Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled().build();
        return rows;
    }

    private static SongModelStore open(KeyValueStore<Integer, byte[]> rows, SgnsConfig config) {
        SongModelStore store = new SongModelStore("m", rows, config);
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        return store;
    }

    private SongModelStore trained(KeyValueStore<Integer, byte[]> rows, SgnsConfig config) {
        SongModelStore store = open(rows, config);
        SgnsTrainer trainer = new SgnsTrainer(store.model(), 1);
        store.attach(trainer);
        SyntheticPlaylists playlists = new SyntheticPlaylists(3, 50, 2);
        for (int p = 0; p < 200; p++) {
            PlaylistContext ctx = trainer.newContext(p);
            List<String> songs = playlists.next(5, 15);
            for (String song : songs) {
                store.markCounted(store.model().admit(song));
            }
            trainer.trainIds(ctx, songs);
            songsFed += songs.size();
            trainer.flush(ctx);
            store.eventTrained();
        }
        store.flushCache();
        return store;
    }

    @Test
    void theDurableRowsRebuildTheSameModel() {
        KeyValueStore<Integer, byte[]> rows = rows();
        SgnsConfig config = SgnsConfig.builder().capacity(1000).build();
        SongModelStore before = trained(rows, config);
        SongModelStore after = open(rows, config);
        assertEquals(200, after.model() == null ? -1 : after.events());
        assertEquals(before.model().vocab.size(), after.model().vocab.size());
        assertEquals(songsFed, after.model().tokens(), "every song counted, the trainer's unsynced ones too");
        for (int row = 0; row < before.model().vocab.size(); row++) {
            assertEquals(before.model().vocab.id(row), after.model().vocab.id(row));
            assertArrayEquals(before.model().vector(row), after.model().vector(row));
        }
        int blocks = (before.model().vocab.size() + SongModelStore.BLOCK - 1) / SongModelStore.BLOCK;
        assertEquals(blocks + 1, after.durableEntries());
    }

    @Test
    void theDeltaPositionAndReceivedRowsArePersistedWithTheModel() {
        KeyValueStore<Integer, byte[]> rows = rows();
        SgnsConfig config = SgnsConfig.builder().capacity(1000).build();
        SongModelStore store = trained(rows, config);
        assertEquals(0, store.deltaPosition(), "a new model starts the delta feed from the beginning");
        SgnsModel other = new SgnsModel(config);
        ModelSync remote = new ModelSync(other, "app/2_1"); // the baseline: before it trains
        SgnsTrainer otherTrainer = new SgnsTrainer(other, 9);
        PlaylistContext ctx = otherTrainer.newContext(1);
        otherTrainer.trainIds(ctx, List.of("remote-a", "remote-b", "remote-c", "remote-a"));
        otherTrainer.flush(ctx);
        int[][] dirty = otherTrainer.drainDirtyRows();
        ModelSync local = new ModelSync(store.model(), "app/2_0");
        for (var delta : remote.publish(java.util.stream.IntStream.concat(java.util.Arrays.stream(dirty[0]),
                java.util.Arrays.stream(dirty[1])).distinct().sorted().toArray())) {
            store.markChanged(local.apply(delta));
        }
        store.deltaPosition(42);
        store.flushCache();

        SongModelStore after = open(rows, config);
        assertEquals(42, after.deltaPosition(), "the feed continues where the persisted rows left it");
        int row = after.model().vocab.indexOf("remote-a");
        assertTrue(row >= 0, "a song known only from another replica's delta is persisted");
        assertEquals(2, after.model().vocab.count(row));
        assertArrayEquals(other.vector(other.vocab.indexOf("remote-a")), after.model().vector(row), 1e-6f);
    }

    @Test
    void rowsACommitPersistedAreStillPublishedAtTheNextSync() {
        KeyValueStore<Integer, byte[]> rows = rows();
        SgnsConfig config = SgnsConfig.builder().capacity(1000).build();
        SongModelStore store = trained(rows, config); // trains, then commits (flushCache) once
        int[] changed = store.collectChangedRows();
        assertEquals(store.model().vocab.size(), changed.length, "every trained row, though a commit drained them");
        assertEquals(0, store.collectChangedRows().length, "and only once");
    }

    @Test
    void aChangedShapeIsRefusedWithAClearMessage() {
        KeyValueStore<Integer, byte[]> rows = rows();
        trained(rows, SgnsConfig.builder().capacity(1000).build());
        for (SgnsConfig changed : List.of(SgnsConfig.builder().capacity(1000).window(5).build(),
                SgnsConfig.builder().capacity(2000).build(), SgnsConfig.builder().capacity(1000).dim(16).build(),
                SgnsConfig.builder().capacity(1000).mode(SgnsConfig.Mode.SKIP_GRAM).build())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> open(rows, changed).model());
            assertTrue(e.getMessage().contains("new application.id"), e.getMessage());
        }
    }

    @Test
    void theQuerySnapshotServesRawVectorsAndCounts() {
        SongModelStore store = trained(rows(), SgnsConfig.builder().capacity(1000).build());
        SgnsModel model = store.model();
        String song = model.vocab.id(3);
        assertTrue(store.vector(song).isEmpty(), "no snapshot yet");
        store.refreshIndex(0, 0);
        SongModelView.SongVector vector = store.vector(song).orElseThrow();
        assertEquals(song, vector.songId());
        assertArrayEquals(model.vector(3), vector.vector(), "the trained input vector, not normalised");
        assertEquals(model.vocab.count(3), vector.count());
        assertEquals(200, vector.modelUpdates());
        assertTrue(store.vector("never-seen").isEmpty());

        float[] before = vector.vector().clone();
        model.syn0[3 * model.config.dim] += 1f;
        store.vector(song).orElseThrow().vector()[0] = 42f;
        assertArrayEquals(before, store.vector(song).orElseThrow().vector(), "a snapshot: training and callers do not change it");
    }

    @Test
    void eachNewQuerySnapshotHasANewNumberAndAnUnchangedModelKeepsItsSnapshot() {
        SongModelStore store = trained(rows(), SgnsConfig.builder().capacity(1000).build());
        assertEquals(List.of(0L), store.snapshots(), "no snapshot yet");
        store.refreshIndex(0, 1000);
        long first = store.snapshots().get(0);
        assertTrue(first > 0, "a published snapshot has a number");
        store.refreshIndexIfChanged(10);
        store.refreshIndex(20, 1000);
        assertEquals(List.of(first), store.snapshots(), "nothing changed, and the snapshot is young: the same one");

        store.markChanged(new int[] {3}); // another replica's delta: no event trained here, yet a new snapshot
        store.refreshIndexIfChanged(30);
        long second = store.snapshots().get(0);
        assertTrue(second > first, second + " after " + first);

        store.eventTrained();
        store.refreshIndexIfChanged(40);
        long third = store.snapshots().get(0);
        assertTrue(third > second, third + " after " + second);

        store.refreshIndex(5000, 1000); // old enough to be rebuilt
        assertTrue(store.snapshots().get(0) > third);
    }

    @Test
    void similarQueriesAreCountedKeptOrScannedAcrossSnapshots() {
        SongModelStore store = trained(rows(), SgnsConfig.builder().capacity(1000).build());
        String song = store.model().vocab.id(3);
        store.refreshIndex(0, 0);
        List<SongModelView.Neighbor> first = store.similar(song, 5).orElseThrow();
        assertEquals(first, store.similar(song, 5).orElseThrow(), "kept: the same answer");
        assertEquals(first.subList(0, 3), store.similar(song, 3).orElseThrow(), "fewer songs: the first of them");
        assertEquals(1, store.similarCache().misses());
        assertEquals(2, store.similarCache().hits());
        store.refreshIndex(5000, 1000); // a new snapshot keeps nothing yet; the counts go on
        store.similar(song, 5);
        assertEquals(2, store.similarCache().misses());
        assertEquals(2, store.similarCache().hits());
        store.similar(song, 5);
        assertEquals(3, store.similarCache().hits());
    }

    @Test
    void leavingTheTaskDropsTheWorkingCopy() {
        KeyValueStore<Integer, byte[]> rows = rows();
        SongModelStore store = trained(rows, SgnsConfig.builder().capacity(1000).build());
        SgnsModel working = store.model();
        store.clearCache(); // the task was recycled (e.g. into a standby): its rows may now move on
        assertTrue(store.model() != working, "the next activation rebuilds the model from the durable rows");
        assertEquals(200, store.events());
    }
}
