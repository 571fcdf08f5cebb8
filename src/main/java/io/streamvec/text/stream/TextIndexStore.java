package io.streamvec.text.stream;

import io.streamvec.kafka.WorkingCopyStore;
import io.streamvec.text.model.SearchMode;
import io.streamvec.text.model.TextVectorIndex;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The text index of one text-events task: what the task embedded (source id, the text's first 1,000 characters,
 * vector, event time). The durable copy is a changelogged key-value store keyed by source id (compacted: a
 * re-sent id and an eviction leave one record, or a tombstone); the working copy is a dense
 * {@link TextVectorIndex} for search. The song model's pattern: changes since the last commit are written in the
 * pre-commit cache flush ({@link #flushCache}), so the changelog and the committed input offsets and
 * {@code text-embeddings} records always agree; the working copy is rebuilt from the restored store on first use
 * after a restart, a migration or a standby's promotion ({@link #open()}).
 *
 * <p>Bounded: past {@link TextIndexSettings#maxTexts()} the oldest text by event time goes (ties: the smaller id),
 * and so does every text older than {@link TextIndexSettings#retentionMs()} before the newest it has indexed.
 * Both are decided from the texts held, so the index restored from the changelog is the same index.
 */
public final class TextIndexStore extends WorkingCopyStore<String> implements TextIndexView {

    private static final Logger LOG = LoggerFactory.getLogger(TextIndexStore.class);

    private record Aged(long timestampMs, String id) {}

    private static final Comparator<Aged> OLDEST_FIRST =
            Comparator.comparingLong(Aged::timestampMs).thenComparing(Aged::id);

    private final TextIndexSettings settings;
    private volatile TextVectorIndex index;
    private int partition = -1;
    private boolean loaded;
    private final TreeSet<Aged> byAge = new TreeSet<>(OLDEST_FIRST);
    private final Map<String, Long> timestampOf = new HashMap<>();
    /** Changes since the last flush, by id: the entry to write, or null for a tombstone. */
    private final Map<String, TextVectorIndex.Entry> pending = new LinkedHashMap<>();
    /**
     * The vectors put since the last flush, readable by searching threads: an int8 index re-ranks from them until
     * the durable store has them (only the int8 mode reads it).
     */
    private final Map<String, float[]> unflushed = new ConcurrentHashMap<>();
    private long newestMs = Long.MIN_VALUE;

    TextIndexStore(String name, KeyValueStore<String, byte[]> rows, TextIndexSettings settings) {
        super(name, rows);
        this.settings = settings;
    }

    @Override
    protected void initialized(StateStoreContext context) {
        partition = context.taskId().partition();
    }

    @Override
    protected void dropWorkingCopy() {
        index = null;
        loaded = false;
        byAge.clear();
        timestampOf.clear();
        pending.clear();
        unflushed.clear();
        newestMs = Long.MIN_VALUE;
    }

    /**
     * Rebuilds the working copy from the durable store unless it is built (the processor calls it when its task
     * starts, after restoration). Entries of another dimension than the first (a new model) are dropped.
     */
    public void open() {
        if (loaded) {
            return;
        }
        loaded = true;
        TextVectorIndex rebuilt = null;
        List<String> stale = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = rows.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> row = all.next();
                TextVectorIndex.Entry entry = decode(row.key, row.value);
                if (rebuilt == null) {
                    rebuilt = newIndex(entry.vector().length);
                }
                if (entry.vector().length != rebuilt.dim()) {
                    stale.add(row.key);
                    continue;
                }
                rebuilt.put(entry);
                track(entry.id(), entry.timestampMs());
            }
        }
        if (!stale.isEmpty()) {
            LOG.warn("text index {} (partition {}): {} texts of another dimension than {} dropped (the embedding "
                    + "model changed)", name(), partition, stale.size(), rebuilt.dim());
            stale.forEach(id -> pending.put(id, null));
        }
        index = rebuilt;
        evict();
    }

    /** Adds a text, replacing the entry of the same id, then evicts what the bounds say. */
    public void put(TextVectorIndex.Entry entry) {
        open();
        TextVectorIndex current = index;
        if (current != null && current.dim() != entry.vector().length) {
            LOG.warn("text index {} (partition {}): the embedding dimension changed from {} to {}; the {} texts "
                    + "indexed before are dropped", name(), partition, current.dim(), entry.vector().length,
                    current.size());
            for (String id : List.copyOf(timestampOf.keySet())) {
                remove(id);
            }
            current = null;
        }
        if (current == null) {
            current = newIndex(entry.vector().length);
            index = current;
        }
        untrack(entry.id());
        if (settings.search() == SearchMode.INT8) {
            unflushed.put(entry.id(), entry.vector());
        }
        current.put(entry);
        track(entry.id(), entry.timestampMs());
        pending.put(entry.id(), entry);
        evict();
    }

    /** Removes the text of this id (a tombstone at the next flush); false if none was held. */
    public boolean remove(String id) {
        open();
        if (!untrack(id)) {
            return false;
        }
        index.remove(id);
        pending.put(id, null);
        return true;
    }

    private TextVectorIndex newIndex(int dim) {
        return new TextVectorIndex(dim, settings.search(), this::exactVector);
    }

    /**
     * A held text's fp32 vector for an int8 index's re-rank (searching threads): the one put since the last flush,
     * else the durable store's.
     */
    private float[] exactVector(String id) {
        float[] v = unflushed.get(id);
        if (v != null) {
            return v;
        }
        byte[] row = rows.get(id);
        return row == null ? null : decodeVector(id, row);
    }

    private void track(String id, long timestampMs) {
        timestampOf.put(id, timestampMs);
        byAge.add(new Aged(timestampMs, id));
        newestMs = Math.max(newestMs, timestampMs);
    }

    private boolean untrack(String id) {
        Long ts = timestampOf.remove(id);
        if (ts == null) {
            return false;
        }
        byAge.remove(new Aged(ts, id));
        return true;
    }

    private void evict() {
        while (byAge.size() > settings.maxTexts()) {
            remove(byAge.first().id());
        }
        if (settings.retentionMs() > 0 && newestMs != Long.MIN_VALUE) {
            long oldestKept = newestMs - settings.retentionMs();
            while (!byAge.isEmpty() && byAge.first().timestampMs() < oldestKept) {
                remove(byAge.first().id());
            }
        }
    }

    /** The whole working copy (null while empty): for the processor's batch searches. */
    TextVectorIndex working() {
        open();
        return index;
    }

    @Override
    public int partition() {
        return partition;
    }

    @Override
    public int size() {
        TextVectorIndex current = index;
        return current == null ? 0 : current.size();
    }

    /** Bytes the working copy holds for search (vectors and timestamps). */
    public long searchBytes() {
        TextVectorIndex current = index;
        return current == null ? 0 : current.searchBytes();
    }

    @Override
    public List<TextVectorIndex.Hit> search(float[] query, int k, long sinceMs, String excludeId) {
        TextVectorIndex current = index;
        if (current == null || current.dim() != query.length) {
            return List.of();
        }
        return current.search(query, k, sinceMs, excludeId);
    }

    @Override
    public List<TextVectorIndex.Hit> newest(int k) {
        TextVectorIndex current = index;
        return current == null ? List.of() : current.newest(k);
    }

    @Override
    public Optional<TextVectorIndex.Entry> get(String id) {
        TextVectorIndex current = index;
        return current == null ? Optional.empty() : current.get(id);
    }

    /** Entries in the durable store, counted: for tests. */
    long durableEntries() {
        long n = 0;
        try (KeyValueIterator<String, byte[]> all = rows.all()) {
            while (all.hasNext()) {
                all.next();
                n++;
            }
        }
        return n;
    }

    /** Writes the changes since the last flush: each changed id's entry, or a tombstone. */
    @Override
    protected void persistChanges() {
        for (Map.Entry<String, TextVectorIndex.Entry> change : pending.entrySet()) {
            if (change.getValue() == null) {
                rows.delete(change.getKey());
            } else {
                rows.put(change.getKey(), encode(change.getValue()));
            }
        }
        pending.clear();
        unflushed.clear(); // after the writes: a searching thread finds each vector in one or the other
    }

    /** Where a stored row's text bytes start: after the event time and the text's length. */
    private static final int TEXT_AT = 8 + 4;

    /** Layout: event time, the text's UTF-8 length and bytes, the dimension, the floats. */
    static byte[] encode(TextVectorIndex.Entry entry) {
        byte[] text = entry.text().getBytes(StandardCharsets.UTF_8);
        float[] v = entry.vector();
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + text.length + 4 + 4 * v.length);
        b.putLong(entry.timestampMs()).putInt(text.length).put(text).putInt(v.length);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    /** The whole entry of a stored row ({@link #encode}'s layout); a row that does not fit the layout is an error. */
    static TextVectorIndex.Entry decode(String id, byte[] value) {
        int textBytes = textBytes(id, value);
        long ts = ByteBuffer.wrap(value).getLong();
        String text = new String(value, TEXT_AT, textBytes, StandardCharsets.UTF_8);
        return new TextVectorIndex.Entry(id, text, vector(id, value, textBytes), ts);
    }

    /**
     * The vector alone of a stored row, as {@link #decode} reads it: the text's bytes are skipped, not decoded (an
     * int8 index's re-rank reads one row per candidate). A row that does not fit the layout is an error.
     */
    static float[] decodeVector(String id, byte[] value) {
        return vector(id, value, textBytes(id, value));
    }

    /** The text's length in bytes, checked to leave room for the dimension after it. */
    private static int textBytes(String id, byte[] value) {
        if (value.length < TEXT_AT + 4) {
            throw corrupt(id, value, "shorter than its fixed fields (16 bytes)");
        }
        int textBytes = ByteBuffer.wrap(value, 8, 4).getInt();
        if (textBytes < 0 || textBytes > value.length - TEXT_AT - 4) {
            throw corrupt(id, value, "a text of " + textBytes + " bytes");
        }
        return textBytes;
    }

    /** The floats after the text's {@code textBytes} bytes, whose count must fill the rest of the row exactly. */
    private static float[] vector(String id, byte[] value, int textBytes) {
        int dimAt = TEXT_AT + textBytes;
        int dim = ByteBuffer.wrap(value, dimAt, 4).getInt();
        long floatBytes = value.length - dimAt - 4L;
        if (dim < 0 || 4L * dim != floatBytes) {
            throw corrupt(id, value, "a vector of " + dim + " floats where " + floatBytes + " bytes are left");
        }
        float[] v = new float[dim];
        ByteBuffer.wrap(value, dimAt + 4, 4 * dim).slice().asFloatBuffer().get(v);
        return v;
    }

    private static IllegalArgumentException corrupt(String id, byte[] value, String what) {
        return new IllegalArgumentException("text index row of id '" + id + "' (" + value.length
                + " bytes) is corrupt: " + what);
    }
}
