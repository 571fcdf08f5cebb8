package io.streamvec.song2vec.stream;

import io.streamvec.song2vec.data.Word2vecFile;
import io.streamvec.song2vec.model.SgnsConfig;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The word2vec file a new song model starts from ({@code song2vec.init.vectors}): read at most once per process,
 * when the first task whose model has no state yet needs it (or when start-up checks it, whichever is first),
 * and checked against the trainer's settings. Every problem is one line naming the file and the line:
 * a malformed or truncated line, a value that is not a finite number, a dimension other than
 * {@code song2vec.dim}, more songs than {@code song2vec.capacity}, or an id the song path would refuse.
 */
public final class InitialVectors {

    /** The configuration key, named in messages. */
    public static final String KEY = "song2vec.init.vectors";

    private final Path file;
    private Word2vecFile.Vectors vectors;
    private int reads;

    public InitialVectors(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** The file's absolute, normal form: what a model started from it records. */
    public String name() {
        return file.toAbsolutePath().normalize().toString();
    }

    /**
     * The vectors, read and checked on the first call; {@link IllegalArgumentException} with a one-line message
     * when the file cannot start a model of {@code config}.
     */
    public synchronized Word2vecFile.Vectors load(SgnsConfig config) {
        if (vectors == null) {
            Word2vecFile.Vectors read;
            reads++;
            try {
                read = Word2vecFile.read(file);
            } catch (IOException e) {
                throw new IllegalArgumentException(KEY + ": " + e.getMessage(), e);
            }
            if (read.dim() != config.dim) {
                throw new IllegalArgumentException(KEY + ": " + file + " line 1: vectors of dimension " + read.dim()
                        + ", but song2vec.dim is " + config.dim);
            }
            if (read.size() > config.capacity) {
                throw new IllegalArgumentException(KEY + ": " + file + " line 1: " + read.size()
                        + " vectors, more than song2vec.capacity (" + config.capacity + ")");
            }
            for (int i = 0; i < read.size(); i++) {
                if (!PreparePlaylistProcessor.validSongId(read.ids().get(i), Song2vecSettings.MAX_SONG_ID_LENGTH)) {
                    throw new IllegalArgumentException(KEY + ": " + read.where(i) + ": song id '"
                            + read.ids().get(i).substring(0, Math.min(40, read.ids().get(i).length()))
                            + "' is not one the song path takes (1 to " + Song2vecSettings.MAX_SONG_ID_LENGTH
                            + " characters, no whitespace or control characters)");
                }
            }
            vectors = read;
        }
        return vectors;
    }

    /** How many times the file has been read (0 or 1): for tests. */
    synchronized int reads() {
        return reads;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InitialVectors other && file.equals(other.file);
    }

    @Override
    public int hashCode() {
        return file.hashCode();
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
