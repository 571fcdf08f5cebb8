package io.streamvec.text.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Hugging Face {@code tokenizer.json} loaded through DJL's tokenizers, with streamvec's settings:
 * special tokens added, truncation at {@code maxLength}, and no padding (batches pad to their own
 * longest text). The native tokenizer is immutable once built, so one instance serves all threads.
 */
public final class TextTokenizer implements AutoCloseable {

    /** Tokens per text when nothing else is configured; longer texts are truncated and flagged. */
    public static final int DEFAULT_MAX_LENGTH = 256;

    private final HuggingFaceTokenizer tokenizer;
    private final String name;
    private final int maxLength;
    /** Opens the tokenizer.json again, for its {@link Vocabulary} (read on first use). */
    private final Source source;
    private volatile Vocabulary vocabulary;
    private final AtomicBoolean closed = new AtomicBoolean();

    private interface Source {
        InputStream open() throws IOException;
    }

    private TextTokenizer(HuggingFaceTokenizer tokenizer, String name, int maxLength, Source source) {
        this.tokenizer = tokenizer;
        this.name = name;
        this.maxLength = maxLength;
        this.source = source;
    }

    /** The tokenizer of the bundled all-MiniLM-L6-v2 model. */
    public static TextTokenizer bundled(int maxLength) {
        try (InputStream in = BundledModel.open(BundledModel.TOKENIZER_RESOURCE)) {
            return new TextTokenizer(HuggingFaceTokenizer.newInstance(in, options(maxLength)), BundledModel.NAME,
                    maxLength, () -> BundledModel.open(BundledModel.TOKENIZER_RESOURCE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the bundled tokenizer", e);
        }
    }

    /** A {@code tokenizer.json} file, or a model directory that contains one. */
    public static TextTokenizer fromPath(Path path, int maxLength) {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("tokenizer file not found: " + file);
        }
        Path parent = file.toAbsolutePath().getParent();
        String name = file.getFileName().toString().equals("tokenizer.json") && parent != null
                && parent.getFileName() != null ? parent.getFileName().toString() : file.getFileName().toString();
        try {
            return new TextTokenizer(HuggingFaceTokenizer.newInstance(file, options(maxLength)), name, maxLength,
                    () -> Files.newInputStream(file));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot load tokenizer " + file + ": not a Hugging Face tokenizer.json ("
                    + firstLine(e) + ")", e);
        }
    }

    /**
     * {@link BundledModel#NAME} for the bundled tokenizer, else a {@code tokenizer.json} file or a directory
     * holding one.
     */
    public static TextTokenizer byNameOrPath(String nameOrPath, int maxLength) {
        return nameOrPath.equals(BundledModel.NAME) ? bundled(maxLength) : fromPath(Path.of(nameOrPath), maxLength);
    }

    private static String firstLine(Exception e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return message.lines().findFirst().orElse(message).strip();
    }

    /** The bundled tokenizer when {@code path} is blank, else the one at {@code path}. */
    public static TextTokenizer load(String path, int maxLength) {
        return path == null || path.isBlank() ? bundled(maxLength) : fromPath(Path.of(path), maxLength);
    }

    private static Map<String, String> options(int maxLength) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("tokenizer max length must be at least 2, got " + maxLength);
        }
        return Map.of(
                "addSpecialTokens", "true",
                "truncation", "true",
                "padding", "false",
                "maxLength", Integer.toString(maxLength));
    }

    public String name() {
        return name;
    }

    public int maxLength() {
        return maxLength;
    }

    /** The ids the tokenizer file defines (read from it on first use). */
    public Vocabulary vocabulary() {
        Vocabulary v = vocabulary;
        if (v == null) {
            try (InputStream in = source.open()) {
                v = Vocabulary.read(in);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("cannot read the vocabulary of tokenizer " + name + ": "
                        + firstLine(e), e);
            }
            vocabulary = v;
        }
        return v;
    }

    /**
     * The text of token ids, as the tokenizer's decoder writes it; special tokens skipped if asked. An id outside
     * the vocabulary (which the native decoder would drop without a word) is an {@link IllegalArgumentException}.
     */
    public String decode(long[] ids, boolean skipSpecialTokens) {
        Vocabulary v = vocabulary();
        for (long id : ids) {
            if (!v.contains(id)) {
                throw new IllegalArgumentException("token id " + id + " is not in the vocabulary of " + name
                        + " (" + v.size() + " ids, 0 to " + v.maxId() + ")");
            }
        }
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    /** Tokenizes one text. */
    public Tokens tokenize(String text) {
        return toTokens(tokenizer.encode(text), text);
    }

    public List<Tokens> tokenizeAll(List<String> texts) {
        Encoding[] encodings = tokenizer.batchEncode(texts);
        Tokens[] tokens = new Tokens[encodings.length];
        for (int i = 0; i < encodings.length; i++) {
            tokens[i] = toTokens(encodings[i], texts.get(i));
        }
        return List.of(tokens);
    }

    /**
     * The native tokenizer counts offsets in Unicode code points; streamvec reports them in UTF-16 code
     * units, as Java strings (and {@code String.substring}) count, so that emoji and other
     * supplementary characters do not shift every later span.
     */
    private static Tokens toTokens(Encoding encoding, String text) {
        boolean supplementary = text.length() != text.codePointCount(0, text.length());
        long[] ids = encoding.getIds();
        CharSpan[] spans = encoding.getCharTokenSpans();
        long[] specialMask = encoding.getSpecialTokenMask();
        int[] starts = new int[ids.length];
        int[] ends = new int[ids.length];
        boolean[] special = new boolean[ids.length];
        for (int i = 0; i < ids.length; i++) {
            special[i] = specialMask[i] != 0;
            CharSpan span = spans == null || i >= spans.length ? null : spans[i];
            if (span != null && !special[i]) {
                starts[i] = supplementary ? utf16Index(text, span.getStart()) : span.getStart();
                ends[i] = supplementary ? utf16Index(text, span.getEnd()) : span.getEnd();
            }
        }
        return new Tokens(ids, encoding.getTokens(), starts, ends, encoding.exceedMaxLength(), special);
    }

    private static int utf16Index(String text, int codePoints) {
        int bounded = Math.min(codePoints, text.codePointCount(0, text.length()));
        return text.offsetByCodePoints(0, bounded);
    }

    /** Frees the native tokenizer; a second call does nothing (the tokens branch may share the model's). */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            tokenizer.close();
        }
    }
}
