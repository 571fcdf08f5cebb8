package io.streamvec.song2vec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable snapshot of a model for nearest-neighbour queries: the normalised song vectors
 * ({@link TopK}) and the row-to-song mapping at the time of the snapshot, refreshed every
 * {@code song2vec.index.refresh.ms}. With one training thread the snapshot is taken between events; with
 * {@code song2vec.threads > 1} it is copied while trainers write (Hogwild), so a row may mix two updates.
 */
final class NeighborIndex {

    private final TopK topK;
    private final String[] ids;
    private final java.util.Map<String, Integer> rows;
    private final int dim;
    final long builtAtMs;

    private NeighborIndex(TopK topK, String[] ids, java.util.Map<String, Integer> rows, int dim, long builtAtMs) {
        this.topK = topK;
        this.ids = ids;
        this.rows = rows;
        this.dim = dim;
        this.builtAtMs = builtAtMs;
    }

    static NeighborIndex of(SgnsModel model, long nowMs) {
        int n = model.vocab.size();
        String[] ids = new String[n];
        java.util.Map<String, Integer> rows = new java.util.HashMap<>(n * 2);
        for (int r = 0; r < n; r++) {
            ids[r] = model.vocab.id(r);
            if (ids[r] != null && model.vocab.count(r) >= model.config.minCount) {
                rows.put(ids[r], r);
            }
        }
        return new NeighborIndex(TopK.of(model.syn0, n, model.config.dim), ids, rows, model.config.dim, nowMs);
    }

    int size() {
        return rows.size();
    }

    Optional<List<SongModelView.Neighbor>> similar(String songId, int k) {
        Integer row = rows.get(songId);
        if (row == null) {
            return Optional.empty();
        }
        float[] unit = new float[dim];
        float[] scores = new float[k + 1];
        int[] best = topK.nearest(topK.unitRow(row, unit), 0, k + 1, row, scores);
        return Optional.of(collect(best, scores, k, Set.of(row)));
    }

    Optional<List<SongModelView.Neighbor>> continuation(List<String> recent, int k) {
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
