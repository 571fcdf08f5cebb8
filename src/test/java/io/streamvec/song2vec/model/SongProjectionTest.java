package io.streamvec.song2vec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SongProjectionTest {

    /** {@code groups} groups of {@code size} songs: each group's vectors near its own random direction. */
    private static Planted planted(int groups, int size, int dim, long seed) {
        Random random = new Random(seed);
        List<String> ids = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        Map<String, Integer> group = new HashMap<>();
        for (int g = 0; g < groups; g++) {
            float[] centre = new float[dim];
            for (int j = 0; j < dim; j++) {
                centre[j] = (float) random.nextGaussian();
            }
            for (int i = 0; i < size; i++) {
                float[] v = new float[dim];
                for (int j = 0; j < dim; j++) {
                    v[j] = centre[j] + 0.15f * (float) random.nextGaussian();
                }
                String id = "g" + g + "-" + i;
                ids.add(id);
                vectors.add(v);
                group.put(id, g);
            }
        }
        return new Planted(ids, vectors, group);
    }

    private record Planted(List<String> ids, List<float[]> vectors, Map<String, Integer> group) {}

    @Test
    void theClustersAreThePlantedGroups() {
        Planted planted = planted(6, 40, 32, 1);
        List<SongProjection.Point> points = new SongProjection(6, 42).project(planted.ids(), planted.vectors());
        assertEquals(planted.ids().size(), points.size());
        // Every planted group lies in one cluster, and no two groups share one.
        Map<Integer, Set<Integer>> clustersOfGroup = new HashMap<>();
        for (SongProjection.Point p : points) {
            clustersOfGroup.computeIfAbsent(planted.group().get(p.songId()), g -> new HashSet<>()).add(p.cluster());
        }
        Set<Integer> used = new HashSet<>();
        for (Set<Integer> clusters : clustersOfGroup.values()) {
            assertEquals(1, clusters.size(), "a planted group split: " + clustersOfGroup);
            assertTrue(used.add(clusters.iterator().next()), "two groups in one cluster: " + clustersOfGroup);
        }
    }

    @Test
    void thePlaneIsTheDirectionsOfLargestVariance() {
        // Spread along axes 0 (wide) and 1 (narrower), barely along the others.
        Random random = new Random(3);
        List<String> ids = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            float[] v = new float[8];
            v[0] = 3 * (float) random.nextGaussian();
            v[1] = 1.5f * (float) random.nextGaussian();
            for (int j = 2; j < 8; j++) {
                v[j] = 0.05f * (float) random.nextGaussian();
            }
            v[7] += 10; // all in one half-space: the unit vectors keep the spread
            ids.add("s" + i);
            vectors.add(v);
        }
        double[][] unit = new double[200][];
        for (int i = 0; i < 200; i++) {
            unit[i] = SongProjection.unit(vectors.get(i));
        }
        double[][] xy = SongProjection.pca2(unit);
        double varX = 0;
        double varY = 0;
        double varAll = 0;
        double[] mean = new double[8];
        for (double[] u : unit) {
            for (int j = 0; j < 8; j++) {
                mean[j] += u[j] / 200;
            }
        }
        for (int i = 0; i < 200; i++) {
            varX += xy[i][0] * xy[i][0];
            varY += xy[i][1] * xy[i][1];
            for (int j = 0; j < 8; j++) {
                varAll += (unit[i][j] - mean[j]) * (unit[i][j] - mean[j]);
            }
        }
        assertTrue(varX >= varY, "the first component has the larger variance");
        assertTrue((varX + varY) / varAll > 0.95, "the plane keeps almost all the variance: " + (varX + varY) / varAll);
    }

    @Test
    void aRedrawIsAlignedWithThePreviousPicture() {
        Planted planted = planted(4, 30, 16, 5);
        SongProjection projection = new SongProjection(4, 42);
        List<SongProjection.Point> first = projection.project(planted.ids(), planted.vectors());
        // The same songs trained a little more, in reverse order, with every vector negated: PCA alone would give a
        // mirrored or rotated picture; aligned, every song stays about where it was, and keeps its colour.
        List<String> ids = new ArrayList<>(planted.ids());
        List<float[]> vectors = new ArrayList<>();
        Random random = new Random(9);
        for (float[] v : planted.vectors()) {
            float[] moved = new float[v.length];
            for (int j = 0; j < v.length; j++) {
                moved[j] = -(v[j] + 0.02f * (float) random.nextGaussian());
            }
            vectors.add(moved);
        }
        java.util.Collections.reverse(ids);
        java.util.Collections.reverse(vectors);
        List<SongProjection.Point> second = projection.project(ids, vectors);
        Map<String, SongProjection.Point> before = new HashMap<>();
        double spread = 0;
        for (SongProjection.Point p : first) {
            before.put(p.songId(), p);
            spread += p.x() * p.x() + p.y() * p.y();
        }
        double moved = 0;
        for (SongProjection.Point p : second) {
            SongProjection.Point q = before.get(p.songId());
            moved += (p.x() - q.x()) * (p.x() - q.x()) + (p.y() - q.y()) * (p.y() - q.y());
            assertEquals(q.cluster(), p.cluster(), "the colour of " + p.songId() + " changed");
        }
        assertTrue(moved / spread < 0.01, "the songs moved " + moved / spread + " of the picture's spread");
    }

    @Test
    void procrustesFindsARotationAndAReflection() {
        // Y = X turned by 30 degrees: the best R turns it back.
        double t = Math.toRadians(30);
        double[][] x = {{1, 0}, {0, 2}, {-1, 1}, {2, -1}};
        double[][] y = new double[4][2];
        for (int i = 0; i < 4; i++) {
            y[i][0] = Math.cos(t) * x[i][0] - Math.sin(t) * x[i][1];
            y[i][1] = Math.sin(t) * x[i][0] + Math.cos(t) * x[i][1];
        }
        assertAligns(x, y);
        double[][] mirrored = new double[4][2];
        for (int i = 0; i < 4; i++) {
            mirrored[i][0] = -x[i][0];
            mirrored[i][1] = x[i][1];
        }
        assertAligns(x, mirrored);
    }

    private static void assertAligns(double[][] x, double[][] y) {
        double m00 = 0, m01 = 0, m10 = 0, m11 = 0;
        for (int i = 0; i < x.length; i++) {
            m00 += y[i][0] * x[i][0];
            m01 += y[i][0] * x[i][1];
            m10 += y[i][1] * x[i][0];
            m11 += y[i][1] * x[i][1];
        }
        double[][] r = SongProjection.procrustes(m00, m01, m10, m11);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i][0], y[i][0] * r[0][0] + y[i][1] * r[1][0], 1e-9);
            assertEquals(x[i][1], y[i][0] * r[0][1] + y[i][1] * r[1][1], 1e-9);
        }
    }

    @Test
    void emptyAndBadInputs() {
        SongProjection projection = new SongProjection(8, 1);
        assertEquals(List.of(), projection.project(List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> projection.project(List.of("a"), List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> projection.project(List.of("a", "b"), List.of(new float[2], new float[3])));
        assertThrows(IllegalArgumentException.class, () -> new SongProjection(0, 1));
        // Fewer songs than clusters, and a zero vector: placed, every cluster label valid.
        List<SongProjection.Point> two = projection.project(List.of("a", "b"), List.of(new float[] {1, 0}, new float[2]));
        assertEquals(2, two.size());
        two.forEach(p -> assertTrue(p.cluster() >= 0 && p.cluster() < 8 && Double.isFinite(p.x())));
    }
}
