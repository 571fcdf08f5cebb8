package io.streamvec.http;

import java.util.List;
import java.util.Optional;

/**
 * What the text routes ask: search the text indexes of every instance (scatter-gather), or only this instance's
 * (a part another instance asked for), and embed texts with the model. Implementations throw
 * {@link org.apache.kafka.streams.errors.InvalidStateStoreException} while the stores cannot be queried, and
 * {@link HttpError} for what the client should see (503 while the model is busy past the timeout).
 */
public interface TextQueries {

    /** The k texts most similar to {@code query} (embedded with the model) at or after {@code sinceMs}. */
    Responses.TextSearch search(String query, int k, long sinceMs);

    /** The k texts most similar to the stored text of {@code id}, without it; empty when no instance holds it. */
    Optional<Responses.SimilarTexts> similar(String id, int k);

    /** This instance's part of a search by vector (asked by another instance). */
    Responses.TextSearchPart searchPart(float[] vector, int k, long sinceMs, String excludeId);

    /** This instance's part of a similar query, with the stored vector; empty when this instance does not hold it. */
    Optional<Responses.TextSearchPart> similarPart(String id, int k);

    /** One vector per text, in order. */
    Responses.Embeddings embed(List<String> texts);

    /** The k newest texts of this instance's text indexes, newest first (the explorer's live list). */
    default Responses.RecentTexts recent(int k) {
        throw HttpError.unavailable("recent texts are not available on this server");
    }

    /** No text routes (an HTTP server built without them, in tests): every call is 503. */
    TextQueries NONE = unavailable("text search is not available on this server");

    /** Text path off ({@code streamvec.paths} without {@code text}): every call is 503 saying so. */
    TextQueries TEXT_PATH_OFF = unavailable("the text path is off on this instance (streamvec.paths does not "
            + "include text): no embedding model is loaded and no text is indexed here");

    /** Every call is 503 with this message. */
    static TextQueries unavailable(String message) {
        return new TextQueries() {
            private HttpError none() {
                return HttpError.unavailable(message);
            }

            @Override
            public Responses.TextSearch search(String query, int k, long sinceMs) {
                throw none();
            }

            @Override
            public Optional<Responses.SimilarTexts> similar(String id, int k) {
                throw none();
            }

            @Override
            public Responses.TextSearchPart searchPart(float[] vector, int k, long sinceMs, String excludeId) {
                throw none();
            }

            @Override
            public Optional<Responses.TextSearchPart> similarPart(String id, int k) {
                throw none();
            }

            @Override
            public Responses.Embeddings embed(List<String> texts) {
                throw none();
            }

            @Override
            public Responses.RecentTexts recent(int k) {
                throw none();
            }
        };
    }
}
