package io.streamvec.song2vec.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Trains every event on the calling thread with one {@link SgnsTrainer}, deterministically: the context is
 * read, trained and written back before {@link #train} returns, so there is nothing to settle.
 */
public final class SequentialTraining implements TrainingStrategy {

    private final SgnsModel model;
    private final SgnsTrainer trainer;
    private final PlaylistContexts contexts;
    /** The context {@link #train} last wrote back, for {@link #recentSongs} (saves reading it back). */
    private String lastPlaylist;
    private PlaylistContext lastContext;

    public SequentialTraining(SgnsModel model, long seed, PlaylistContexts contexts) {
        this.model = model;
        this.trainer = new SgnsTrainer(model, seed);
        this.contexts = contexts;
    }

    @Override
    public boolean train(String playlistId, int[] rows, int n, boolean complete, Runnable onTrained) {
        PlaylistContext ctx = contexts.get(playlistId);
        if (ctx == null) {
            ctx = trainer.newContext(Rng.hash(model.config.seed, playlistId.hashCode()));
        }
        trainer.train(ctx, rows, 0, n);
        if (complete) {
            trainer.flush(ctx);
        }
        contexts.put(playlistId, ctx);
        lastPlaylist = playlistId;
        lastContext = ctx;
        onTrained.run();
        // skip-gram trains every song on arrival (trainedUpTo counts CBOW centres only): nothing waits
        return !complete && model.config.mode == SgnsConfig.Mode.CBOW && ctx.trainedUpTo() < ctx.keptPosition();
    }

    @Override
    public List<String> recentSongs(String playlistId, List<String> eventSongIds) {
        PlaylistContext ctx = playlistId.equals(lastPlaylist) ? lastContext : contexts.get(playlistId);
        List<String> ids = new ArrayList<>();
        if (ctx == null) {
            return ids;
        }
        for (int row : ctx.retainedSongs()) {
            String id = model.vocab.id(row);
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    @Override
    public void flush(String playlistId) {
        PlaylistContext ctx = contexts.get(playlistId);
        if (ctx != null) {
            trainer.flush(ctx);
            contexts.put(playlistId, ctx);
        }
    }

    @Override
    public void settle() {
    }

    @Override
    public int[][] drainDirtyRows() {
        return trainer.drainDirtyRows();
    }

    @Override
    public long unsyncedTokens() {
        return trainer.unsyncedTokens();
    }

    @Override
    public void close() {
        lastPlaylist = null;
        lastContext = null;
    }
}
