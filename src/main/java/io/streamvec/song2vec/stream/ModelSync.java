package io.streamvec.song2vec.stream;

import io.streamvec.song2vec.model.SgnsModel;
import io.streamvec.avro.ModelDelta;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Data-parallel training across replicas of one song model (one per task). Each replica trains on its
 * own playlists; {@link #publish} turns what it changed since its previous sync into sparse deltas
 * (rows, count increments, input and output vector differences), and every other replica
 * {@link #apply adds} them to its copy. A replica's copy is therefore its deterministic initialisation
 * plus the sum of every replica's deltas: once all deltas are exchanged, replicas agree (up to the order
 * of float additions), and together they take the steps a single model would take on all the data.
 *
 * <p>The baseline ({@code base*}) is the model as of the previous sync, remote deltas included, so a
 * replica never re-publishes what it received. Songs are named by id, never by row: replicas admit songs
 * in different orders. A row whose song changed since the baseline (newly admitted, or a recycled slot)
 * starts from the song's deterministic initialisation, which every replica computes alike.
 */
public final class ModelSync {

    /** Rows per published record (32 floats x 2 x 4 bytes x 256 = 64 KiB at the default size). */
    static final int ROWS_PER_DELTA = 256;

    private final SgnsModel model;
    private final String source;
    private final String application;
    private final int dim;
    private final float[] base0;
    private final float[] base1;
    private final long[] baseCount;
    private final String[] baseId;

    /**
     * Takes the model's current state (as restored) as the baseline. {@code source} names this replica as
     * {@code application/replica}; only deltas of the same application are applied.
     */
    public ModelSync(SgnsModel model, String source) {
        this.model = model;
        this.source = source;
        this.application = source.substring(0, source.lastIndexOf('/') + 1);
        this.dim = model.config.dim;
        this.base0 = model.syn0.clone();
        this.base1 = model.syn1neg.clone();
        int capacity = model.config.capacity;
        this.baseCount = new long[capacity];
        this.baseId = new String[capacity];
        for (int row = 0; row < model.vocab.size(); row++) {
            baseId[row] = model.vocab.id(row);
            baseCount[row] = model.vocab.count(row);
        }
    }

    public String source() {
        return source;
    }

    /**
     * Writes row {@code row}'s baseline (the song it was taken for, or null before the row first took part in a
     * sync, its count and both vectors) to the arrays given, which hold at least {@code dim} floats each; returns
     * the song. The model store persists the baselines of rows not yet published with its rows, so that a
     * replica restored after a crash still publishes them ({@link #restoreBaseline}).
     */
    String baseline(int row, long[] count, float[] input, float[] output) {
        int off = row * dim;
        System.arraycopy(base0, off, input, 0, dim);
        System.arraycopy(base1, off, output, 0, dim);
        count[0] = baseCount[row];
        return baseId[row];
    }

    /**
     * Sets row {@code row}'s baseline to what {@link #baseline} gave before a restart: the next {@link #publish}
     * of the row sends what this replica trained since its last sync, though that was before the restart.
     */
    void restoreBaseline(int row, String id, long count, float[] input, float[] output) {
        int off = row * dim;
        System.arraycopy(input, 0, base0, off, dim);
        System.arraycopy(output, 0, base1, off, dim);
        baseCount[row] = count;
        baseId[row] = id;
    }

    /**
     * The changes of {@code rows} since the previous sync, in records of at most {@value #ROWS_PER_DELTA}
     * rows; advances the baseline to the current model. Rows without a change are left out.
     */
    public List<ModelDelta> publish(int[] rows) {
        List<ModelDelta> deltas = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        ByteBuffer input = buffer();
        ByteBuffer output = buffer();
        for (int row : rows) {
            String id = row < model.vocab.size() ? model.vocab.id(row) : null;
            if (id == null) {
                continue;
            }
            rebase(row, id);
            int off = row * dim;
            long count = model.vocab.count(row);
            boolean changed = count != baseCount[row];
            for (int i = 0; i < dim && !changed; i++) {
                changed = model.syn0[off + i] != base0[off + i] || model.syn1neg[off + i] != base1[off + i];
            }
            if (!changed) {
                continue;
            }
            ids.add(id);
            counts.add(count - baseCount[row]);
            baseCount[row] = count;
            for (int i = 0; i < dim; i++) {
                float in = model.syn0[off + i];
                float out = model.syn1neg[off + i];
                input.putFloat(in - base0[off + i]);
                output.putFloat(out - base1[off + i]);
                base0[off + i] = in;
                base1[off + i] = out;
            }
            if (ids.size() == ROWS_PER_DELTA) {
                deltas.add(delta(ids, counts, input, output));
                ids = new ArrayList<>();
                counts = new ArrayList<>();
                input = buffer();
                output = buffer();
            }
        }
        if (!ids.isEmpty()) {
            deltas.add(delta(ids, counts, input, output));
        }
        return deltas;
    }

    /**
     * Adds another replica's changes to this copy (and to the baseline, so they are not published
     * again). Returns the rows it changed. Ignored: this replica's own deltas, those of another
     * application sharing the topic, and songs this replica does not know whose count did not change
     * (they only moved as negative samples elsewhere), or that the vocabulary refuses.
     *
     * @throws InvalidDeltaException before changing anything, when the delta cannot be applied: another
     *         {@code song2vec.dim}, lists and vectors of different lengths, a missing or repeated song id, a
     *         negative count, a value that is not finite
     */
    public int[] apply(ModelDelta delta) {
        if (delta.getSource() == null || delta.getSource().equals(source) || !delta.getSource().startsWith(application)) {
            return new int[0];
        }
        validate(delta);
        List<String> ids = delta.getSongIds();
        ByteBuffer input = delta.getInput().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer output = delta.getOutput().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int[] changed = new int[ids.size()];
        int n = 0;
        long addedTokens = 0;
        for (int j = 0; j < ids.size(); j++) {
            long added = delta.getCountDeltas().get(j);
            int row = model.vocab.indexOf(ids.get(j));
            if (row < 0 && added > 0) {
                row = model.admit(ids.get(j)); // a new row, initialised from the song id as everywhere
            }
            if (row < 0) {
                input.position(input.position() + dim * 4);
                output.position(output.position() + dim * 4);
                continue;
            }
            rebase(row, ids.get(j));
            int off = row * dim;
            for (int i = 0; i < dim; i++) {
                float d0 = input.getFloat();
                float d1 = output.getFloat();
                model.syn0[off + i] += d0;
                model.syn1neg[off + i] += d1;
                base0[off + i] += d0;
                base1[off + i] += d1;
            }
            for (long c = 0; c < added; c++) {
                model.sampler.onIncrement(row, model.vocab.increment(row));
            }
            baseCount[row] += added;
            addedTokens += added;
            changed[n++] = row;
        }
        model.tokens.addAndGet(addedTokens); // subsampling and the sampler see every replica's songs
        return java.util.Arrays.copyOf(changed, n);
    }

    /** Checks a delta whole, so that a bad one is refused before any of its rows is applied. */
    private void validate(ModelDelta delta) {
        String from = "a model delta from " + delta.getSource();
        if (delta.getDim() != dim) {
            throw new InvalidDeltaException(from + " has dim " + delta.getDim() + " but this model has " + dim
                    + ": every replica needs the same song2vec.dim");
        }
        List<String> ids = delta.getSongIds();
        int bytes = ids.size() * dim * 4;
        if (delta.getCountDeltas().size() != ids.size() || delta.getInput().remaining() != bytes
                || delta.getOutput().remaining() != bytes) {
            throw new InvalidDeltaException(from + " is malformed: " + ids.size() + " song ids, "
                    + delta.getCountDeltas().size() + " counts, " + delta.getInput().remaining() + " and "
                    + delta.getOutput().remaining() + " bytes of vectors (expected " + bytes + " each)");
        }
        Set<String> seen = new HashSet<>();
        for (int j = 0; j < ids.size(); j++) {
            String id = ids.get(j);
            if (id == null || id.isEmpty() || !seen.add(id)) {
                throw new InvalidDeltaException(from + " has an empty or repeated song id at " + j + ": " + id);
            }
            Long count = delta.getCountDeltas().get(j);
            if (count == null || count < 0) {
                throw new InvalidDeltaException(from + " has a negative count " + count + " for song " + id);
            }
        }
        for (ByteBuffer vectors : List.of(delta.getInput(), delta.getOutput())) {
            ByteBuffer values = vectors.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; values.hasRemaining(); k++) {
                float value = values.getFloat();
                if (!Float.isFinite(value)) {
                    throw new InvalidDeltaException(from + " has a non-finite value (" + value + ") for song "
                            + ids.get(k / dim));
                }
            }
        }
    }

    /**
     * A model delta that is readable but cannot be applied; retrying cannot help. An {@link IllegalStateException}
     * because replicas that disagree on the model's shape are misconfigured.
     */
    public static final class InvalidDeltaException extends IllegalStateException {
        InvalidDeltaException(String message) {
            super(message);
        }
    }

    /** Resets the baseline of a row whose song is not the one it was taken for to the song's initial state. */
    private void rebase(int row, String id) {
        if (id.equals(baseId[row])) {
            return;
        }
        baseId[row] = id;
        baseCount[row] = 0;
        SgnsModel.initialRow(model.config, id, base0, base1, row * dim);
    }

    private ByteBuffer buffer() {
        return ByteBuffer.allocate(ROWS_PER_DELTA * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
    }

    private ModelDelta delta(List<String> ids, List<Long> counts, ByteBuffer input, ByteBuffer output) {
        return new ModelDelta(source, dim, ids, counts, input.flip().slice().order(ByteOrder.LITTLE_ENDIAN),
                output.flip().slice().order(ByteOrder.LITTLE_ENDIAN));
    }
}
