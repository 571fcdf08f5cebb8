package io.streamvec.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Inputs for the fuzz tests: valid encodings ("seeds") changed the way corrupt and hostile bytes differ
 * from good ones: bit flips, bytes set to boundary values, truncation, deleted, inserted and repeated
 * ranges, splices of two seeds, and integers written over the bytes in the shapes length fields take
 * (1, 2, 4 and 8 bytes, either byte order, and Avro's zig-zag varints). Half the positions fall in the first
 * 16 bytes, where headers and length prefixes live.
 */
public final class Mutations {

    /** Values that break length and bounds arithmetic. */
    private static final long[] BOUNDARIES = {
        0, 1, -1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, Integer.MAX_VALUE, Integer.MIN_VALUE,
        Integer.MAX_VALUE - 7, 0xffffffffL, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 31, 1L << 32, 100L << 20
    };

    /** Bytes that mean something to the formats fuzzed here (escapes, separators, JSON). */
    private static final byte[] SPECIAL = {0, 1, 0x7f, (byte) 0x80, (byte) 0xff, '%', '/', '&', '=', '"', '{', '[', ':', '-'};

    private Mutations() {}

    /** A seed changed by zero to five mutations (a seed comes back unchanged now and then). */
    public static byte[] mutate(SplittableRandom random, List<byte[]> seeds) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("no seeds to mutate");
        }
        byte[] out = seeds.get(random.nextInt(seeds.size())).clone();
        int mutations = random.nextInt(6);
        for (int i = 0; i < mutations; i++) {
            out = mutateOnce(random, out, seeds);
        }
        return out;
    }

    /** Random bytes, short ones more often. */
    public static byte[] randomBytes(SplittableRandom random, int maxSize) {
        byte[] out = new byte[random.nextInt(random.nextInt(maxSize + 1) + 1)];
        random.nextBytes(out);
        return out;
    }

    static byte[] mutateOnce(SplittableRandom random, byte[] in, List<byte[]> seeds) {
        int at = position(random, in.length);
        switch (random.nextInt(8)) {
            case 0 -> {
                return in.length == 0 ? in : with(in, at, (byte) (in[at] ^ (1 << random.nextInt(8))));
            }
            case 1 -> {
                byte value = SPECIAL[random.nextInt(SPECIAL.length)];
                return in.length == 0 ? new byte[] {value} : with(in, at, value);
            }
            case 2 -> {
                return Arrays.copyOf(in, at);
            }
            case 3 -> {
                int to = Math.min(in.length, at + 1 + random.nextInt(64));
                return concat(Arrays.copyOfRange(in, 0, at), Arrays.copyOfRange(in, to, in.length));
            }
            case 4 -> {
                byte[] bytes = new byte[1 + random.nextInt(16)];
                random.nextBytes(bytes);
                return insert(in, position(random, in.length + 1), bytes);
            }
            case 5 -> {
                // a range copied elsewhere: repeated fields, duplicated records
                byte[] range = Arrays.copyOfRange(in, at, Math.min(in.length, at + 1 + random.nextInt(64)));
                return insert(in, position(random, in.length + 1), range);
            }
            case 6 -> {
                // the head of this input, then the tail of another seed
                byte[] other = seeds.get(random.nextInt(seeds.size()));
                int tail = position(random, other.length + 1);
                return concat(Arrays.copyOf(in, position(random, in.length + 1)),
                        Arrays.copyOfRange(other, Math.min(tail, other.length), other.length));
            }
            default -> {
                long value = BOUNDARIES[random.nextInt(BOUNDARIES.length)];
                byte[] encoded = random.nextInt(3) == 0 ? zigZagVarint(value)
                        : fixed(value, 1 << random.nextInt(4), random.nextBoolean());
                int where = position(random, in.length + 1);
                byte[] out = Arrays.copyOf(in, Math.max(in.length, where + encoded.length));
                System.arraycopy(encoded, 0, out, where, encoded.length);
                return out;
            }
        }
    }

    /** An index below {@code bound} (0 when bound is 0): half the time among the first 16. */
    private static int position(SplittableRandom random, int bound) {
        if (bound <= 0) {
            return 0;
        }
        return random.nextBoolean() ? random.nextInt(Math.min(bound, 16)) : random.nextInt(bound);
    }

    private static byte[] with(byte[] in, int at, byte value) {
        byte[] out = in.clone();
        out[at] = value;
        return out;
    }

    private static byte[] insert(byte[] in, int at, byte[] bytes) {
        return concat(concat(Arrays.copyOf(in, at), bytes), Arrays.copyOfRange(in, at, in.length));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] fixed(long value, int width, boolean bigEndian) {
        byte[] out = new byte[width];
        for (int i = 0; i < width; i++) {
            out[i] = (byte) (value >>> (8 * (bigEndian ? width - 1 - i : i)));
        }
        return out;
    }

    /** {@code value} as Avro writes a long (and every length): zig-zag, then 7 bits a byte. */
    public static byte[] zigZagVarint(long value) {
        long n = (value << 1) ^ (value >> 63);
        ByteArrayOutputStream out = new ByteArrayOutputStream(10);
        while ((n & ~0x7fL) != 0) {
            out.write((int) ((n & 0x7f) | 0x80));
            n >>>= 7;
        }
        out.write((int) n);
        return out.toByteArray();
    }
}
