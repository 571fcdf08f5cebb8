package io.streamvec.song2vec.model;

import io.streamvec.song2vec.data.SyntheticPlaylists;
import java.util.List;

/**
 * Single-threaded worker that trains a shared {@link SgnsModel} from playlist events. One instance per
 * thread; several instances may share a model (Hogwild). No I/O, no Kafka.
 *
 * <p><b>Incremental semantics.</b> {@link #train(PlaylistContext, int[], int, int)} appends songs to a
 * playlist whose state is a {@link PlaylistContext}. Every random decision tied to a position is a hash of
 * (playlist seed, position), so the trained pair set does not depend on how the playlist is chunked:
 * <ul>
 *   <li>Skip-gram: when the song at position n arrives, the pairs (centre n, context j) with
 *       n - j &lt;= window - b(n) and (centre j, context n) with n - j &lt;= window - b(j) are trained for every
 *       retained j &lt; n. That is exactly gensim's pair set for the whole sentence, in arrival order.</li>
 *   <li>CBOW: centre c needs its right context, so it is trained once position c + (window - b(c)) has
 *       arrived, strictly in position order; {@link #flush(PlaylistContext)} (end of playlist / idle timeout)
 *       trains the remaining centres with the truncated right context, exactly as gensim does at the end of a
 *       sentence. train(all) + flush == any chunking + flush, bit for bit (same negative RNG stream).</li>
 * </ul>
 * Songs dropped by subsampling or below min count are removed before windowing, as gensim does.
 */
public final class SgnsTrainer {

    /** Test/debug hook: sees every (centre position, context position) pair that gets trained. */
    public interface PairObserver {
        void pair(long centerPos, long contextPos, int centerRow, int contextRow);
    }

    private static final int SYNC_EVERY = 256;

    private final SgnsModel model;
    private final SgnsConfig cfg;
    private final int dim;
    private final int window;
    private final int negative;
    private final float[] syn0;
    private final float[] syn1neg;
    private final UnigramSampler sampler;
    private final Vocabulary vocab;
    private final boolean cbow;
    private final float[] neu1;
    private final float[] work;
    private final int[] ctxRows;
    /** The centre and the negatives drawn for it, in draw order. */
    private final int[] targets;
    /** Keeps the JIT from dropping the loads that pull the target rows in. */
    private float sink;
    private final DirtyRows dirtyIn;
    private final DirtyRows dirtyOut;
    private long rng;
    private float alpha;
    private int unsynced;
    private long localTokens;
    private long trainedSongs;
    private long unsyncedPairs;
    private PairObserver observer;

    public SgnsTrainer(SgnsModel model, long workerSeed) {
        this.model = model;
        this.cfg = model.config;
        this.dim = cfg.dim;
        this.window = cfg.window;
        this.negative = cfg.negative;
        this.syn0 = model.syn0;
        this.syn1neg = model.syn1neg;
        this.sampler = model.sampler;
        this.vocab = model.vocab;
        this.cbow = cfg.mode == SgnsConfig.Mode.CBOW;
        this.neu1 = new float[dim];
        this.work = new float[dim];
        this.ctxRows = new int[2 * window + 1];
        this.targets = new int[negative + 1];
        this.dirtyIn = new DirtyRows(cfg.capacity);
        this.dirtyOut = new DirtyRows(cfg.capacity);
        this.rng = Rng.splitmix(cfg.seed * 31 + workerSeed);
        this.alpha = cfg.alphaAt(model.tokens());
    }

    public void setPairObserver(PairObserver observer) { this.observer = observer; }

    /** New playlist state; the seed should be a stable hash of the playlist key. */
    public PlaylistContext newContext(long playlistSeed) {
        return new PlaylistContext(playlistSeed, window);
    }

    /** Admits and trains song ids (the product entry point). Refused ids are skipped. */
    public void trainIds(PlaylistContext ctx, List<String> songIds) {
        int[] rows = new int[songIds.size()];
        int n = 0;
        for (String id : songIds) {
            int r = model.admit(id);
            if (r >= 0) {
                rows[n++] = r;
                if (vocab.count(r) == 0) { dirtyIn.mark(r); dirtyOut.mark(r); }
            }
        }
        train(ctx, rows, 0, n);
    }

