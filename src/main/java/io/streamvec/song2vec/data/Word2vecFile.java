package io.streamvec.song2vec.data;

import java.io.BufferedWriter;
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
import java.util.Arrays;
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
        try (InputStream in = Files.newInputStream(file)) {
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
        // Formatting floats is most of the cost: blocks of rows are formatted in parallel, written in order.
        int rowsPerBlock = 4096;
        int blocks = (ids.size() + rowsPerBlock - 1) / rowsPerBlock;
        try (java.io.OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write((ids.size() + " " + dim + "\n").getBytes(StandardCharsets.UTF_8));
            List<java.util.concurrent.CompletableFuture<byte[]>> formatted = new java.util.ArrayList<>();
            int ahead = Math.max(2, java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() * 2);
            for (int b = 0; b < blocks; b++) {
                int from = b * rowsPerBlock;
                int to = Math.min(ids.size(), from + rowsPerBlock);
                formatted.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> format(ids, dim, values, from, to)));
                if (b >= ahead) { // bounded memory: at most `ahead` blocks formatted and not yet written
                    out.write(formatted.get(b - ahead).join());
                }
            }
            for (int b = Math.max(0, blocks - ahead); b < blocks; b++) {
                out.write(formatted.get(b).join());
            }
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        }
    }

    /** Rows {@code [from, to)} as lines of text, UTF-8. */
    private static byte[] format(List<String> ids, int dim, float[] values, int from, int to) {
        StringBuilder lines = new StringBuilder((to - from) * (dim * 12 + 16));
        for (int i = from; i < to; i++) {
            lines.append(ids.get(i));
            for (int j = 0; j < dim; j++) {
                lines.append(' ').append(values[i * dim + j]);
            }
            lines.append('\n');
        }
        return lines.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static long parseCount(String field) {
        if (field.isEmpty() || field.length() > 10 || !field.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(field);
    }

    private static final double[] POWERS_OF_TEN = new double[23];

    static {
        POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
        }
    }

    /**
     * A decimal number as the nearest double, then the nearest float: what gensim's reader gets ({@code
     * numpy.float32} of Python's float) and, for the shortest decimals that {@link #write} writes, the very float
     * written. Decimals of at most 15 significant digits and a small exponent are exact in double arithmetic
     * (one correctly rounded multiplication or division); any other goes through {@link Double#parseDouble}.
     * Python's {@code nan} and {@code inf} are read too (to be refused as not finite).
     */
    static float parseFloat(byte[] text, int offset, int length) {
        int i = offset;
        int end = offset + length;
        boolean negative = i < end && text[i] == '-';
        if (i < end && (text[i] == '-' || text[i] == '+')) {
            i++;
        }
        long mantissa = 0;
        int digits = 0;
        int exponent = 0;
        boolean any = false;
        boolean point = false;
        for (; i < end; i++) {
            int c = text[i];
            if (c >= '0' && c <= '9') {
                any = true;
                if (mantissa == 0 && c == '0') {
                    if (point) {
                        exponent--;
                    }
                    continue; // leading zeros are not significant
                }
                if (digits < 18) {
                    mantissa = mantissa * 10 + (c - '0');
                    digits++;
                    if (point) {
                        exponent--;
                    }
                } else {
                    digits++;
                    if (!point) {
                        exponent++;
                    }
                }
            } else if (c == '.' && !point) {
                point = true;
            } else {
                break;
            }
        }
        if (any && i < end && (text[i] == 'e' || text[i] == 'E')) {
            int j = i + 1;
            boolean negativeExponent = j < end && text[j] == '-';
            if (j < end && (text[j] == '-' || text[j] == '+')) {
                j++;
            }
            int value = 0;
            int start = j;
            for (; j < end && text[j] >= '0' && text[j] <= '9' && value < 100_000; j++) {
                value = value * 10 + (text[j] - '0');
            }
            if (j > start) {
                exponent += negativeExponent ? -value : value;
                i = j;
            }
        }
        if (any && i == end && digits <= 15 && exponent >= -22 && exponent <= 22) {
            double value = exponent < 0 ? mantissa / POWERS_OF_TEN[-exponent] : mantissa * POWERS_OF_TEN[exponent];
            return (float) (negative ? -value : value);
        }
        String number = new String(text, offset, length, StandardCharsets.ISO_8859_1);
        switch (number.toLowerCase(java.util.Locale.ROOT)) {
            case "nan", "-nan", "+nan":
                return Float.NaN;
            case "inf", "+inf", "infinity", "+infinity":
                return Float.POSITIVE_INFINITY;
            case "-inf", "-infinity":
                return Float.NEGATIVE_INFINITY;
            default:
                if (number.isEmpty() || !(Character.isDigit(number.charAt(number.length() - 1))
                        || number.endsWith(".") || number.endsWith("y") || number.endsWith("N"))) {
                    throw new NumberFormatException(number); // no "1f" or "0x1p3" that Java alone would take
                }
                return (float) Double.parseDouble(number);
        }
    }

    static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    /** Reads lines and binary records from one stream through its own buffer (no per-byte locking). */
    private static final class Reader {
        private static final String NUMBER_BYTES = "0123456789.-+eE \t\rNnAaIiFfTtYy";

        private final Path file;
        private final InputStream in;
        private final byte[] buffer = new byte[1 << 16];
        private int pos;
        private int limit;
        private boolean eof;
        /** The current line or id, as bytes. */
        private byte[] line = new byte[256];
        private int length;

        Reader(Path file, InputStream in) {
            this.file = file;
            this.in = in;
        }

        /** Whether at least {@code n} bytes (n <= the buffer's size) are buffered, reading more if needed. */
        private boolean available(int n) throws IOException {
            if (limit - pos >= n) {
                return true;
            }
            System.arraycopy(buffer, pos, buffer, 0, limit - pos);
            limit -= pos;
            pos = 0;
            while (!eof && limit < n) {
                int got = in.read(buffer, limit, buffer.length - limit);
                if (got < 0) {
                    eof = true;
                } else {
                    limit += got;
                }
            }
            return limit >= n;
        }

        private int read() throws IOException {
            return available(1) ? buffer[pos++] & 0xff : -1;
        }

        private void keep(int b) {
            if (length == line.length) {
                line = Arrays.copyOf(line, 2 * length);
            }
            line[length++] = (byte) b;
        }

        /** Reads the next line into {@code line} (without its end); false at the end of the file. */
        private boolean nextLine() throws IOException {
            length = 0;
            int b = read();
            if (b < 0) {
                return false;
            }
            while (b >= 0 && b != '\n') {
                keep(b);
                b = read();
            }
            if (length > 0 && line[length - 1] == '\r') {
                length--;
            }
            return true;
        }

        /** The next line, or null at the end of the file. */
        String line() throws IOException {
            return nextLine() ? utf8(line, 0, length, -1) : null;
        }

        /**
         * Whether the vectors are binary: after the first id and its space, the bytes up to the end of the line
         * (at most the 4*dim bytes of a binary vector) are not all characters of decimal numbers with at least
         * one digit among them (float32 bits almost never are).
         */
        boolean looksBinary(int dim) throws IOException {
            int window = Math.min(1 << 15, (1 << 14) + 4 * dim);
            available(window);
            int at = pos;
            while (at < limit && at - pos < 1 << 14 && buffer[at] != ' ' && buffer[at] != '\n') {
                at++; // the first id
            }
            if (at >= limit || buffer[at] != ' ') {
                return false;
            }
            boolean digit = false;
            for (int i = at + 1; i < Math.min(limit, at + 1 + 4 * dim); i++) {
                int b = buffer[i] & 0xff;
                if (b == '\n') {
                    return !digit;
                }
                if (NUMBER_BYTES.indexOf(b) < 0) {
                    return true;
                }
                digit |= b >= '0' && b <= '9';
            }
            return false;
        }

        /** Reads a text line into values[at..at+dim); its id, or null at the end of the file. */
        String textVector(int lineNumber, int dim, float[] values, int at) throws IOException {
            if (!nextLine()) {
                return null;
            }
            int start = skipBlanks(0);
            int end = fieldEnd(start);
            String id = utf8(line, start, end - start, lineNumber);
            int found = 0;
            for (int field = skipBlanks(end); field < length; field = skipBlanks(end)) {
                end = fieldEnd(field);
                if (found < dim) {
                    try {
                        values[at + found] = parseFloat(line, field, end - field);
                    } catch (NumberFormatException e) {
                        throw new IOException(file + " line " + lineNumber + ": value " + (found + 1) + " '"
                                + abbreviate(utf8(line, field, end - field, lineNumber)) + "' is not a number");
                    }
                }
                found++;
            }
            if (found != dim) {
                throw new IOException(file + " line " + lineNumber + ": expected a song id and " + dim
                        + " values, found " + (id.isEmpty() ? 0 : found) + " values"
                        + (found < dim && !id.isEmpty() ? " (truncated line?)" : ""));
            }
            return id;
        }

        private int skipBlanks(int i) {
            while (i < length && (line[i] == ' ' || line[i] == '\t')) {
                i++;
            }
            return i;
        }

        private int fieldEnd(int i) {
            while (i < length && line[i] != ' ' && line[i] != '\t') {
                i++;
            }
            return i;
        }

        /** Reads a binary record into values[at..at+dim); its id, or null at the end of the file. */
        String binaryVector(int lineNumber, int dim, float[] values, int at) throws IOException {
            length = 0;
            int b = read();
            while (b == '\n' || b == '\r') {
                b = read(); // the newline word2vec's C tool writes after each vector
            }
            if (b < 0) {
                return null;
            }
            while (b >= 0 && b != ' ') {
                if (length > 4096) {
                    throw new IOException(file + " line " + lineNumber + ": no song id followed by a space "
                            + "(is this a word2vec binary file?)");
                }
                keep(b);
                b = read();
            }
            if (b < 0) {
                throw new IOException(file + " line " + lineNumber + ": the file ends inside the vector (truncated)");
            }
            String id = utf8(line, 0, length, lineNumber);
            for (int done = 0; done < dim; ) {
                int chunk = Math.min(buffer.length / 4, dim - done);
                if (!available(4 * chunk)) {
                    throw new IOException(file + " line " + lineNumber + ": the file ends inside the vector of song "
                            + abbreviate(id) + " (truncated)");
                }
                ByteBuffer.wrap(buffer, pos, 4 * chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                        .get(values, at + done, chunk);
                pos += 4 * chunk;
                done += chunk;
            }
            return id;
        }

        /** Whether anything but blank space is left. */
        boolean hasMoreVectors() throws IOException {
            int b;
            while ((b = read()) >= 0) {
                if (!Character.isWhitespace(b)) {
                    return true;
                }
            }
            return false;
        }

        private String utf8(byte[] raw, int offset, int count, int lineNumber) throws IOException {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw, offset, count))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new IOException(file + (lineNumber < 0 ? "" : " line " + lineNumber) + ": not valid UTF-8"
                        + (lineNumber < 0 ? " text (is this a word2vec file?)" : ""));
            }
        }
    }
}
