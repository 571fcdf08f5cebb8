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
 * from the restored store ({@link #model()}). A replica of a model trained by several tasks also persists, per
 * block, the {@link ModelSync} baseline of the rows it changed since its last sync, until the sync that publishes
 * them ({@link #replicaSync}).
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
    /**
     * The key of the first block's baseline entry ({@link #baselineKey}): the keys below {@link #INIT_ROW} hold,
     * per block of rows, the {@link ModelSync} baseline of the rows changed since the last sync.
     */
    private static final int BASELINE_KEYS = -3;

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
    /**
     * The exchange with other replicas, when there is one ({@link #replicaSync}): the baselines of {@code unpublished}
     * rows are persisted with the rows, so that what a commit made durable but no sync published yet is published
     * after a restart too.
     */
    private ModelSync sync;
    /** Baseline entries read at restore (block, value), until {@link #replicaSync} hands them to the exchange. */
    private java.util.Map<Integer, byte[]> restoredBaselines;
    /** Blocks with a baseline entry in the durable store. */
    private java.util.BitSet storedBaselines;
    /** Blocks whose baseline entry is to be written or deleted at the next commit. */
    private java.util.BitSet staleBaselines;
    private ChangeSource changes;
    private final java.util.concurrent.atomic.AtomicLong events = new java.util.concurrent.atomic.AtomicLong();
    /** The position in the model-delta feed up to which other replicas' deltas are in this model. */
    private long deltaPosition;
    private boolean metaChanged;
    private volatile NeighborIndex index;
    /**
     * The current snapshot with what the snapshots before it answered from kept searches and by a scan, read
     * together so that the counts only grow.
     */
    private volatile SimilarCounts similarCounts = new SimilarCounts(null, 0, 0);

    private record SimilarCounts(NeighborIndex index, long keptBefore, long scannedBefore) {}
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
            storedBaselines = new java.util.BitSet();
            staleBaselines = new java.util.BitSet();
            restoredBaselines = new java.util.TreeMap<>();
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
        staleBaselines.or(storedBaselines); // published now: the next commit deletes (or rewrites) them
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
                if (unpublished.mark(row)) {
                    staleBaselines.set(row / BLOCK);
                }
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
            if (unpublished.contains(row)) { // its baseline moved with it
                staleBaselines.set(row / BLOCK);
            }
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
        if (unpublished.mark(row)) {
            staleBaselines.set(row / BLOCK);
        }
    }

    /**
     * The exchange of this replica with the others, named {@code source} ({@code application/task}). Its baseline is
     * the model's current state except for the rows a commit made durable before a restart but no sync published:
     * their baselines come from the store, and those rows are due at the next {@link #collectChangedRows}. From now
     * on every commit persists the baselines of the rows changed since the last sync with the rows themselves. While
     * the working copy lives, the same exchange is returned again.
     */
    public ModelSync replicaSync(String source) {
        SgnsModel m = model();
        if (sync != null && sync.source().equals(source)) {
            return sync;
        }
        sync = new ModelSync(m, source);
        float[] input = new float[config.dim];
        float[] output = new float[config.dim];
        for (var entry : restoredBaselines.entrySet()) {
            ByteBuffer b = ByteBuffer.wrap(entry.getValue());
            int n = b.getInt();
            for (int k = 0; k < n; k++) {
                int row = entry.getKey() * BLOCK + b.getInt();
                String id = null;
                int idLength = b.getInt();
                if (idLength >= 0) {
                    byte[] idBytes = new byte[idLength];
                    b.get(idBytes);
                    id = new String(idBytes, StandardCharsets.UTF_8);
                }
                long count = b.getLong();
                for (int i = 0; i < config.dim; i++) {
                    input[i] = b.getFloat();
                }
                for (int i = 0; i < config.dim; i++) {
                    output[i] = b.getFloat();
                }
                sync.restoreBaseline(row, id, count, input, output);
                unpublished.mark(row);
            }
        }
        restoredBaselines.clear();
        return sync;
    }

    private static int baselineKey(int block) {
        return BASELINE_KEYS - block;
    }

    /**
     * Writes or deletes the baseline entries of the blocks whose unpublished rows or their baselines changed since
     * the last commit. Per block: the count of rows, then per unpublished row its offset in the block, the song its
     * baseline was taken for (length and UTF-8 bytes; length -1: none), the count and both vectors. A row's
     * baseline stays put between syncs (a received delta moves it, but deltas are applied right after a publish,
     * when no row is unpublished), so each block's entry is written about once per sync, at the first commit
     * after a row of the block changed, and deleted at the first commit after the sync that published it.
     */
    private void persistBaselines() {
        if (sync == null) {
            return;
        }
        int dim = config.dim;
        long[] count = new long[1];
        float[] input = new float[dim];
        float[] output = new float[dim];
        for (int block = staleBaselines.nextSetBit(0); block >= 0; block = staleBaselines.nextSetBit(block + 1)) {
            int first = block * BLOCK;
            int last = Math.min(first + BLOCK, config.capacity);
            List<byte[]> ids = new java.util.ArrayList<>();
            int n = 0;
            int size = 4;
            for (int row = first; row < last; row++) {
                if (unpublished.contains(row)) {
                    String id = sync.baseline(row, count, input, output);
                    byte[] idBytes = id == null ? null : id.getBytes(StandardCharsets.UTF_8);
                    ids.add(idBytes);
                    size += 4 + 4 + (idBytes == null ? 0 : idBytes.length) + 8 + 8 * dim;
                    n++;
                }
            }
            if (n == 0) {
                if (storedBaselines.get(block)) {
                    rows.delete(baselineKey(block));
                    storedBaselines.clear(block);
                }
                continue;
            }
            ByteBuffer b = ByteBuffer.allocate(size).putInt(n);
            int k = 0;
            for (int row = first; row < last; row++) {
                if (!unpublished.contains(row)) {
                    continue;
                }
                sync.baseline(row, count, input, output);
                byte[] id = ids.get(k++);
                b.putInt(row - first).putInt(id == null ? -1 : id.length);
                if (id != null) {
                    b.put(id);
                }
                b.putLong(count[0]);
                for (int i = 0; i < dim; i++) {
                    b.putFloat(input[i]);
                }
                for (int i = 0; i < dim; i++) {
                    b.putFloat(output[i]);
                }
            }
            rows.put(baselineKey(block), b.array());
            storedBaselines.set(block);
        }
        staleBaselines.clear();
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
        SimilarCounts before = similarCounts;
        NeighborIndex previous = before.index();
        // queries still running on the previous snapshot may add a few more: those are not counted
        similarCounts = previous == null ? new SimilarCounts(index, 0, 0) : new SimilarCounts(index,
                before.keptBefore() + previous.cacheHits(), before.scannedBefore() + previous.cacheMisses());
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
    public CacheCounts similarCache() {
        SimilarCounts counts = similarCounts;
        NeighborIndex current = counts.index();
        return current == null ? new CacheCounts(0, 0) : new CacheCounts(counts.keptBefore() + current.cacheHits(),
                counts.scannedBefore() + current.cacheMisses());
    }

    @Override
    public int vocabularySize() {
        NeighborIndex current = index;
        return current == null ? 0 : current.size();
    }

    /** Entries in the durable store (row blocks, baseline blocks and the meta entry), counted: for tests. */
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
        if (startedFromPending) { // first of all: see INIT_ROW
            rows.put(INIT_ROW, startedFrom.getBytes(StandardCharsets.UTF_8));
            startedFromPending = false;
        }
        persistBaselines();
        if (pending.size() == 0 && !metaChanged) {
            return;
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
                if (entry.key <= BASELINE_KEYS) {
                    int block = BASELINE_KEYS - entry.key;
                    restoredBaselines.put(block, entry.value);
                    storedBaselines.set(block);
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
        sync = null;
        restoredBaselines = null;
        storedBaselines = null;
        staleBaselines = null;
        index = null;
        similarCounts = new SimilarCounts(null, 0, 0);
        changes = null;
        events.set(0);
        deltaPosition = 0;
        metaChanged = false;
        startedFrom = null;
        startedFromPending = false;
        indexedEvents = -1;
    }
}
