package io.streamvec.text.stream;

import io.streamvec.text.model.TextVectorIndex;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The near duplicates of a micro-batch of new texts: for each, the earlier texts (those in the index, and those
 * before it in the batch) with a cosine of at least {@code minScore}, best first, at most k; its own id never.
 * The index is searched for the whole batch as one {@link TextVectorIndex#searchBatch}.
 */
final class NearDuplicates {

    private NearDuplicates() {}

    /** @param index the task's working copy, or null when empty */
    static List<List<TextVectorIndex.Hit>> find(TextVectorIndex index, List<TextVectorIndex.Entry> batch, int k,
                                                float minScore) {
        int n = batch.size();
        List<List<TextVectorIndex.Hit>> out = new ArrayList<>(n);
        float[][] unit = new float[n][];
        for (int i = 0; i < n; i++) {
            unit[i] = unit(batch.get(i).vector());
        }
        List<List<TextVectorIndex.Hit>> fromIndex = null;
        if (index != null && index.size() > 0 && n > 0 && index.dim() == unit[0].length) {
            String[] self = new String[n];
            for (int i = 0; i < n; i++) {
                self[i] = batch.get(i).id();
            }
            fromIndex = index.searchBatch(unit, k, Long.MIN_VALUE, self);
        }
        for (int i = 0; i < n; i++) {
            List<TextVectorIndex.Hit> hits = new ArrayList<>();
            if (fromIndex != null) {
                for (TextVectorIndex.Hit hit : fromIndex.get(i)) {
                    if (hit.score() >= minScore && !earlierInBatch(batch, i, hit.id())) {
                        hits.add(hit);
                    }
                }
            }
            TextVectorIndex.Entry text = batch.get(i);
            for (int j = 0; j < i; j++) {
                TextVectorIndex.Entry earlier = batch.get(j);
                if (earlier.id().equals(text.id()) || unit[j].length != unit[i].length) {
                    continue;
                }
                float score = dot(unit[i], unit[j]);
                if (score >= minScore) {
                    // The later of two texts with one id in the batch replaces the earlier: keep the latest only.
                    hits.removeIf(h -> h.id().equals(earlier.id()));
                    hits.add(new TextVectorIndex.Hit(earlier.id(), earlier.text(), score, earlier.timestampMs()));
                }
            }
            hits.sort(Comparator.comparingDouble((TextVectorIndex.Hit h) -> h.score()).reversed());
            out.add(hits.size() > k ? List.copyOf(hits.subList(0, k)) : hits);
        }
        return out;
    }

    /** Whether a text of this id comes before {@code i} in the batch (it will have replaced the index's entry). */
    private static boolean earlierInBatch(List<TextVectorIndex.Entry> batch, int i, String id) {
        for (int j = 0; j < i; j++) {
            if (batch.get(j).id().equals(id)) {
                return true;
            }
        }
        return false;
    }

    private static float[] unit(float[] v) {
        float n = (float) Math.sqrt(dot(v, v));
        float[] u = v.clone();
        if (n > 0) {
            for (int i = 0; i < u.length; i++) {
                u[i] /= n;
            }
        }
        return u;
    }

    private static float dot(float[] a, float[] b) {
        float s = 0f;
        for (int i = 0; i < a.length; i++) {
            s = Math.fma(a[i], b[i], s);
        }
        return s;
    }
}
