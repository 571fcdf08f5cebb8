package io.streamvec.song2vec.model;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Concurrent nearest-neighbour queries on one {@link TopK} answered by one shared, circular scan: up to
 * {@code maxBatch} queries ride the same pass over the rows, each block loaded once for all of them
 * ({@link TopK#scanBlocks}).
 *
 * <p>The scan goes round the rows in chunks of {@link #CHUNK_BLOCKS} blocks. A query that arrives while it runs
 * joins at the next chunk, rides to the end of the rows and on from the first until it is back where it joined,
 * and is answered there; nobody waits for a scan to finish or for company. A lone query is one round alone.
 * (Database engines share sequential scans of a table the same way.) A query's rows are offered to its heap in
 * whatever order its round takes them, and the heap ranks ties by row, so every answer is exactly that of
 * {@link TopK#nearest(float[], int, int, int, float[])}.
 *
 * <p>Who scans: the callers themselves, one at a time (flat combining). A caller queues its query; one that finds
 * no scan running runs it, admitting queued queries at each chunk, until its own query is answered; it then hands
 * the scan, with the queries still riding, to one of their callers and returns, so no caller serves others for
 * longer than its own round. Answered callers are woken at once.
 */
public final class QueryCombiner {

    /** Blocks of rows scanned between admissions: 128 blocks are 2,048 rows with 16 lanes. */
    static final int CHUNK_BLOCKS = 128;

    /** One caller's query and, once its round is done, its answer. */
    private static final class Query {
        final float[] vec;
        final int off;
        final int k;
        final int exclude;
        final float[] scoresOut;
        final Thread caller = Thread.currentThread();
        /** Owned by the scan's runner: the k best so far, and the blocks its round has still to cover. */
        TopK.Heap best;
        int blocksLeft;
        volatile int[] answer;
        volatile Throwable failure;
        /** Set when the scan is handed to this query's caller. */
        volatile boolean runScan;

        Query(float[] vec, int off, int k, int exclude, float[] scoresOut) {
            this.vec = vec;
            this.off = off;
            this.k = k;
            this.exclude = exclude;
            this.scoresOut = scoresOut;
        }

        boolean done() {
            return answer != null || failure != null;
        }
    }

    private final TopK topK;
    private final int maxBatch;
    private final int blockCount;
    private final ConcurrentLinkedQueue<Query> queued = new ConcurrentLinkedQueue<>();
    /** Whether some caller owns the scan; the fields below are the owner's (the flag or the hand-over orders them). */
    private final AtomicBoolean scanning = new AtomicBoolean();
    private final Query[] riding;
    private final float[][] vecs;
    private final int[] offs;
    private final int[] excludes;
    private final TopK.Heap[] heaps;
    private int ridingCount;
    /** The next block the scan covers. */
    private int cursor;
    /** Blocks scanned and queries answered: statistics, read without a lock. */
    private long blocksScanned;
    private long answered;

    /** Queries on {@code topK}, at most {@code maxBatch} (>= 1; 1: each alone) riding one scan at a time. */
    public QueryCombiner(TopK topK, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, not " + maxBatch);
        }
        this.topK = topK;
        this.maxBatch = maxBatch;
        this.blockCount = topK.blockCount();
        this.riding = new Query[maxBatch];
        this.vecs = new float[maxBatch][];
        this.offs = new int[maxBatch];
        this.excludes = new int[maxBatch];
        this.heaps = new TopK.Heap[maxBatch];
    }

    public TopK topK() {
        return topK;
    }

    public int maxBatch() {
        return maxBatch;
    }

    /** Rounds of the rows scanned so far (blocks scanned over the blocks in a round); with maxBatch 1, 0. */
    public long scans() {
        return blockCount == 0 ? 0 : blocksScanned / blockCount;
    }

    /** Queries answered by the scan so far: {@code scanned() / scans()} is the mean number riding a round. */
    public long scanned() {
        return answered;
    }

    /** {@link TopK#nearest(float[], int, int, int, float[])}, on the scan it shares with concurrent queries. */
    public int[] nearest(float[] vec, int off, int k, int exclude, float[] scoresOut) {
        if (maxBatch == 1) {
            return topK.nearest(vec, off, k, exclude, scoresOut);
        }
        Query mine = new Query(vec, off, k, exclude, scoresOut);
        queued.add(mine);
        while (!mine.done()) {
            if (mine.runScan || scanning.compareAndSet(false, true)) {
                mine.runScan = false;
                Query next = run(mine);
                if (next != null) {
                    next.runScan = true; // the scan stays owned: handed over, with the queries still riding
                    LockSupport.unpark(next.caller);
                } else {
                    scanning.set(false);
                    // A caller that queued while the scan was owned may have parked: wake one to take it up.
                    Query waiting = queued.peek();
                    if (waiting != null) {
                        LockSupport.unpark(waiting.caller);
                    }
                }
            } else {
                LockSupport.park(this); // woken with its answer, or to run the scan; spurious wake-ups loop
            }
        }
        if (mine.failure instanceof RuntimeException e) {
            throw e;
        }
        if (mine.failure instanceof Error e) {
            throw e;
        }
        return mine.answer;
    }

    /**
     * Runs the scan until {@code mine} is answered; returns a query still riding, whose caller runs it on, or
     * null when none is.
     */
    private Query run(Query mine) {
        while (!mine.done()) {
            admit(mine);
            if (ridingCount == 0) {
                continue; // mine was answered at admission, or is still queued behind others answered there
            }
            int from = cursor;
            int to = Math.min(blockCount, from + CHUNK_BLOCKS);
            try {
                topK.scanBlocks(vecs, offs, ridingCount, excludes, heaps, from, to);
            } catch (RuntimeException | Error e) {
                // Admission checked every query, so this is no one query's fault: all riding fail with it.
                for (int i = 0; i < ridingCount; i++) {
                    finish(riding[i], null, e, mine);
                }
                clearRiding(0);
                continue;
            }
            blocksScanned += to - from;
            cursor = to == blockCount ? 0 : to;
            int kept = 0;
            for (int i = 0; i < ridingCount; i++) {
                Query q = riding[i];
                q.blocksLeft -= to - from;
                if (q.blocksLeft > 0) {
                    ride(kept++, q);
                    continue;
                }
                try {
                    finish(q, q.best.drain(q.scoresOut), null, mine);
                } catch (RuntimeException e) {
                    finish(q, null, e, mine); // e.g. its scoresOut too short for its rows
                }
            }
            clearRiding(kept);
        }
        return ridingCount > 0 ? riding[0] : null;
    }

    /** Lets queued queries ride, while there is room; answers at once those that need no scan or are malformed. */
    private void admit(Query mine) {
        Query q;
        while (ridingCount < maxBatch && (q = queued.poll()) != null) {
            int rows = topK.rowsFor(q.k, q.exclude);
            if (q.vec == null) {
                finish(q, null, new NullPointerException("the query vector is null"), mine);
            } else if (q.off < 0 || q.off > q.vec.length - topK.dim()) {
                finish(q, null, new IndexOutOfBoundsException("a query of dimension " + topK.dim() + " at "
                        + q.off + " does not fit in a vector of " + q.vec.length), mine);
            } else if (rows == 0) {
                finish(q, new int[0], null, mine);
            } else {
                q.best = new TopK.Heap(rows);
                q.blocksLeft = blockCount;
                ride(ridingCount++, q);
            }
        }
    }

    private void ride(int i, Query q) {
        riding[i] = q;
        vecs[i] = q.vec;
        offs[i] = q.off;
        excludes[i] = q.exclude;
        heaps[i] = q.best;
    }

    private void clearRiding(int count) {
        for (int i = count; i < ridingCount; i++) {
            riding[i] = null;
            vecs[i] = null;
            heaps[i] = null;
        }
        ridingCount = count;
    }

    private void finish(Query q, int[] answer, Throwable failure, Query mine) {
        answered++;
        q.best = null;
        if (failure != null) {
            q.failure = failure;
        } else {
            q.answer = answer;
        }
        if (q != mine) {
            LockSupport.unpark(q.caller);
        }
    }
}
