package io.streamvec.http;

/**
 * What the explorer page's own routes ask ({@code GET /songs/map}, {@code GET /stats}); the page's other calls
 * go to the song and text routes. Implementations throw
 * {@link org.apache.kafka.streams.errors.InvalidStateStoreException} while the stores cannot be queried.
 */
public interface ExplorerQueries {

    /** Up to {@code limit} of the most trained songs placed in 2-D, coloured by cluster. */
    Responses.SongMap map(int limit);

    /** This instance's live figures. */
    Responses.Stats stats();

    /** No explorer data (a server built without it, in tests): every call is 503. */
    ExplorerQueries NONE = new ExplorerQueries() {
        @Override
        public Responses.SongMap map(int limit) {
            throw HttpError.unavailable("the song map is not available on this server");
        }

        @Override
        public Responses.Stats stats() {
            throw HttpError.unavailable("the live figures are not available on this server");
        }
    };
}
