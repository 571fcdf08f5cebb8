package io.streamvec.song2vec.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A 2-D picture of song vectors, for the explorer's map: the unit vectors projected on their first two principal
 * components (power iteration with deflation on the covariance), turned (orthogonal Procrustes: a rotation or a
 * reflection) to match the previous picture on the songs both share, so that a redraw does not jump; and a k-means
 * clustering of the unit vectors (k-means++ seeding with a fixed seed), its labels matched to the previous
 * clustering's where the members overlap. Stateful (the previous picture), thread-safe; no I/O.
 */
public final class SongProjection {

    /** One song placed: its id, coordinates and cluster (0 to clusters-1). */
    public record Point(String songId, double x, double y, int cluster) {}

    private static final int POWER_ITERATIONS = 100;
    private static final int KMEANS_ITERATIONS = 25;

    private final int clusters;
    private final long seed;
    private Map<String, double[]> previousXy = Map.of();
    private Map<String, Integer> previousCluster = Map.of();

    /** {@code clusters}: how many colours the map has (1 to 64). */
    public SongProjection(int clusters, long seed) {
        if (clusters < 1 || clusters > 64) {
            throw new IllegalArgumentException("clusters must be 1 to 64: " + clusters);
        }
        this.clusters = clusters;
        this.seed = seed;
    }

