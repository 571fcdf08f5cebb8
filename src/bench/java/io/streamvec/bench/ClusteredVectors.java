package io.streamvec.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Synthetic unit vectors with cluster structure like sentence embeddings: points around random unit centres
 * (topics), within-topic cosine about 0.6 and between topics about 0. Queries are drawn the same way from the
 * same centres. Written as raw little-endian float32 rows, the format {@code faiss_search.py} reads.
 */
public final class ClusteredVectors {

    /** Noise per vector against its centre: within-cluster cosine 1 / (1 + NOISE^2). */
    private static final double NOISE = 0.8;

    private final int dim;
    private final float[][] centres;

    public ClusteredVectors(int dim, int clusters, long seed) {
        this.dim = dim;
        SplittableRandom random = new SplittableRandom(seed);
        centres = new float[clusters][dim];
        for (float[] c : centres) {
            for (int d = 0; d < dim; d++) {
                c[d] = (float) random.nextGaussian();
            }
            normalise(c);
        }
    }

    /** The topic count the benchmark uses for n texts: about 1,000 texts a topic, at least 10 topics. */
    public static int clustersFor(int n) {
        return Math.max(10, n / 1000);
    }

    public int dim() {
        return dim;
    }

    /** One vector: a random centre plus noise, normalised. */
    public float[] next(SplittableRandom random) {
        float[] c = centres[random.nextInt(centres.length)];
        float[] v = new float[dim];
        double scale = NOISE / Math.sqrt(dim);
        for (int d = 0; d < dim; d++) {
            v[d] = (float) (c[d] + scale * random.nextGaussian());
        }
        normalise(v);
        return v;
    }

    /** n vectors from this seed, as rows. */
    public float[][] rows(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = next(random);
        }
        return out;
    }

    /** Writes n vectors from this seed to {@code file}, raw little-endian float32, without holding them all. */
    public void write(Path file, int n, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer row = ByteBuffer.allocate(dim * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            for (int i = 0; i < n; i++) {
                row.clear();
                for (float x : next(random)) {
                    row.putFloat(x);
                }
                out.write(row.array());
            }
        }
    }

    /** Writes rows to {@code file} in the same format. */
    public static void write(Path file, float[][] rows) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            for (float[] r : rows) {
                ByteBuffer b = ByteBuffer.allocate(r.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (float x : r) {
                    b.putFloat(x);
                }
                out.write(b.array());
            }
        }
    }

    private static void normalise(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        float inv = (float) (1 / Math.sqrt(s));
        for (int d = 0; d < v.length; d++) {
            v[d] *= inv;
        }
    }
}
