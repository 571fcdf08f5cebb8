package io.streamvec.song2vec.stream;

import io.streamvec.kafka.WorkingCopyStore;
import io.streamvec.song2vec.model.DirtyRows;
import io.streamvec.song2vec.model.NeighborIndex;
import io.streamvec.song2vec.model.SgnsConfig;
import io.streamvec.song2vec.model.SgnsModel;
import io.streamvec.song2vec.model.SgnsTrainer;
import io.streamvec.song2vec.model.SongModelView;
import io.streamvec.song2vec.model.TrainingStrategy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The song model of one task. The working copy is the dense in-memory {@link SgnsModel}; the durable
 * copy is a changelogged key-value store with one entry per block of {@value #BLOCK} vocabulary rows (song
 * id, count, input and output vector of each) plus a meta entry (tokens, events, the position in the
 * model-delta feed up to which other replicas' changes are included). Rows changed since the
 * last commit are written in the pre-commit cache flush ({@link WorkingCopyStore#flushCache}), so the changelog and the
 * committed input offsets always agree; after a restart or a task migration the working copy is rebuilt
 * from the restored store ({@link #model()}).
 */
public final class SongModelStore extends WorkingCopyStore<Integer> implements SongModelView {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SongModelStore.class);
    private static final int META_ROW = -1;
    /**
     * The entry naming the file a warm-started model started from: written once, first of all, at the model's
     * first commit and never again, so that it stays the first record of its changelog partition (compaction
     * keeps a key's last record, and this key has only one).
     */
    static final int INIT_ROW = -2;
    /** Rows per durable entry. */
    static final int BLOCK = 64;

    private final SgnsConfig config;
    private final InitialVectors initVectors;
    /** At most this many concurrent nearest-neighbour queries scanned together. */
    private final int queryBatch;
    private SgnsModel model;
    /** The file this model started from (its absolute name), or null; the entry is still to be written if pending. */
    private String startedFrom;
    private boolean startedFromPending;
    private DirtyRows pending;
    /**
     * Rows changed since the last {@link #collectChangedRows} (trained, or only counted: a subsampled song
     * is counted, not trained), including those a commit has persisted meanwhile.
     */
    private DirtyRows unpublished;
    private ChangeSource changes;
    private final java.util.concurrent.atomic.AtomicLong events = new java.util.concurrent.atomic.AtomicLong();
    /** The position in the model-delta feed up to which other replicas' deltas are in this model. */
    private long deltaPosition;
    private boolean metaChanged;
    private volatile NeighborIndex index;
    private long indexedEvents = -1;

    SongModelStore(String name, KeyValueStore<Integer, byte[]> rows, SgnsConfig config) {
        this(name, rows, config, null);
    }

    /** With {@code initVectors} (null: none), a model with no state starts from that file's vectors. */
    SongModelStore(String name, KeyValueStore<Integer, byte[]> rows, SgnsConfig config, InitialVectors initVectors) {
        this(name, rows, config, initVectors, NeighborIndex.DEFAULT_QUERY_BATCH);
    }

    /** With at most {@code queryBatch} concurrent nearest-neighbour queries scanned together. */
    SongModelStore(String name, KeyValueStore<Integer, byte[]> rows, SgnsConfig config, InitialVectors initVectors,
                   int queryBatch) {
        super(name, rows);
        this.queryBatch = queryBatch;
        this.config = config;
        this.initVectors = initVectors;
    }

    /** The working copy, rebuilt from the durable rows on first use after (re)start. */
    public SgnsModel model() {
        if (model == null) {
            pending = new DirtyRows(config.capacity);
            unpublished = new DirtyRows(config.capacity);
            model = load();
        }
        return model;
    }

    /** The warm-start file this model started from (its absolute name); empty when it started from nothing. */
    public Optional<String> startedFrom() {
        model();
        return Optional.ofNullable(startedFrom);
    }

    /**
     * The warm-start file named by the first record of a model changelog partition ({@code key} and {@code value}
     * as stored: an Integer key and bytes); empty when that record is not a warm start's.
     */
    public static Optional<String> startedFrom(byte[] key, byte[] value) {
        if (key == null || key.length != 4 || ByteBuffer.wrap(key).getInt() != INIT_ROW || value == null) {
            return Optional.empty();
        }
        return Optional.of(new String(value, StandardCharsets.UTF_8));
    }

    /** Where the changed rows come from: one trainer, or a {@link TrainingStrategy} (one thread or several). */
    public interface ChangeSource {
        /** Brings the working copy to a consistent state (all submitted training done) before it is persisted. */
        void settle();

        /** Rows changed since the last call: [0] input rows, [1] output rows. */
        int[][] drainDirtyRows();

        /** Songs counted by trainers but not yet added to the model's token count (persisted with it). */
        default long unsyncedTokens() {
            return 0;
        }
    }

    /** The trainer whose changed rows this store persists at every commit. */
    public void attach(SgnsTrainer trainer) {
        attach(new ChangeSource() {
            @Override
            public void settle() {
            }

            @Override
            public long unsyncedTokens() {
                return trainer.unsyncedTokens();
            }

            @Override
            public int[][] drainDirtyRows() {
                return trainer.drainDirtyRows();
            }
        });
    }

    /** The training strategy whose changed rows this store persists at every commit, settling it first. */
    public void attach(TrainingStrategy training) {
        attach(new ChangeSource() {
            @Override
            public void settle() {
                training.settle();
            }

            @Override
            public long unsyncedTokens() {
                return training.unsyncedTokens();
            }

            @Override
            public int[][] drainDirtyRows() {
                return training.drainDirtyRows();
            }
        });
    }

    public void attach(ChangeSource source) {
        this.changes = source;
    }

    /**
     * Collects the rows changed by training since the last call (settling parallel trainers first) and
     * returns them, sorted; they stay due for the next commit.
     */
    public int[] collectChangedRows() {
        if (changes == null) {
            return new int[0];
        }
        absorbTrainedRows();
        return unpublished.drain();
    }

    /**
     * Settles the trainers and takes the rows they changed: due for the next commit ({@code pending}) and
     * for the next sync ({@code unpublished}).
     */
    private void absorbTrainedRows() {
        changes.settle();
        for (int[] set : changes.drainDirtyRows()) {
            for (int row : set) {
                pending.mark(row / BLOCK);
                unpublished.mark(row);
            }
        }
    }

    /**
     * Marks rows changed outside training (other replicas' deltas) as due for the next commit, and the
     * query snapshot as stale.
     */
    public void markChanged(int[] rowsChanged) {
        for (int row : rowsChanged) {
            pending.mark(row / BLOCK);
        }
        if (rowsChanged.length > 0) {
            indexedEvents = -1;
        }
    }

    /** The model-delta feed position stored with this model (0 for a new model). */
    public long deltaPosition() {
        model();
        return deltaPosition;
    }

    /** Records the feed position up to which deltas are applied; persisted with the rows at the next commit. */
    public void deltaPosition(long position) {
        if (position != deltaPosition) {
            deltaPosition = position;
            metaChanged = true;
        }
    }

    /** Marks a row whose count (not necessarily vectors) changed. */
    public void markCounted(int row) {
        pending.mark(row / BLOCK);
        unpublished.mark(row);
    }

    /** Counts a trained event (thread-safe: parallel trainers call it). */
    public void eventTrained() {
        events.incrementAndGet();
    }

    @Override
    public long events() {
        return events.get();
    }

    /** Publishes a fresh snapshot for queries when the current one is older than {@code maxAgeMs}. */
    public void refreshIndex(long nowMs, long maxAgeMs) {
        NeighborIndex current = index;
        if (current == null || nowMs - current.builtAtMs >= maxAgeMs) {
            rebuildIndex(nowMs);
        }
    }

    /** Publishes a fresh snapshot if any event was trained since the current one was built. */
    public void refreshIndexIfChanged(long nowMs) {
        if (index == null || events.get() != indexedEvents) {
            rebuildIndex(nowMs);
        }
    }

    private void rebuildIndex(long nowMs) {
        indexedEvents = events.get();
        index = NeighborIndex.of(model(), indexedEvents, nowMs, queryBatch);
    }

    @Override
    public Optional<SongVector> vector(String songId) {
        NeighborIndex current = index;
        return current == null ? Optional.empty() : current.vector(songId);
    }

    @Override
    public Optional<List<Neighbor>> similar(String songId, int k) {
        NeighborIndex current = index;
        return current == null ? Optional.empty() : current.similar(songId, k);
    }

    @Override
    public Optional<List<Neighbor>> continuation(List<String> recentSongIds, int k) {
        NeighborIndex current = index;
        return current == null ? Optional.empty() : current.continuation(recentSongIds, k);
    }

    @Override
    public Optional<Answer> mostSimilar(List<String> positive, List<String> negative, int k) {
        NeighborIndex current = index;
        return current == null ? Optional.empty() : current.mostSimilar(positive, negative, k);
    }

    @Override
    public Optional<Answer> continuationOf(List<String> songIds, int k) {
        NeighborIndex current = index;
        return current == null ? Optional.empty() : current.continuationOf(songIds, k);
    }

    @Override
    public List<SongCount> top(int k) {
        NeighborIndex current = index;
        return current == null ? List.of() : current.top(k);
    }

    @Override
    public long count(String songId) {
        NeighborIndex current = index;
        return current == null ? 0 : current.count(songId);
    }

    @Override
    public void forEachSong(SongVisitor visitor) {
        SgnsModel m = model;
        if (m == null) {
            return;
        }
        for (int row = 0; row < m.vocab.size(); row++) {
            String id = m.vocab.id(row);
            long count = m.vocab.count(row);
            if (id != null && count >= config.minCount) {
                visitor.visit(id, count, m.vector(row));
            }
        }
    }

    @Override
    public List<String> songIds(int[] rowsOfModel) {
        SgnsModel m = model;
        List<String> ids = new java.util.ArrayList<>(rowsOfModel.length);
        if (m != null) {
            for (int row : rowsOfModel) {
                String id = row >= 0 && row < m.vocab.size() ? m.vocab.id(row) : null;
                if (id != null) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }

    @Override
    public List<Long> snapshots() {
        NeighborIndex current = index;
        return List.of(current == null ? 0L : current.sequence);
    }

    @Override
    public int vocabularySize() {
        NeighborIndex current = index;
        return current == null ? 0 : current.size();
    }

    /** Entries in the durable store (row blocks plus the meta entry), counted: for tests. */
    long durableEntries() {
        long n = 0;
        try (KeyValueIterator<Integer, byte[]> all = rows.all()) {
            while (all.hasNext()) {
                all.next();
                n++;
            }
        }
        return n;
    }

    /**
     * Writes every block of rows changed since the last commit, and the meta entry, to the durable store.
     * Rows are stored in blocks of {@value #BLOCK} consecutive rows: with negative sampling a commit
     * touches much of the vocabulary, and one put per block instead of per row cuts the store and
     * changelog overhead by the block size for the same bytes.
     */
    @Override
    protected void persistChanges() {
        if (model == null) {
            return;
        }
        if (changes != null) {
            absorbTrainedRows();
        }
        if (pending.size() == 0 && !metaChanged) {
            return;
        }
        if (startedFromPending) { // first of all: see INIT_ROW
            rows.put(INIT_ROW, startedFrom.getBytes(StandardCharsets.UTF_8));
            startedFromPending = false;
        }
        for (int block : pending.drain()) {
            rows.put(block, encodeBlock(block));
        }
        rows.put(META_ROW, ByteBuffer.allocate(40)
                .putLong(model.tokens() + (changes == null ? 0 : changes.unsyncedTokens()))
                .putLong(events.get())
                .putInt(config.dim)
                .putInt(config.window)
                .putInt(config.capacity)
                .putInt(config.mode.ordinal())
                .putLong(deltaPosition)
                .array());
        metaChanged = false;
    }

    private static void checkUnchanged(String key, int stored, int configured) {
        if (stored != configured) {
            throw new IllegalStateException("the stored song model was trained with " + key + " = " + stored
                    + " (as an ordinal for the mode) but the configuration says " + configured
                    + ": keep the setting, or start a new model with a new application.id");
        }
    }

    /** Block layout: row count, then per row a presence byte and, if present, count, id and both vectors. */
    private byte[] encodeBlock(int block) {
        int dim = config.dim;
        int first = block * BLOCK;
        int last = Math.min(first + BLOCK, model.vocab.size());
        byte[][] ids = new byte[Math.max(0, last - first)][];
        int size = 4;
        for (int row = first; row < last; row++) {
            String id = model.vocab.id(row);
            ids[row - first] = id == null ? null : id.getBytes(StandardCharsets.UTF_8);
            size += 1 + (id == null ? 0 : 8 + 4 + ids[row - first].length + 8 * dim);
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(last - first);
        for (int row = first; row < last; row++) {
            byte[] id = ids[row - first];
            if (id == null) {
                b.put((byte) 0);
                continue;
            }
            b.put((byte) 1).putLong(model.vocab.count(row)).putInt(id.length).put(id);
            int off = row * dim;
            for (int i = 0; i < dim; i++) {
                b.putFloat(model.syn0[off + i]);
            }
            for (int i = 0; i < dim; i++) {
                b.putFloat(model.syn1neg[off + i]);
            }
        }
        return b.array();
    }

    /** A model with no durable state started from the warm-start file: every row due at the first commit. */
    private SgnsModel warmStart() {
        var vectors = initVectors.load(config);
        SgnsModel started = new SgnsModel(config);
        started.warmStart(vectors.ids(), vectors.counts(), vectors.values());
        for (int row = 0; row < started.vocab.size(); row++) {
            pending.mark(row / BLOCK);
        }
        startedFrom = initVectors.name();
        startedFromPending = true;
        metaChanged = true;
        LOG.info("song model {} starts from {} ({} songs)", name(), startedFrom, vectors.size());
        return started;
    }

    private boolean hasState() {
        try (KeyValueIterator<Integer, byte[]> all = rows.all()) {
            return all.hasNext();
        }
    }

    private SgnsModel load() {
        if (initVectors != null && !hasState()) {
            return warmStart();
        }
        SgnsModel restored = new SgnsModel(config);
        int dim = config.dim;
        byte[] meta = rows.get(META_ROW);
        if (meta != null) { // checked before any row is decoded: the rows' layout depends on these settings
            ByteBuffer b = ByteBuffer.wrap(meta);
            restored.restoreTokens(b.getLong());
            events.set(b.getLong());
            checkUnchanged("song2vec.dim", b.getInt(), dim);
            if (b.remaining() >= 12) {
                checkUnchanged("song2vec.window", b.getInt(), config.window);
                checkUnchanged("song2vec.capacity", b.getInt(), config.capacity);
                checkUnchanged("song2vec.mode", b.getInt(), config.mode.ordinal());
            }
            deltaPosition = b.remaining() >= 8 ? b.getLong() : 0;
        }
        try (KeyValueIterator<Integer, byte[]> all = rows.all()) {
            while (all.hasNext()) {
                KeyValue<Integer, byte[]> entry = all.next();
                if (entry.key == INIT_ROW) {
                    startedFrom = new String(entry.value, StandardCharsets.UTF_8);
                    continue;
                }
                if (entry.key == META_ROW) {
                    continue;
                }
                ByteBuffer b = ByteBuffer.wrap(entry.value);
                int n = b.getInt();
                for (int row = entry.key * BLOCK; row < entry.key * BLOCK + n; row++) {
                    if (b.get() == 0) {
                        continue;
                    }
                    long count = b.getLong();
                    byte[] idBytes = new byte[b.getInt()];
                    b.get(idBytes);
                    restored.vocab.restore(row, new String(idBytes, StandardCharsets.UTF_8), count);
                    int off = row * dim;
                    for (int i = 0; i < dim; i++) {
                        restored.syn0[off + i] = b.getFloat();
                    }
                    for (int i = 0; i < dim; i++) {
                        restored.syn1neg[off + i] = b.getFloat();
                    }
                }
            }
        }
        restored.rebuildSampler();
        if (initVectors != null && !initVectors.name().equals(startedFrom)) {
            LOG.warn("{} is {} but song model {} already has state ({}): the state is kept, the file is not read",
                    InitialVectors.KEY, initVectors.name(), name(),
                    startedFrom == null ? "not started from a file" : "started from " + startedFrom);
        }
        return restored;
    }

    /**
     * The working copy is dropped (at (re)initialisation, close, or when the task stops being active here, for
     * example recycled into a standby whose rows then follow another instance's changelog): the next use
     * rebuilds it from the durable rows.
     */
    @Override
    protected void dropWorkingCopy() {
        model = null;
        pending = null;
        unpublished = null;
        index = null;
        changes = null;
        events.set(0);
        deltaPosition = 0;
        metaChanged = false;
        startedFrom = null;
        startedFromPending = false;
        indexedEvents = -1;
    }
}