    /**
     * Places the songs (ids and vectors of one dimension, in the same order) and remembers the picture for the
     * next call. Vectors of zero length are placed at the origin.
     */
    public synchronized List<Point> project(List<String> ids, List<float[]> vectors) {
        if (ids.size() != vectors.size()) {
            throw new IllegalArgumentException(ids.size() + " ids but " + vectors.size() + " vectors");
        }
        int n = ids.size();
        if (n == 0) {
            return List.of();
        }
        int dim = vectors.get(0).length;
        double[][] unit = new double[n][];
        for (int i = 0; i < n; i++) {
            if (vectors.get(i).length != dim) {
                throw new IllegalArgumentException("vectors of " + dim + " and " + vectors.get(i).length + " dimensions");
            }
            unit[i] = unit(vectors.get(i));
        }
        double[][] xy = pca2(unit);
        align(ids, xy);
        int[] labels = kmeans(unit, Math.min(clusters, n));
        relabel(ids, labels);
        List<Point> out = new ArrayList<>(n);
        Map<String, double[]> nextXy = new HashMap<>(n * 2);
        Map<String, Integer> nextCluster = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            out.add(new Point(ids.get(i), xy[i][0], xy[i][1], labels[i]));
            nextXy.put(ids.get(i), xy[i]);
            nextCluster.put(ids.get(i), labels[i]);
        }
        previousXy = nextXy;
        previousCluster = nextCluster;
        return out;
    }

    static double[] unit(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        norm = Math.sqrt(norm);
        double[] u = new double[v.length];
        if (norm > 0 && Double.isFinite(norm)) {
            for (int i = 0; i < v.length; i++) {
                u[i] = v[i] / norm;
            }
        }
        return u;
    }

    /** The rows' coordinates on the first two principal components (centred). */
    static double[][] pca2(double[][] rows) {
        int n = rows.length;
        int dim = rows[0].length;
        double[] mean = new double[dim];
        for (double[] row : rows) {
            for (int j = 0; j < dim; j++) {
                mean[j] += row[j] / n;
            }
        }
        double[][] cov = new double[dim][dim];
        double[] c = new double[dim];
        for (double[] row : rows) {
            for (int j = 0; j < dim; j++) {
                c[j] = row[j] - mean[j];
            }
            for (int a = 0; a < dim; a++) {
                for (int b = a; b < dim; b++) {
                    cov[a][b] += c[a] * c[b];
                }
            }
        }
        for (int a = 0; a < dim; a++) {
            for (int b = 0; b < a; b++) {
                cov[a][b] = cov[b][a];
            }
        }
        double[] first = powerIteration(cov, null);
        double[] second = powerIteration(cov, first);
        double[][] xy = new double[n][2];
        for (int i = 0; i < n; i++) {
            double x = 0;
            double y = 0;
            for (int j = 0; j < dim; j++) {
                double centred = rows[i][j] - mean[j];
                x += centred * first[j];
                y += centred * second[j];
            }
            xy[i][0] = x;
            xy[i][1] = y;
        }
        return xy;
    }

    /** The dominant eigenvector of the symmetric {@code m}, orthogonal to {@code deflate} (unit) when given. */
    static double[] powerIteration(double[][] m, double[] deflate) {
        int dim = m.length;
        double[] v = new double[dim];
        for (int j = 0; j < dim; j++) {
            v[j] = 1.0 + 0.01 * j; // fixed start: the same input gives the same picture
        }
        orthogonalize(v, deflate);
        normalize(v);
        double[] next = new double[dim];
        for (int it = 0; it < POWER_ITERATIONS; it++) {
            for (int a = 0; a < dim; a++) {
                double s = 0;
                for (int b = 0; b < dim; b++) {
                    s += m[a][b] * v[b];
                }
                next[a] = s;
            }
            orthogonalize(next, deflate);
            if (normalize(next) == 0) {
                break; // no variance left in this direction
            }
            double[] swap = v;
            v = next;
            next = swap;
        }
        return v;
    }

    private static void orthogonalize(double[] v, double[] against) {
        if (against == null) {
            return;
        }
        double d = 0;
        for (int j = 0; j < v.length; j++) {
            d += v[j] * against[j];
        }
        for (int j = 0; j < v.length; j++) {
            v[j] -= d * against[j];
        }
    }

    private static double normalize(double[] v) {
        double norm = 0;
        for (double x : v) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        if (norm > 0) {
            for (int j = 0; j < v.length; j++) {
                v[j] /= norm;
            }
        }
        return norm;
    }

    /**
     * Turns {@code xy} in place by the orthogonal 2x2 matrix (rotation or reflection) that brings the songs shared
     * with the previous picture closest to where they were (least squares).
     */
    private void align(List<String> ids, double[][] xy) {
        double m00 = 0, m01 = 0, m10 = 0, m11 = 0;
        int shared = 0;
        for (int i = 0; i < ids.size(); i++) {
            double[] before = previousXy.get(ids.get(i));
            if (before != null) {
                m00 += xy[i][0] * before[0];
                m01 += xy[i][0] * before[1];
                m10 += xy[i][1] * before[0];
                m11 += xy[i][1] * before[1];
                shared++;
            }
        }
        if (shared < 2) {
            return;
        }
        double[][] r = procrustes(m00, m01, m10, m11);
        for (double[] p : xy) {
            double x = p[0] * r[0][0] + p[1] * r[1][0];
            double y = p[0] * r[0][1] + p[1] * r[1][1];
            p[0] = x;
            p[1] = y;
        }
    }

    /**
     * The orthogonal R maximizing trace(R^T M) for M = Y^T X (so that Y R is closest to X): the better of the best
     * rotation and the best reflection.
     */
    static double[][] procrustes(double m00, double m01, double m10, double m11) {
        double rotA = m00 + m11;
        double rotB = m10 - m01;
        double refA = m00 - m11;
        double refB = m10 + m01;
        if (Math.hypot(rotA, rotB) >= Math.hypot(refA, refB)) {
            double t = Math.atan2(rotB, rotA);
            double c = Math.cos(t);
            double s = Math.sin(t);
            return new double[][] {{c, -s}, {s, c}};
        }
        double t = Math.atan2(refB, refA);
        double c = Math.cos(t);
        double s = Math.sin(t);
        return new double[][] {{c, s}, {s, -c}};
    }

    /** Lloyd's k-means (squared Euclidean on the unit rows) from a k-means++ seeding with this projection's seed. */
    int[] kmeans(double[][] rows, int k) {
        int n = rows.length;
        int dim = rows[0].length;
        Random random = new Random(seed);
        double[][] centres = new double[k][];
        centres[0] = rows[random.nextInt(n)].clone();
        double[] nearest = new double[n];
        Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        for (int c = 1; c < k; c++) {
            double total = 0;
            for (int i = 0; i < n; i++) {
                nearest[i] = Math.min(nearest[i], distance(rows[i], centres[c - 1]));
                total += nearest[i];
            }
            int chosen = random.nextInt(n);
            if (total > 0) {
                double target = random.nextDouble() * total;
                for (int i = 0; i < n; i++) {
                    target -= nearest[i];
                    if (target <= 0) {
                        chosen = i;
                        break;
                    }
                }
            }
            centres[c] = rows[chosen].clone();
        }
        int[] labels = new int[n];
        Arrays.fill(labels, -1);
        for (int it = 0; it < KMEANS_ITERATIONS; it++) {
            boolean changed = false;
            for (int i = 0; i < n; i++) {
                int best = 0;
                double bestDistance = Double.POSITIVE_INFINITY;
                for (int c = 0; c < k; c++) {
                    double d = distance(rows[i], centres[c]);
                    if (d < bestDistance) {
                        bestDistance = d;
                        best = c;
                    }
                }
                if (labels[i] != best) {
                    labels[i] = best;
                    changed = true;
                }
            }
            if (!changed) {
                break;
            }
            double[][] sums = new double[k][dim];
            int[] sizes = new int[k];
            for (int i = 0; i < n; i++) {
                sizes[labels[i]]++;
                for (int j = 0; j < dim; j++) {
                    sums[labels[i]][j] += rows[i][j];
                }
            }
            for (int c = 0; c < k; c++) {
                if (sizes[c] > 0) {
                    for (int j = 0; j < dim; j++) {
                        sums[c][j] /= sizes[c];
                    }
                    centres[c] = sums[c];
                } // an empty cluster keeps its centre
            }
        }
        return labels;
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            double d = a[j] - b[j];
            s += d * d;
        }
        return s;
    }

    /**
     * Renames the labels in place so that colours stay: each new cluster, largest first, takes the previous label
     * most of its songs had (if not taken), the others the free labels in order.
     */
    private void relabel(List<String> ids, int[] labels) {
        int k = clusters;
        int[][] overlap = new int[k][k];
        int[] sizes = new int[k];
        for (int i = 0; i < labels.length; i++) {
            sizes[labels[i]]++;
            Integer before = previousCluster.get(ids.get(i));
            if (before != null && before < k) {
                overlap[labels[i]][before]++;
            }
        }
        Integer[] order = new Integer[k];
        for (int c = 0; c < k; c++) {
            order[c] = c;
        }
        Arrays.sort(order, (a, b) -> sizes[b] != sizes[a] ? Integer.compare(sizes[b], sizes[a]) : Integer.compare(a, b));
        int[] rename = new int[k];
        Arrays.fill(rename, -1);
        boolean[] taken = new boolean[k];
        for (int c : order) {
            int best = -1;
            for (int before = 0; before < k; before++) {
                if (!taken[before] && overlap[c][before] > 0 && (best < 0 || overlap[c][before] > overlap[c][best])) {
                    best = before;
                }
            }
            if (best >= 0) {
                rename[c] = best;
                taken[best] = true;
            }
        }
        int free = 0;
        for (int c : order) {
            if (rename[c] < 0) {
                while (taken[free]) {
                    free++;
                }
                rename[c] = free;
                taken[free] = true;
            }
        }
        for (int i = 0; i < labels.length; i++) {
            labels[i] = rename[labels[i]];
        }
    }
}
