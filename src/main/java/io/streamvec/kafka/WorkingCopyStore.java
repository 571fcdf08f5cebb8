package io.streamvec.kafka;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A state store with an in-memory working copy over durable rows in a changelogged key-value store (the song
 * model, the text index). The plumbing both share lives here:
 * <ul>
 *   <li>the changes since the last commit are written to the rows in the pre-commit cache flush
 *       ({@link #flushCache}): Kafka Streams flushes caches before it commits a task, under exactly-once before
 *       the transaction commits, so the changelog always agrees with the committed input offsets and outputs;</li>
 *   <li>the working copy is dropped when the store is (re)initialised, closed or recycled into a standby
 *       ({@link #clearCache}), and rebuilt from the restored rows on first use.</li>
 * </ul>
 * Subclasses say what their changes are ({@link #persistChanges}) and how their working copy is dropped
 * ({@link #dropWorkingCopy}).
 */
public abstract class WorkingCopyStore<K> implements StateStore, CachedStateStore<K, byte[]> {

    private final String name;
    /** The durable rows: a changelogged key-value store of the same name. */
    protected final KeyValueStore<K, byte[]> rows;
    private volatile boolean open;

    protected WorkingCopyStore(String name, KeyValueStore<K, byte[]> rows) {
        this.name = name;
        this.rows = rows;
    }

    /** Writes the changes made since the last call to {@link #rows}. */
    protected abstract void persistChanges();

    /** Drops the working copy and every change not yet persisted: the next use rebuilds it from the rows. */
    protected abstract void dropWorkingCopy();

    /** Called once the rows are initialised (and restored from the changelog when the task runs here). */
    protected void initialized(StateStoreContext context) {
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final void init(StateStoreContext context, StateStore root) {
        rows.init(context, root);
        dropWorkingCopy();
        initialized(context);
        open = true;
    }

    @Override
    public final void flushCache() {
        persistChanges();
    }

    @Override
    public final boolean setFlushListener(CacheFlushListener<K, byte[]> listener, boolean sendOldValues) {
        return false;
    }

    /**
     * The task stops being active here (for example recycled into a standby, whose rows then follow another
     * instance's changelog): the next activation rebuilds the working copy from the durable rows.
     */
    @Override
    public final void clearCache() {
        dropWorkingCopy();
    }

    @Override
    public final void flush() {
        persistChanges();
        rows.flush();
    }

    @Override
    public final void commit(Map<TopicPartition, Long> changelogOffsets) {
        rows.commit(changelogOffsets);
    }

    @Override
    public final void close() {
        open = false;
        dropWorkingCopy();
        rows.close();
    }

    @Override
    public final boolean persistent() {
        return rows.persistent();
    }

    @Override
    public final boolean isOpen() {
        return open;
    }
}
