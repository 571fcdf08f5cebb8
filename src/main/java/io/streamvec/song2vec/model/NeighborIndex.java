package io.streamvec.song2vec.model;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable snapshot of a model for queries: the normalised song vectors ({@link TopK}) for
 * nearest-neighbour queries, the raw input vectors and counts as trained (for {@link #vector}), the
 * row-to-song mapping and the events trained at the time of the snapshot, refreshed every
 * {@code song2vec.index.refresh.ms}. With one training thread the snapshot is taken between events; with
 * {@code song2vec.threads > 1} it is copied while trainers write (Hogwild), so a row may mix two updates.
 */
public final class NeighborIndex {

    private final TopK topK;
    private final float[] raw;
    private final long[] counts;
    private final String[] ids;
    private final java.util.Map<String, Integer> rows;
    private final int dim;
    private final long events;
    public final long builtAtMs;

    private NeighborIndex(TopK topK, float[] raw, long[] counts, String[] ids, java.util.Map<String, Integer> rows,
                          int dim, long events, long builtAtMs) {
        this.topK = topK;
        this.raw = raw;
        this.counts = counts;
        this.ids = ids;
        this.rows = rows;
        this.dim = dim;
        this.events = events;
        this.builtAtMs = builtAtMs;
    }

    /** A snapshot of {@code model}, which has trained {@code events} playlist events. */
    public static NeighborIndex of(SgnsModel model, long events, long nowMs) {
        int n = model.vocab.size();
        int dim = model.config.dim;
        String[] ids = new String[n];
        long[] counts = new long[n];
        java.util.Map<String, Integer> rows = new java.util.HashMap<>(n * 2);
        for (int r = 0; r < n; r++) {
            ids[r] = model.vocab.id(r);
            counts[r] = model.vocab.count(r);
            if (ids[r] != null && counts[r] >= model.config.minCount) {
                rows.put(ids[r], r);
            }
        }
        float[] raw = java.util.Arrays.copyOf(model.syn0, n * dim);
        return new NeighborIndex(TopK.of(raw, n, dim), raw, counts, ids, rows, dim, events, nowMs);
    }

    public int size() {
        return rows.size();
    }

    /** The song's input vector (a copy) and count as of the snapshot; empty when the snapshot does not know it. */
    public Optional<SongModelView.SongVector> vector(String songId) {
        Integer row = rows.get(songId);
        if (row == null) {
            return Optional.empty();
        }
        float[] vector = java.util.Arrays.copyOfRange(raw, row * dim, (row + 1) * dim);
        return Optional.of(new SongModelView.SongVector(songId, counts[row], vector, events));
    }

    public Optional<List<SongModelView.Neighbor>> similar(String songId, int k) {
        Integer row = rows.get(songId);
        if (row == null) {
            return Optional.empty();
        }
        float[] unit = new float[dim];
        float[] scores = new float[k + 1];
        int[] best = topK.nearest(topK.unitRow(row, unit), 0, k + 1, row, scores);
        return Optional.of(collect(best, scores, k, Set.of(row)));
    }

    public Optional<List<SongModelView.Neighbor>> continuation(List<String> recent, int k) {
        float[] mean = new float[dim];
        float[] unit = new float[dim];
        Set<Integer> exclude = new HashSet<>();
        for (String id : recent) {
            Integer row = rows.get(id);
            if (row != null && exclude.add(row)) {
                VecOps.add(topK.unitRow(row, unit), 0, mean, 0, dim);
            }
        }
        if (exclude.isEmpty()) {
            return Optional.empty();
        }
        float norm = (float) Math.sqrt(VecOps.dot(mean, 0, mean, 0, dim));
        if (norm > 0) {
            VecOps.scale(1f / norm, mean, 0, dim);
        }
        float[] scores = new float[k + exclude.size()];
        int[] best = topK.nearest(mean, 0, k + exclude.size(), -1, scores);
        return Optional.of(collect(best, scores, k, exclude));
    }

    private List<SongModelView.Neighbor> collect(int[] best, float[] scores, int k, Set<Integer> exclude) {
        List<SongModelView.Neighbor> out = new ArrayList<>(k);
        for (int i = 0; i < best.length && out.size() < k; i++) {
            int row = best[i];
            if (!exclude.contains(row) && ids[row] != null && rows.containsKey(ids[row])) {
                out.add(new SongModelView.Neighbor(ids[row], scores[i]));
            }
        }
        return out;
    }
}
