package io.streamvec.song2vec.data;

import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Song vectors in the word2vec formats that gensim reads and writes ({@code KeyedVectors.save_word2vec_format}
 * and {@code load_word2vec_format}): a header line {@code "COUNT DIM"}, then per song its id and DIM values,
 * as text (one song per line, space-separated) or binary ({@code binary=True}: the id, a space and DIM
 * little-endian float32, optionally followed by a newline). {@link #read} tells the two apart by their content.
 *
 * <p>The formats hold no counts. As gensim does, the songs are taken to be in order of decreasing count
 * (the order gensim and {@link #write} save them in): {@link Vectors#counts} makes them up as COUNT for the
 * first song down to 1 for the last.
 */
public final class Word2vecFile {

    /** The largest dimension accepted (above it a header is more likely garbage than vectors). */
    public static final int MAX_DIM = 1 << 16;

    private Word2vecFile() {}

    /**
     * Vectors as read: {@code ids.get(i)}'s values are {@code values[i*dim, (i+1)*dim)}. {@code binary}: the file
     * was in the binary format, where "line" numbers in messages count vectors (the header is line 1).
     */
    public record Vectors(Path file, List<String> ids, int dim, float[] values, boolean binary) {

        public int size() {
            return ids.size();
        }

        /** Counts from the file's order: {@code size() - i} for the song at position i. */
        public long[] counts() {
            long[] counts = new long[ids.size()];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = counts.length - i;
            }
            return counts;
        }

        /** Where the song at position i is in the file: "FILE line N" (the header being line 1). */
        public String where(int i) {
            return file + " line " + (i + 2);
        }
    }

    /**
     * Reads a word2vec text or binary file. A malformed header, a line with another number of values than the
     * header's dimension, a value that is not a finite number, a repeated song id, or a file with fewer or
     * more vectors than its header announces is an {@link IOException} whose one-line message names the file
     * and the line.
     */
    public static Vectors read(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            Reader reader = new Reader(file, in);
            String header = reader.line();
            if (header == null) {
                throw new IOException(file + " is empty: expected a word2vec header 'COUNT DIM'");
            }
            String[] fields = header.strip().split("\\s+");
            long count = fields.length == 2 ? parseCount(fields[0]) : -1;
            long dim = fields.length == 2 ? parseCount(fields[1]) : -1;
            if (count < 0 || dim < 1) {
                throw new IOException(file + " line 1: expected a word2vec header 'COUNT DIM' (two integers), found '"
                        + abbreviate(header.strip()) + "'");
            }
            if (dim > MAX_DIM || count * dim > Integer.MAX_VALUE - 8) {
                throw new IOException(file + " line 1: " + count + " vectors of dimension " + dim + " are too many");
            }
            int n = (int) count;
            int d = (int) dim;
            boolean binary = reader.looksBinary(d);
            float[] values = new float[n * d];
            List<String> ids = new ArrayList<>(n);
            Set<String> seen = new HashSet<>(n * 2);
            for (int i = 0; i < n; i++) {
                int line = i + 2;
                String id = binary ? reader.binaryVector(line, d, values, i * d) : reader.textVector(line, d, values, i * d);
                if (id == null) {
                    throw new IOException(file + " line " + line + ": the file ends after " + i + " of the " + n
                            + " vectors its header announces (truncated?)");
                }
                if (!seen.add(id)) {
                    throw new IOException(file + " line " + line + ": song " + abbreviate(id) + " appears twice");
                }
                for (int j = 0; j < d; j++) {
                    if (!Float.isFinite(values[i * d + j])) {
                        throw new IOException(file + " line " + line + ": value " + (j + 1) + " of song "
                                + abbreviate(id) + " is " + values[i * d + j] + ", not a finite number");
                    }
                }
                ids.add(id);
            }
            if (reader.hasMoreVectors()) {
                throw new IOException(file + " line " + (n + 2) + ": more vectors than the " + n
                        + " its header announces");
            }
            return new Vectors(file, List.copyOf(ids), d, values, binary);
        }
    }

    /**
     * Writes songs in the word2vec text format, in the order given (most trained first keeps {@link #read}'s
     * counts in order), each value as the shortest decimal that reads back as the same float.
     */
    public static void write(Path file, List<String> ids, int dim, float[] values) throws IOException {
        if (values.length != ids.size() * dim) {
            throw new IllegalArgumentException(ids.size() + " songs of dimension " + dim + " but " + values.length
                    + " values");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(ids.size() + " " + dim + "\n");
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < ids.size(); i++) {
                line.setLength(0);
                line.append(ids.get(i));
                for (int j = 0; j < dim; j++) {
                    line.append(' ').append(values[i * dim + j]);
                }
                out.write(line.append('\n').toString());
            }
        }
    }

    private static long parseCount(String field) {
        if (field.isEmpty() || field.length() > 10 || !field.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(field);
    }

    static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    /** Reads lines and binary records from one buffered stream. */
    private static final class Reader {
        private final Path file;
        private final InputStream in;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final byte[] floats = new byte[4 * 1024];

        Reader(Path file, InputStream in) {
            this.file = file;
            this.in = in;
        }

        /** The next line (without its end), or null at the end of the file. */
        String line() throws IOException {
            bytes.reset();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                bytes.write(b);
            }
            if (b < 0 && bytes.size() == 0) {
                return null;
            }
            return utf8(bytes.toByteArray(), -1);
        }

        /**
         * Whether the vectors are binary: after the first id and its space, the bytes up to the end of the line
         * (at most the 4*dim bytes of a binary vector) are not all characters of decimal numbers with at least
         * one digit among them (float32 bits almost never are).
         */
        boolean looksBinary(int dim) throws IOException {
            in.mark(1 << 16);
            try {
                int b;
                int read = 0;
                while ((b = in.read()) >= 0 && b != ' ' && b != '\n' && read < 1 << 14) {
                    read++; // the first id
                }
                if (b != ' ') {
                    return false;
                }
                boolean digit = false;
                for (int i = 0; i < Math.min(4 * dim, 1 << 15); i++) {
                    b = in.read();
                    if (b < 0) {
                        return false;
                    }
                    if (b == '\n') {
                        return !digit;
                    }
                    if ("0123456789.-+eE \t\rNnAaIiFfTtYy".indexOf(b) < 0) {
                        return true;
                    }
                    digit |= b >= '0' && b <= '9';
                }
                return false;
            } finally {
                in.reset();
            }
        }

        /** Reads a text line into values[at..at+dim); its id, or null at the end of the file. */
        String textVector(int line, int dim, float[] values, int at) throws IOException {
            String text = line();
            if (text == null) {
                return null;
            }
            String[] fields = text.isBlank() ? new String[] {""} : text.strip().split("[ \t]+");
            if (fields.length != dim + 1) {
                throw new IOException(file + " line " + line + ": expected a song id and " + dim + " values, found "
                        + (fields.length - 1) + " values" + (fields.length - 1 < dim ? " (truncated line?)" : ""));
            }
            for (int j = 0; j < dim; j++) {
                try {
                    values[at + j] = Float.parseFloat(fields[j + 1]);
                } catch (NumberFormatException e) {
                    throw new IOException(file + " line " + line + ": value " + (j + 1) + " '"
                            + abbreviate(fields[j + 1]) + "' is not a number");
                }
            }
            return fields[0];
        }

        /** Reads a binary record into values[at..at+dim); its id, or null at the end of the file. */
        String binaryVector(int line, int dim, float[] values, int at) throws IOException {
            bytes.reset();
            int b = in.read();
            while (b == '\n' || b == '\r') {
                b = in.read(); // the newline word2vec's C tool writes after each vector
            }
            if (b < 0) {
                return null;
            }
            while (b >= 0 && b != ' ') {
                if (bytes.size() > 4096) {
                    throw new IOException(file + " line " + line + ": no song id followed by a space "
                            + "(is this a word2vec binary file?)");
                }
                bytes.write(b);
                b = in.read();
            }
            if (b < 0) {
                throw new IOException(file + " line " + line + ": the file ends inside the vector (truncated)");
            }
            String id = utf8(bytes.toByteArray(), line);
            int need = 4 * dim;
            for (int done = 0; done < need; ) {
                int chunk = Math.min(floats.length, need - done);
                int got = in.readNBytes(floats, 0, chunk);
                if (got < chunk) {
                    throw new IOException(file + " line " + line + ": the file ends inside the vector of song "
                            + abbreviate(id) + " (truncated)");
                }
                ByteBuffer.wrap(floats, 0, chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                        .get(values, at + done / 4, chunk / 4);
                done += chunk;
            }
            return id;
        }

        /** Whether anything but blank space is left. */
        boolean hasMoreVectors() throws IOException {
            int b;
            while ((b = in.read()) >= 0) {
                if (!Character.isWhitespace(b)) {
                    return true;
                }
            }
            return false;
        }

        private String utf8(byte[] raw, int line) throws IOException {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString()
                        .replace("\r", "");
            } catch (CharacterCodingException e) {
                throw new IOException(file + (line < 0 ? "" : " line " + line) + ": not valid UTF-8"
                        + (line < 0 ? " text (is this a word2vec file?)" : ""));
            }
        }
    }
}
