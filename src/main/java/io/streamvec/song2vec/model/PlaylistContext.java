package io.streamvec.song2vec.model;

import java.nio.ByteBuffer;

/**
 * Per-playlist training state that the product keeps in a state store between events: the last kept songs
 * (a ring of 2*window+2 rows, enough for CBOW's pending centres plus their left context), the arrival
 * counters, and the playlist seed from which every random decision tied to a position (subsampling, reduced
 * window) is derived. Because those decisions are a pure function of (seed, position), feeding a playlist in
 * any chunking yields exactly the pairs that feeding it at once would.
 *
 * <p>Positions: {@code rawPos} counts every arrived song (subsampling decisions hash it); {@code keptPos}
 * counts songs that survived subsampling/min-count (windows are over kept songs, like gensim, which removes
 * downsampled words from the sentence before windowing). CBOW centres below {@code trainedUpTo} are done.
 */
public final class PlaylistContext {
    final long seed;
    final int window;
    final int[] ring;
    long rawPos;
    long keptPos;
    long trainedUpTo;

    public PlaylistContext(long seed, int window) {
        this.seed = seed;
        this.window = window;
        this.ring = new int[retained(window)];
    }

    /** How many of a playlist's most recent kept songs its context retains: 2*window+2. */
    public static int retained(int window) {
        return 2 * window + 2;
    }

    public long seed() { return seed; }
    public long rawPosition() { return rawPos; }
    public long keptPosition() { return keptPos; }
    public long trainedUpTo() { return trainedUpTo; }

    /** Song row at kept position {@code pos} (must be within the retained range). */
    public int song(long pos) {
        return ring[(int) (pos % ring.length)];
    }

    void append(int row) {
        ring[(int) (keptPos % ring.length)] = row;
        keptPos++;
    }

    /** gensim's b for the song at kept position pos: uniform in [0, window); effective window = window - b. */
    public int reduction(long pos) {
        return Rng.below(Rng.hash(seed, pos), window);
    }

    /** Kept songs still retained, oldest first. */
    public int[] retainedSongs() {
        long from = Math.max(0, keptPos - ring.length);
        int[] out = new int[(int) (keptPos - from)];
        for (long p = from; p < keptPos; p++) out[(int) (p - from)] = song(p);
        return out;
    }

    /** Compact serialisation for a state store: seed, window, counters, retained songs. */
    public byte[] toBytes() {
        int[] songs = retainedSongs();
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + 8 * 3 + 4 + 4 * songs.length);
        b.putLong(seed).putInt(window).putLong(rawPos).putLong(keptPos).putLong(trainedUpTo).putInt(songs.length);
        for (int s : songs) b.putInt(s);
        return b.array();
    }

    public static PlaylistContext fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        PlaylistContext c = new PlaylistContext(b.getLong(), b.getInt());
        c.rawPos = b.getLong();
        long kept = b.getLong();
        c.trainedUpTo = b.getLong();
        int n = b.getInt();
        c.keptPos = kept - n;
        for (int i = 0; i < n; i++) c.append(b.getInt());
        return c;
    }
}
