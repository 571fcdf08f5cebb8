package io.streamvec.song2vec.model;

import java.util.List;

/**
 * How a task trains its playlist events: {@link SequentialTraining} on the calling thread, deterministically,
 * or {@link HogwildTraining} on several threads. Either way a playlist's events train in the order they
 * arrive, and once {@link #settle()} returns every event handed over is trained and every playlist's context
 * is back in its {@link PlaylistContexts}: the model store settles the strategy before each commit, so the
 * rows and contexts it commits match the committed offsets. No Kafka here.
 */
public interface TrainingStrategy extends AutoCloseable {

    /** Where playlist contexts live between events (for a task: its changelogged playlist store). */
    interface PlaylistContexts {
        /** The stored context of a playlist, or null for a playlist not seen yet. */
        PlaylistContext get(String playlistId);

        void put(String playlistId, PlaylistContext context);
    }

    /**
     * {@link SequentialTraining} for one thread, {@link HogwildTraining} for more; {@code seed} seeds the
     * trainers' random streams, {@code name} names the threads.
     */
    static TrainingStrategy create(SgnsModel model, int threads, long seed, String name, PlaylistContexts contexts) {
        return threads > 1 ? new HogwildTraining(model, threads, seed, name, contexts)
                : new SequentialTraining(model, seed, contexts);
    }

    /**
     * Trains {@code rows[0..n)}, the songs of one event, appended in order to the playlist; {@code complete}
     * (no more songs will follow) also trains the songs still waiting for right-hand context. {@code onTrained}
     * runs once the event is trained, on whichever thread trained it.
     *
     * @return whether songs of the playlist may be waiting for more context (CBOW, playlist not complete):
     *     {@link #flush} it when it has been idle
     */
    boolean train(String playlistId, int[] rows, int n, boolean complete, Runnable onTrained);

    /**
     * The songs a playlist continuation starts from, right after {@link #train} of one of its events: the
     * playlist's retained songs where training is done when {@code train} returns, else (the context still
     * training) the event's own last {@code window} songs.
     */
    List<String> recentSongs(String playlistId, List<String> eventSongIds);

    /** Trains the songs of an idle playlist that wait for right-hand context, with the context they have. */
    void flush(String playlistId);

    /** Waits until every event handed over is trained and its playlist's context written back. */
    void settle();

    /** Rows changed since the last call: [0] input rows, [1] output rows. Call after {@link #settle()}. */
    int[][] drainDirtyRows();

    /** Songs counted by the trainers but not yet added to the model's token count. */
    long unsyncedTokens();

    /** Stops the training threads, if any. */
    @Override
    void close();
}
