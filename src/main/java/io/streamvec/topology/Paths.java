package io.streamvec.topology;

import io.streamvec.kafka.Topics;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which of streamvec's two independent paths an instance runs ({@code streamvec.paths}): {@code text}
 * (text-events to embeddings, tokens and the text index) and {@code songs} (playlist-events to song2vec). An
 * instance that runs one path builds only that path's subtopology and stores, creates only its topics, and
 * loads nothing the other path needs (the songs path alone loads no embedding model).
 */
public record Paths(Set<Path> chosen) {

    /** One path of the topology. */
    public enum Path {
        TEXT, SONGS;

        /** The name in {@code streamvec.paths}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Both paths: the default. */
    public static final Paths ALL = new Paths(EnumSet.allOf(Path.class));
    /** The song path alone ({@code train}). */
    public static final Paths SONGS_ONLY = new Paths(EnumSet.of(Path.SONGS));

    public Paths {
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("at least one path is needed");
        }
        chosen = Set.copyOf(chosen);
    }

    /** The paths named in a list such as {@code text,songs}; {@link IllegalArgumentException} on anything else. */
    public static Paths parse(Collection<String> names) {
        EnumSet<Path> chosen = EnumSet.noneOf(Path.class);
        for (String name : names) {
            String trimmed = name.trim();
            Path path = null;
            for (Path candidate : Path.values()) {
                if (candidate.key().equals(trimmed)) {
                    path = candidate;
                }
            }
            if (path == null) {
                throw new IllegalArgumentException("unknown path '" + trimmed + "': the paths are " + names());
            }
            chosen.add(path);
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("no path chosen: name at least one of " + names());
        }
        return new Paths(chosen);
    }

    /** Every path's name, in order: {@code [text, songs]}. */
    public static List<String> names() {
        return EnumSet.allOf(Path.class).stream().map(Path::key).toList();
    }

    public boolean text() {
        return chosen.contains(Path.TEXT);
    }

    public boolean songs() {
        return chosen.contains(Path.SONGS);
    }

    /** Whether a catalog topic belongs to a chosen path (the dead-letter topic belongs to both). */
    public boolean needs(String topic) {
        boolean textTopic = topic.equals(Topics.TEXT_EVENTS) || topic.equals(Topics.TEXT_TOKENS)
                || topic.equals(Topics.TEXT_EMBEDDINGS) || topic.equals(Topics.TEXT_TOKEN_EMBEDDINGS)
                || topic.equals(Topics.TEXT_NEIGHBORS);
        boolean songTopic = topic.equals(Topics.PLAYLIST_EVENTS) || topic.equals(Topics.SONGS)
                || topic.equals(Topics.SONG_RECOMMENDATIONS) || topic.equals(Topics.MODEL_DELTAS);
        return textTopic ? text() : !songTopic || songs();
    }

    @Override
    public String toString() {
        return EnumSet.copyOf(chosen).stream().map(Path::key).collect(Collectors.joining(","));
    }
}
