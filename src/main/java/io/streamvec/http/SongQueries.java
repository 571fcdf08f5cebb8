package io.streamvec.http;

import java.util.Optional;

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
}
