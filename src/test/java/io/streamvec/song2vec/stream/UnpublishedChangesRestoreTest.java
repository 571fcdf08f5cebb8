package io.streamvec.song2vec.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.avro.ModelDelta;
import io.streamvec.song2vec.data.SyntheticPlaylists;
import io.streamvec.song2vec.model.PlaylistContext;
import io.streamvec.song2vec.model.SgnsConfig;
import io.streamvec.song2vec.model.SgnsModel;
import io.streamvec.song2vec.model.SgnsTrainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * What a replica trained and committed but had not published when it stopped is published after its restore, once.
 * A crash is a new store opened on the durable rows as of the last commit ({@code flushCache}): whatever a sync
 * published after that commit belonged to the aborted transaction and is dropped. Each restored replica's publish is
 * compared with what the same replica would have published had it not stopped, bit for bit.
 */
class UnpublishedChangesRestoreTest {

    private static final SgnsConfig CONFIG = SgnsConfig.builder().dim(16).window(5).negative(5).capacity(1000).build();
    private static final String SOURCE = "app/1_0";

    /** One task's replica: the store over {@code rows}, its trainer and its exchange. */
    private static final class Replica {
        final SongModelStore store;
        final SgnsTrainer trainer;
        final ModelSync sync;
        long songsTrained;

        Replica(KeyValueStore<Integer, byte[]> rows) {
            store = new SongModelStore("m", rows, CONFIG);
            store.init(new MockProcessorContext<>().getStateStoreContext(), store);
            trainer = new SgnsTrainer(store.model(), 1);
            store.attach(trainer);
            sync = store.replicaSync(SOURCE);
        }

        void train(int playlists, long seed) {
            SyntheticPlaylists source = new SyntheticPlaylists(3, 40, seed);
            for (int p = 0; p < playlists; p++) {
                PlaylistContext ctx = trainer.newContext(p + seed * 10_000);
                List<String> songs = source.next(5, 15);
                for (String song : songs) {
                    store.markCounted(store.model().admit(song));
                }
                trainer.trainIds(ctx, songs);
                trainer.flush(ctx);
                store.eventTrained();
                songsTrained += songs.size();
            }
        }

        void commit() {
            store.flushCache();
        }

        List<ModelDelta> publish() {
            return sync.publish(store.collectChangedRows());
        }

        void apply(List<ModelDelta> deltas) {
            for (ModelDelta delta : deltas) {
                store.markChanged(sync.apply(delta));
            }
        }
    }

