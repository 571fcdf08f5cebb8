package io.streamvec.song2vec.model;

/**
 * A cheap fingerprint of a song model that replicas of one model can compare: the L1 norm (the sum of
 * absolute values, in double precision) of the input vectors of a fixed sample of songs (those whose id hashes to 0 modulo {@value #SAMPLE_EVERY}).
 * Songs are chosen by id, never by row, so replicas that admitted songs in different orders sample the same
 * songs; {@link String#hashCode()} is the same in every JVM. Replicas that have exchanged all their deltas
 * agree up to the order of float additions (a relative difference near 1e-6); a replica that skipped or
 * double-applied a delta, or trained alone, drifts away from the others. A norm rather than a plain sum, so that
 * the value grows with the model instead of hovering near 0, and a relative difference means something.
 */
public final class ModelChecksum {

    /** One song in this many is summed. */
    public static final int SAMPLE_EVERY = 16;

    private ModelChecksum() {}

    /** The checksum of {@code model} as it is now (read without locking: call it where nothing trains). */
    public static double of(SgnsModel model) {
        int dim = model.config.dim;
        int size = model.vocab.size();
        double sum = 0;
        for (int row = 0; row < size; row++) {
            String id = model.vocab.id(row);
            if (id == null || Math.floorMod(id.hashCode(), SAMPLE_EVERY) != 0) {
                continue;
            }
            int off = row * dim;
            for (int i = 0; i < dim; i++) {
                sum += Math.abs(model.syn0[off + i]);
            }
        }
        return sum;
    }
}
