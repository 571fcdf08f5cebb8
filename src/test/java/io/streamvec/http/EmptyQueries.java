package io.streamvec.http;

import java.util.List;
import java.util.Optional;

/**
 * Query objects over empty state for the HTTP tests: every id is unknown, every search and list answers nothing.
 * A test overrides the one method it exercises.
 */
final class EmptyQueries {

    private EmptyQueries() {
    }

    /** Songs: every song and playlist unknown. */
    static class Songs implements SongQueries {
        @Override
        public Optional<Responses.SimilarSongs> similar(String songId, int k) {
            return Optional.empty();
        }

        @Override
        public Optional<Responses.SongVector> vector(String songId) {
            return Optional.empty();
        }

        @Override
        public Optional<Responses.PlaylistNext> next(String playlistId, int k) {
            return Optional.empty();
        }

        @Override
        public Optional<Responses.MostSimilar> mostSimilar(List<String> positive, List<String> negative, int k) {
            return Optional.empty();
        }

        @Override
        public Optional<Responses.SongsNext> next(List<String> songIds, int k) {
            return Optional.empty();
        }

        @Override
        public Responses.SongSearch search(String query, int limit) {
            return new Responses.SongSearch(query, limit, List.of());
        }

        @Override
        public Responses.TopSongs top(int k) {
            return new Responses.TopSongs(k, List.of());
        }
    }

    /** Texts: an empty index; embedding answers one-dimensional zero vectors. */
    static class Texts implements TextQueries {
        @Override
        public Responses.TextSearch search(String query, int k, long sinceMs) {
            return new Responses.TextSearch(query, k, List.of(), false, List.of());
        }

        @Override
        public Optional<Responses.SimilarTexts> similar(String id, int k) {
            return Optional.empty();
        }

        @Override
        public Responses.TextSearchPart searchPart(float[] vector, int k, long sinceMs, String excludeId) {
            return new Responses.TextSearchPart(List.of(), List.of(), null);
        }

        @Override
        public Optional<Responses.TextSearchPart> similarPart(String id, int k) {
            return Optional.empty();
        }

        @Override
        public Responses.Embeddings embed(List<String> texts) {
            return new Responses.Embeddings("none", 1, new float[texts.size()][1]);
        }

        @Override
        public Responses.RecentTexts recent(int k) {
            return new Responses.RecentTexts(k, List.of());
        }
    }
}