    private static KeyValueStore<Integer, byte[]> rows() {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("m"), Serdes.Integer(), Serdes.ByteArray())
                .withLoggingDisabled().withCachingDisabled().build();
    }

    /** A replica of another task that trains on its own playlists from the same songs and publishes its deltas. */
    private static List<ModelDelta> remoteDeltas(long seed) {
        SgnsModel model = new SgnsModel(CONFIG);
        ModelSync remote = new ModelSync(model, "app/1_1");
        SgnsTrainer trainer = new SgnsTrainer(model, 7);
        SyntheticPlaylists source = new SyntheticPlaylists(3, 40, seed);
        for (int p = 0; p < 100; p++) {
            PlaylistContext ctx = trainer.newContext(p);
            List<String> songs = source.next(5, 15);
            for (String song : songs) {
                model.admit(song);
            }
            trainer.trainIds(ctx, songs);
            trainer.flush(ctx);
        }
        int[][] dirty = trainer.drainDirtyRows();
        return remote.publish(IntStream.concat(Arrays.stream(dirty[0]), Arrays.stream(dirty[1])).distinct().sorted().toArray());
    }

    private static long countSum(List<ModelDelta> deltas) {
        return deltas.stream().flatMap(d -> d.getCountDeltas().stream()).mapToLong(Long::longValue).sum();
    }

    private static int rowsIn(List<ModelDelta> deltas) {
        return deltas.stream().mapToInt(d -> d.getSongIds().size()).sum();
    }

    @Test
    void aRestoreAfterACommitPublishesTheUnpublishedChangesOnce() {
        KeyValueStore<Integer, byte[]> rows = rows();
        Replica before = new Replica(rows);
        before.train(200, 1);
        before.commit();
        before.train(100, 2);
        before.commit(); // two commits since the start, no sync yet
        List<ModelDelta> expected = before.publish(); // the sync the crash cut short: its transaction is aborted
        assertFalse(expected.isEmpty());
        assertEquals(before.songsTrained, countSum(expected), "every song counted is in the delta");

        Replica restored = new Replica(rows); // the crash: back to the last commit
        List<ModelDelta> published = restored.publish();
        assertEquals(rowsIn(expected), rowsIn(published), "the rows trained before the crash are published");
        assertEquals(countSum(expected), countSum(published), "with their counts");
        assertEquals(expected, published, "exactly what the replica would have published without the crash");
        assertEquals(List.of(), restored.publish(), "once");
        restored.commit();

        Replica again = new Replica(rows); // a crash after the sync committed
        assertEquals(List.of(), again.publish(), "published and committed: not published again");
        assertEquals(restored.store.durableEntries(), again.store.durableEntries());
        int blocks = (again.store.model().vocab.size() + SongModelStore.BLOCK - 1) / SongModelStore.BLOCK;
        assertEquals(blocks + 1, again.store.durableEntries(), "the committed sync deleted every baseline entry");
    }

    @Test
    void aRestoreAfterASyncPublishesOnlyWhatCameAfterIt() {
        KeyValueStore<Integer, byte[]> rows = rows();
        Replica before = new Replica(rows);
        before.train(200, 1);
        before.commit();
        List<ModelDelta> first = before.publish();
        assertFalse(first.isEmpty());
        before.commit(); // the sync's transaction commits
        long songsAtSync = before.songsTrained;
        before.train(100, 2);
        before.commit();
        List<ModelDelta> expected = before.publish();
        assertEquals(before.songsTrained - songsAtSync, countSum(expected), "only the songs since the sync");

        Replica restored = new Replica(rows);
        List<ModelDelta> published = restored.publish();
        assertEquals(countSum(expected), countSum(published), "the songs after the sync, not those before it again");
        assertEquals(expected, published);
        assertEquals(List.of(), restored.publish());
    }

    @Test
    void remoteDeltasAppliedBeforeTheCrashAreNotPublishedAgain() {
        KeyValueStore<Integer, byte[]> rows = rows();
        Replica before = new Replica(rows);
        before.train(200, 1);
        before.commit();
        before.publish();
        before.apply(remoteDeltas(5)); // at a sync, as Song2vecProcessor does: after the publish
        before.commit();
        long songsAtSync = before.songsTrained;
        before.train(100, 2);
        before.commit();
        // another replica's delta over rows this one changed and has not published: model and baseline move alike
        List<ModelDelta> remote = remoteDeltas(6);
        before.apply(remote);
        before.train(50, 3);
        before.commit();
        List<ModelDelta> expected = before.publish();
        assertEquals(before.songsTrained - songsAtSync, countSum(expected), "own songs only, none received");

        Replica restored = new Replica(rows);
        List<ModelDelta> published = restored.publish();
        assertEquals(countSum(expected), countSum(published), "own counts only: the received ones are not echoed");
        assertEquals(expected, published, "the same vectors: received changes are in the baseline too");
        assertTrue(restored.store.model().vocab.size() > 0);
    }

    @Test
    void eachBaselineIsWrittenOncePerSyncNotAtEveryCommit() {
        List<Integer> baselineWrites = new ArrayList<>();
        KeyValueStore<Integer, byte[]> rows = rows();
        Replica replica = new Replica(new CountingRows(rows, baselineWrites));
        replica.train(200, 1);
        replica.commit();
        int afterFirst = baselineWrites.size();
        int blocks = (replica.store.model().vocab.size() + SongModelStore.BLOCK - 1) / SongModelStore.BLOCK;
        assertTrue(afterFirst > 0 && afterFirst <= blocks, afterFirst + " baseline entries for " + blocks + " blocks");
        replica.train(1, 1); // the same songs again: no new row is unpublished
        replica.commit();
        assertEquals(afterFirst, baselineWrites.size(), "an unchanged baseline is not written again");
    }

    /** The durable rows, recording each baseline entry written (keys below the init entry). */
    private static final class CountingRows extends org.apache.kafka.streams.state.internals.WrappedStateStore<
            KeyValueStore<Integer, byte[]>, Integer, byte[]> implements KeyValueStore<Integer, byte[]> {
        private final List<Integer> baselineWrites;

        CountingRows(KeyValueStore<Integer, byte[]> inner, List<Integer> baselineWrites) {
            super(inner);
            this.baselineWrites = baselineWrites;
        }

        @Override
        public void put(Integer key, byte[] value) {
            if (key < SongModelStore.INIT_ROW && value != null) {
                baselineWrites.add(key);
            }
            wrapped().put(key, value);
        }

        @Override
        public byte[] putIfAbsent(Integer key, byte[] value) {
            return wrapped().putIfAbsent(key, value);
        }

        @Override
        public void putAll(List<org.apache.kafka.streams.KeyValue<Integer, byte[]>> entries) {
            entries.forEach(e -> put(e.key, e.value));
        }

        @Override
        public byte[] delete(Integer key) {
            return wrapped().delete(key);
        }

        @Override
        public byte[] get(Integer key) {
            return wrapped().get(key);
        }

        @Override
        public org.apache.kafka.streams.state.KeyValueIterator<Integer, byte[]> range(Integer from, Integer to) {
            return wrapped().range(from, to);
        }

        @Override
        public org.apache.kafka.streams.state.KeyValueIterator<Integer, byte[]> all() {
            return wrapped().all();
        }

        @Override
        public long approximateNumEntries() {
            return wrapped().approximateNumEntries();
        }
    }
}