    /** Convenience overload for already admitted rows. */
    public void train(PlaylistContext ctx, List<Integer> newSongs) {
        int[] rows = new int[newSongs.size()];
        for (int i = 0; i < rows.length; i++) rows[i] = newSongs.get(i);
        train(ctx, rows, 0, rows.length);
    }

    /** Counts and trains rows[off..off+len) appended, in order, to the playlist {@code ctx}. */
    public void train(PlaylistContext ctx, int[] rows, int off, int len) {
        for (int k = off; k < off + len; k++) {
            int row = rows[k];
            long count = vocab.increment(row);
            sampler.onIncrement(row, count);
            long raw = ctx.rawPos++;
            tick();
            if (count < cfg.minCount || dropBySubsampling(ctx, raw, count)) continue;
            trainedSongs++;
            ctx.append(row);
            long n = ctx.keptPos - 1;
            if (cbow) {
                trainReadyCbowCenters(ctx, n, false);
            } else {
                trainSkipGramArrival(ctx, n);
            }
        }
    }

    /** Trains pending CBOW centres with the right context seen so far (end of playlist or idle timeout). */
    public void flush(PlaylistContext ctx) {
        if (cbow && ctx.keptPos > 0) trainReadyCbowCenters(ctx, ctx.keptPos - 1, true);
    }

    private boolean dropBySubsampling(PlaylistContext ctx, long rawPos, long count) {
        if (cfg.sample <= 0) return false;
        long total = model.tokens() + unsynced;
        if (total < cfg.sampleWarmupTokens) return false;
        double threshold = cfg.sample * total;
        double keep = (Math.sqrt(count / threshold) + 1) * (threshold / count);
        if (keep >= 1.0) return false;
        return Rng.unit(Rng.hash(ctx.seed ^ 0xA5A5A5A5L, rawPos)) >= keep;
    }

    private void tick() {
        localTokens++;
        if (++unsynced >= SYNC_EVERY) sync();
    }

    /** Publishes local token counts, refreshes alpha and lets the sampler do its maintenance. */
    public void sync() {
        model.pairs.addAndGet(unsyncedPairs);
        unsyncedPairs = 0;
        long total = model.tokens.addAndGet(unsynced);
        unsynced = 0;
        alpha = cfg.alphaAt(total);
        sampler.maintain(total);
    }

    private int effectiveWindow(PlaylistContext ctx, long pos) {
        return cfg.reducedWindow ? window - ctx.reduction(pos) : window;
    }

    // ---------------------------------------------------------------- skip-gram

    private void trainSkipGramArrival(PlaylistContext ctx, long n) {
        int rowN = ctx.song(n);
        int effN = effectiveWindow(ctx, n);
        long from = Math.max(0, n - window);
        for (long j = from; j < n; j++) {
            int dist = (int) (n - j);
            int rowJ = ctx.song(j);
            if (dist <= effN) {                       // centre n, context j
                if (observer != null) observer.pair(n, j, rowN, rowJ);
                trainSgPair(rowN, rowJ);
            }
            if (dist <= effectiveWindow(ctx, j)) {    // centre j, context n
                if (observer != null) observer.pair(j, n, rowJ, rowN);
                trainSgPair(rowJ, rowN);
            }
        }
    }

    /** gensim fast_sentence_sg_neg: the input vector of {@code context} predicts {@code center}. */
    void trainSgPair(int center, int context) {
        final int d = dim;
        final int l1 = context * d;
        java.util.Arrays.fill(work, 0f);
        negativeSampling(syn0, l1, center);
        VecOps.add(work, 0, syn0, l1, d);
        dirtyIn.mark(context);
        unsyncedPairs++;
    }

