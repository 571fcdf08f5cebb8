package io.streamvec.song2vec.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Trains one model on several threads, Hogwild style as gensim's workers do: each worker has its own
 * {@link SgnsTrainer} over the shared dense arrays. A playlist always goes to the same worker, so its
 * events train in order and its context is touched by one thread only. Contexts handed to the workers stay
 * in flight (a playlist's next event continues from the in-flight context) until {@link #settle()} waits
 * for every queued event and writes them back; it also settles by itself when {@value #MAX_INFLIGHT}
 * contexts or events are waiting, which bounds the memory they hold.
 */
public final class HogwildTraining implements TrainingStrategy {

    private static final int MAX_INFLIGHT = 10_000;

    private final SgnsModel model;
    private final SgnsTrainer[] trainers;
    private final ExecutorService[] workers;
    private final PlaylistContexts contexts;
    private final List<Future<?>> pending = new ArrayList<>();
    /** Contexts handed to the workers and not yet written back to {@link #contexts}. */
    private final Map<String, PlaylistContext> inflight = new HashMap<>();

    public HogwildTraining(SgnsModel model, int threads, long seed, String name, PlaylistContexts contexts) {
        if (threads < 2) {
            throw new IllegalArgumentException("Hogwild training needs at least 2 threads");
        }
        this.model = model;
        this.contexts = contexts;
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

    /** The worker that owns a playlist. */
    private int worker(String playlistId) {
        return Math.floorMod(playlistId.hashCode(), trainers.length);
    }

    @Override
    public boolean train(String playlistId, int[] rows, int n, boolean complete, Runnable onTrained) {
        int w = worker(playlistId);
        SgnsTrainer trainer = trainers[w];
        PlaylistContext ctx = inflight.get(playlistId);
        if (ctx == null) {
            ctx = contexts.get(playlistId);
        }
        if (ctx == null) {
            ctx = trainer.newContext(Rng.hash(model.config.seed, playlistId.hashCode()));
        }
        PlaylistContext context = ctx;
        pending.add(workers[w].submit(() -> {
            trainer.train(context, rows, 0, n);
            if (complete) {
                trainer.flush(context);
            }
            onTrained.run();
        }));
        inflight.put(playlistId, ctx);
        if (inflight.size() >= MAX_INFLIGHT || pending.size() >= MAX_INFLIGHT) {
            settle();
        }
        // the context is still training: whether songs wait cannot be read from it; in CBOW they may
        return !complete && model.config.mode == SgnsConfig.Mode.CBOW;
    }

    /** The event's own last {@code window} songs: the playlist's context may still be training. */
    @Override
    public List<String> recentSongs(String playlistId, List<String> eventSongIds) {
        int size = eventSongIds.size();
        return eventSongIds.subList(Math.max(0, size - model.config.window), size);
    }

    @Override
    public void flush(String playlistId) {
        PlaylistContext ctx = inflight.get(playlistId);
        if (ctx == null) {
            ctx = contexts.get(playlistId);
        }
        if (ctx == null) {
            return;
        }
        int w = worker(playlistId);
        SgnsTrainer trainer = trainers[w];
        PlaylistContext context = ctx;
        pending.add(workers[w].submit(() -> trainer.flush(context)));
        inflight.put(playlistId, ctx);
    }

    /** Waits for every queued event (rethrowing a worker's failure), then writes the contexts back. */
    @Override
    public void settle() {
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
        for (Map.Entry<String, PlaylistContext> entry : inflight.entrySet()) {
            contexts.put(entry.getKey(), entry.getValue());
        }
        inflight.clear();
    }

    /** Rows every worker changed since the last call: [0] input rows, [1] output rows. */
    @Override
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

    /** None once settled: {@link #settle()} adds every worker's count to the model's. */
    @Override
    public long unsyncedTokens() {
        return 0;
    }

    @Override
    public void close() {
        for (ExecutorService worker : workers) {
            worker.shutdownNow();
        }
    }
}
