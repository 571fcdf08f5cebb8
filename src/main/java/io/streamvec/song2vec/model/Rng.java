package io.streamvec.song2vec.model;

/** Small, allocation-free random helpers. */
public final class Rng {
    private Rng() {}

    /** SplitMix64 step: returns the next state (also a good 64-bit hash of the input). */
    public static long splitmix(long x) {
        x += 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    /** Hash of two longs, used for deterministic per-(playlist, position) decisions. */
    public static long hash(long a, long b) {
        return splitmix(splitmix(a) ^ (b * 0xC2B2AE3D27D4EB4FL));
    }

    /** Uniform int in [0, n) from the high 32 bits of r. */
    public static int below(long r, int n) {
        return (int) (((r >>> 32) * n) >>> 32);
    }

    /** Uniform double in [0, 1) from the low 53 bits of r. */
    public static double unit(long r) {
        return (r >>> 11) * 0x1.0p-53;
    }
}