    /**
     * The positive and negative updates shared by both architectures: the hidden vector at
     * {@code in[inOff..inOff+dim)} predicts {@code center} against {@code negative} sampled songs; the
     * output vectors are updated and the error for the input side is accumulated in {@link #work}.
     */
    private void negativeSampling(float[] in, int inOff, int center) {
        final int d = dim;
        final float[] w = work;
        final float[] out = syn1neg;
        // Draw the targets first: their rows are random, mostly outside L1/L2, and loading them up front lets
        // the misses overlap instead of each one stalling the dot product that needs it.
        final int[] t = targets;
        int n = 0;
        t[n++] = center;
        for (int k = 0; k < negative; k++) {
            int target = sampler.sample(nextRandom());
            if (target >= 0 && target != center) {
                t[n++] = target;
            }
        }
        float touched = 0f;
        for (int k = 1; k < n; k++) {
            touched += out[t[k] * d];
        }
        sink = touched;
        VecOps.negativeUpdates(out, t, n, in, inOff, w, d, alpha, cfg.exactSigmoid);
        for (int k = 0; k < n; k++) {
            dirtyOut.mark(t[k]);
        }
    }

    // ---------------------------------------------------------------- CBOW

    private void trainReadyCbowCenters(PlaylistContext ctx, long last, boolean flush) {
        while (ctx.trainedUpTo <= last) {
            long c = ctx.trainedUpTo;
            int eff = effectiveWindow(ctx, c);
            if (!flush && c + eff > last) return;     // right context not complete yet
            long lo = Math.max(0, c - eff);
            long hi = Math.min(last, c + eff);
            int center = ctx.song(c);
            int m = 0;
            for (long j = lo; j <= hi; j++) {
                if (j == c) continue;
                int r = ctx.song(j);
                if (observer != null) observer.pair(c, j, center, r);
                ctxRows[m++] = r;
            }
            if (m > 0) trainCbowCenter(center, ctxRows, m);
            ctx.trainedUpTo = c + 1;
        }
    }

    /** gensim fast_sentence_cbow_neg with cbow_mean=1: mean of context inputs predicts {@code center}. */
    void trainCbowCenter(int center, int[] context, int m) {
        final int d = dim;
        final float[] h = neu1;
        final float[] w = work;
        java.util.Arrays.fill(w, 0f);
        VecOps.sumRows(syn0, context, m, d, h);
        VecOps.scale(1f / m, h, 0, d);
        negativeSampling(h, 0, center);
        unsyncedPairs += m;
        // gensim (cbow_mean=1) adds the full error to every context word, not error / m
        for (int i = 0; i < m; i++) {
            VecOps.add(w, 0, syn0, context[i] * d, d);
            dirtyIn.mark(context[i]);
        }
    }

    long nextRandom() {
        long x = rng;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        rng = x;
        return x * 0x2545F4914F6CDD1DL;
    }

    /** Songs counted since the last {@link #sync()}, not yet in the model's token count. */
    public long unsyncedTokens() { return unsynced; }

    /** Current learning rate used by this worker. */
    public float alpha() { return alpha; }

    /** Songs counted by this trainer. */
    public long tokens() { return localTokens; }

    /** Songs that survived subsampling/min count. */
    public long trainedSongs() { return trainedSongs; }

    /** Rows changed since the last drain: [0] = syn0 rows, [1] = syn1neg rows. Resets tracking. */
    public int[][] drainDirtyRows() {
        return new int[][] {dirtyIn.drain(), dirtyOut.drain()};
    }

    public SgnsModel model() { return model; }

    private static volatile boolean warm;

    /**
     * Compiles the hot loop before real events arrive: trains a throwaway model on synthetic playlists for
     * a few hundred milliseconds, once per JVM, so the first events of a stream do not run in the
     * interpreter (the Vector API kernels are only fast once C2 has compiled them).
     */
    public static void warmUp(SgnsConfig config) {
        if (warm) {
            return;
        }
        warm = true;
        SgnsConfig small = config.toBuilder().capacity(4096).sampleWarmupTokens(0).build();
        SgnsModel scratch = new SgnsModel(small);
        SgnsTrainer trainer = new SgnsTrainer(scratch, 0);
        SyntheticPlaylists playlists = new SyntheticPlaylists(8, 100, 1);
        long deadline = System.nanoTime() + 400_000_000L;
        for (int p = 0; System.nanoTime() < deadline && p < 20_000; p++) {
            PlaylistContext ctx = trainer.newContext(p);
            trainer.trainIds(ctx, playlists.next(20, 60));
            trainer.flush(ctx);
        }
    }
}
