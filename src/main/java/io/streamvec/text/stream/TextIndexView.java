package io.streamvec.text.stream;

import io.streamvec.text.model.TextVectorIndex;
import java.util.List;
import java.util.Optional;

/** What a query may ask of one task's text index (thread-safe: HTTP threads ask while the stream thread writes). */
public interface TextIndexView {

    /** The text-events partition of the task whose index this is. */
    int partition();

    /** Texts held. */
    int size();

    /** The k texts most cosine-similar to {@code query}, best first; see {@link TextVectorIndex#search}. */
    List<TextVectorIndex.Hit> search(float[] query, int k, long sinceMs, String excludeId);

    /** The k newest texts (by event time), newest first, with score 0; see {@link TextVectorIndex#newest}. */
    List<TextVectorIndex.Hit> newest(int k);

    /** The stored text of this id (its vector unit), if held. */
    Optional<TextVectorIndex.Entry> get(String id);
}
