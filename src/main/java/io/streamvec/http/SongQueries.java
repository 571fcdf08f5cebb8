package io.streamvec.http;

import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.state.HostInfo;

/**
 * What the HTTP endpoints ask of local state. Implementations throw
 * {@link org.apache.kafka.streams.errors.InvalidStateStoreException} while the stores cannot be queried
 * (start-up, rebalance, shutdown); the handler answers 503 then.
 */
public interface SongQueries {

    /** The k songs most similar to {@code songId}; empty when the model does not know the song. */
    Optional<Responses.SimilarSongs> similar(String songId, int k);

    /** The song's vector and count; empty when the model does not know the song. */
    Optional<Responses.SongVector> vector(String songId);

    /** The k songs that best continue the playlist; empty when the playlist is unknown. */
    Optional<Responses.PlaylistNext> next(String playlistId, int k);

    /**
     * gensim's most_similar: the k songs nearest to the mean of the unit vectors of the known positive songs minus
     * those of the known negative songs, the query's songs left out; empty when no positive song is known.
     */
    Optional<Responses.MostSimilar> mostSimilar(List<String> positive, List<String> negative, int k);

    /** The k songs that best continue a list of songs (oldest first); empty when none of them is known. */
    Optional<Responses.SongsNext> next(List<String> songIds, int k);

    /** Up to {@code limit} songs whose title or artist has every word of {@code query}, most trained first. */
    Responses.SongSearch search(String query, int limit);

    /** The k most trained songs. */
    Responses.TopSongs top(int k);

    /**
     * The other instance whose state holds the playlist, when there are several instances and it is not this
     * one; empty when this instance answers (it holds the playlist, or it is the only instance). The default
     * is a single instance.
     */
    default Optional<HostInfo> remotePlaylistOwner(String playlistId) {
        return Optional.empty();
    }
}
