package io.streamvec.song2vec.model;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Trains one model on several threads, Hogwild style as gensim's workers do: each worker has its own
 * {@link SgnsTrainer} over the shared dense arrays. A playlist always goes to the same worker, so its
 * events train in order and its context is touched by one thread only. {@link #drain()} waits until every
 * submitted event is trained; the caller drains before it reads contexts or persists rows. No Kafka here.
 */
public final class ParallelTraining implements AutoCloseable {

    private final SgnsTrainer[] trainers;
    private final ExecutorService[] workers;
    private final List<Future<?>> pending = new ArrayList<>();

    public ParallelTraining(SgnsModel model, int threads, long seed, String name) {
        if (threads < 2) {
            throw new IllegalArgumentException("parallel training needs at least 2 threads");
        }
        trainers = new SgnsTrainer[threads];
        workers = new ExecutorService[threads];
        for (int i = 0; i < threads; i++) {
            trainers[i] = new SgnsTrainer(model, seed * 31 + i);
            String threadName = name + "-trainer-" + i;
            workers[i] = Executors.newSingleThreadExecutor(r -> {
                Thread thread = new Thread(r, threadName);
                thread.setDaemon(true);
                return thread;
            });
        }
    }

    /** The trainer that owns a playlist (for new contexts and for the idle flush). */
    public SgnsTrainer trainerFor(String playlistId) {
        return trainers[worker(playlistId)];
    }

    private int worker(String playlistId) {
        return Math.floorMod(playlistId.hashCode(), trainers.length);
    }

    /**
     * Queues the event's rows for training on the playlist's worker; {@code complete} also flushes it;
     * {@code onTrained} runs on the worker once the event is trained.
     */
    public void submit(String playlistId, PlaylistContext ctx, int[] rows, int n, boolean complete,
                       Runnable onTrained) {
        int w = worker(playlistId);
        SgnsTrainer trainer = trainers[w];
        pending.add(workers[w].submit(() -> {
            trainer.train(ctx, rows, 0, n);
            if (complete) {
                trainer.flush(ctx);
            }
            onTrained.run();
        }));
    }

    /** Queues a flush of an idle playlist (CBOW's waiting songs train with the context they have). */
    public void submitFlush(String playlistId, PlaylistContext ctx) {
        SgnsTrainer trainer = trainerFor(playlistId);
        pending.add(workers[worker(playlistId)].submit(() -> trainer.flush(ctx)));
    }

    /** Events submitted and not yet known to be trained. */
    public int queued() {
        return pending.size();
    }

    /** Waits until every submitted event is trained; rethrows a worker's failure. */
    public void drain() {
        try {
            for (Future<?> future : pending) {
                future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for song2vec training", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("song2vec training failed: " + e.getCause(), e.getCause());
        } finally {
            pending.clear();
        }
        for (SgnsTrainer trainer : trainers) {
            trainer.sync();
        }
    }

    /** Rows every worker changed since the last call: [0] input rows, [1] output rows. Call after drain(). */
    public int[][] drainDirtyRows() {
        List<int[]> in = new ArrayList<>();
        List<int[]> out = new ArrayList<>();
        for (SgnsTrainer trainer : trainers) {
            int[][] dirty = trainer.drainDirtyRows();
            in.add(dirty[0]);
            out.add(dirty[1]);
        }
        return new int[][] {concat(in), concat(out)};
    }

    private static int[] concat(List<int[]> parts) {
        int[] all = new int[parts.stream().mapToInt(p -> p.length).sum()];
        int at = 0;
        for (int[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    @Override
    public void close() {
        for (ExecutorService worker : workers) {
            worker.shutdownNow();
        }
    }
}
