package io.streamvec.song2vec.model;

import java.util.List;
import java.util.Optional;

/** Read-only queries on a song model: what the HTTP endpoints and recommendations ask. Thread-safe. */
public interface SongModelView {

    /** A recommended song and its cosine similarity. */
    record Neighbor(String songId, float score) {}

    /**
     * A song's input vector (the one similarity is computed on) and how often the model has seen the song,
     * as of a snapshot taken when the model had trained {@code modelUpdates} playlist events (with
     * {@code song2vec.threads > 1}: at least that many).
     */
    record SongVector(String songId, long count, float[] vector, long modelUpdates) {}

    /** The songs that answer a query of several songs, and the query's songs the model does not know. */
    record Answer(List<Neighbor> neighbors, List<String> unknown) {}

    /** A song and how often the model has seen it. */
    record SongCount(String songId, long count) {}

    /** The k songs most similar to {@code songId}, best first; empty when the model does not know the song. */
    Optional<List<Neighbor>> similar(String songId, int k);

    /**
     * The k songs that best continue a playlist whose most recent songs are {@code recentSongIds} (oldest
     * first): nearest to the mean of their unit vectors, excluding the songs themselves. Empty when the
     * model knows none of them.
     */
    Optional<List<Neighbor>> continuation(List<String> recentSongIds, int k);

    /**
     * gensim's {@code most_similar(positive, negative, topn=k)}: the k songs nearest to the mean of the unit
     * vectors of the known query songs (positives +1, negatives -1), the query songs left out, best first.
     * Empty when the model knows no song of {@code positive}.
     */
    Optional<Answer> mostSimilar(List<String> positive, List<String> negative, int k);

    /**
     * The k songs that best continue an ordered list of songs (oldest first), as {@link #continuation}
     * continues a stored playlist from its most recent songs, the listed songs left out. Empty when the model
     * knows none of them.
     */
    Optional<Answer> continuationOf(List<String> songIds, int k);

    /** The k most trained songs, most trained first. */
    List<SongCount> top(int k);

    /** How often the model has seen the song (as of the query snapshot); 0 when it does not know it. */
    long count(String songId);

    /** The song's vector in the current query snapshot; empty when the model does not know the song. */
    Optional<SongVector> vector(String songId);

    /** The song ids of model rows (as kept in playlist contexts), skipping rows the model no longer has. */
    List<String> songIds(int[] rows);

    /**
     * Visits every song's input vector (a copy), for exports; songs seen fewer than min-count times are
     * skipped. Reads the live model, so call it when training is idle for a consistent snapshot.
     */
    default void forEachVector(java.util.function.BiConsumer<String, float[]> visitor) {
        forEachSong((songId, count, vector) -> visitor.accept(songId, vector));
    }

    /** Visits every song as {@link #forEachVector} does, with its count. */
    void forEachSong(SongVisitor visitor);

    /** Sees a song, its count and its input vector (a copy). */
    @FunctionalInterface
    interface SongVisitor {
        void visit(String songId, long count, float[] vector);
    }

    /**
     * Which query snapshots answer now: the {@link NeighborIndex#sequence} of each local model's snapshot, in
     * ascending order (0 for a model that has published none yet). A newly published snapshot has a number never
     * used before, so while the list stays equal every snapshot query ({@link #top}, {@link #vector},
     * {@link #similar}...) answers the same, and what is derived from the answers (the explorer's song map) can be
     * reused.
     */
    List<Long> snapshots();

    /**
     * Similar-song queries answered from a query snapshot's kept searches (hits) and by a scan (misses), over all
     * the snapshots of the local models so far (counts only grow).
     */
    default CacheCounts similarCache() {
        return new CacheCounts(0, 0);
    }

    /** Hits and misses of the snapshots' kept similar-song searches. */
    record CacheCounts(long hits, long misses) {}

    /** Songs in the vocabulary. */
    int vocabularySize();

    /** Playlist events trained so far. */
    long events();
}
