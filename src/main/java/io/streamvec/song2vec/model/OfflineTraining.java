package io.streamvec.song2vec.model;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Trains a model on playlist events held in memory, in order, with the {@link TrainingStrategy} a song2vec task
 * uses (the same trainers, subsampling, negative sampler and playlist contexts), but without a broker, stores or
 * commits: what {@code train} runs on a file by default. One thread trains exactly as a one-partition task with
 * the same seed does, event for event; more threads train Hogwild, as the task does.
 */
public final class OfflineTraining {

    /** One event of a playlist: its songs in order; {@code complete}: no more songs will follow. */
    public record Event(String playlistId, List<String> songIds, boolean complete) {}

    private OfflineTraining() {}

    /**
     * Trains {@code model} on {@code events} with {@code threads} trainers seeded with {@code seed} and returns the
     * events trained; {@code progress} is told the number trained now and then (from the calling thread).
     */
    public static long train(SgnsModel model, int threads, long seed, List<Event> events, LongConsumer progress) {
        Map<String, PlaylistContext> contexts = new ConcurrentHashMap<>();
        TrainingStrategy.PlaylistContexts store = new TrainingStrategy.PlaylistContexts() {
            @Override
            public PlaylistContext get(String playlistId) {
                return contexts.get(playlistId);
            }

            @Override
            public void put(String playlistId, PlaylistContext context) {
                contexts.put(playlistId, context);
            }
        };
        AtomicLong trained = new AtomicLong();
        Runnable onTrained = trained::incrementAndGet;
        int[] rows = new int[16];
        try (TrainingStrategy training = TrainingStrategy.create(model, threads, seed, "song2vec-offline", store)) {
            long reported = 0;
            for (Event event : events) {
                List<String> songIds = event.songIds();
                if (rows.length < songIds.size()) {
                    rows = new int[Math.max(songIds.size(), rows.length * 2)];
                }
                int n = 0;
                for (String songId : songIds) {
                    int row = model.admit(songId);
                    if (row >= 0) {
                        rows[n++] = row;
                    }
                }
                // The trainers may read the rows after train returns (Hogwild): each event gets its own array.
                int[] eventRows = threads > 1 ? java.util.Arrays.copyOf(rows, n) : rows;
                training.train(event.playlistId(), eventRows, n, event.complete(), onTrained);
                if (event.complete()) {
                    contexts.remove(event.playlistId()); // nothing follows a complete playlist
                }
                long now = trained.get();
                if (now - reported >= 256) {
                    progress.accept(now);
                    reported = now;
                }
            }
            training.settle();
        }
        progress.accept(trained.get());
        return trained.get();
    }
}
