package io.streamvec.cli;

import io.streamvec.text.model.BundledModel;
import io.streamvec.text.model.TextTokenizer;
import io.streamvec.text.model.Tokens;
import io.streamvec.text.model.Vocabulary;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Tokenizes texts with one or several tokenizers, side by side: for each, its vocabulary size, the token count
 * and the tokens as the text they stand for (from the tokenizer's offsets), coloured in turn on a terminal.
 * {@code --decode} turns ids back into text.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Tokenize texts with one or several tokenizers and show, for each, its vocabulary size, "
                + "the token count and the tokens: each as the text it stands for (from the tokenizer's offsets, "
                + "so a byte-level piece such as Ġworld shows as ' world', and the bytes of one character split "
                + "over several tokens show together), coloured in turn on a terminal, else separated by |. "
                + "Special tokens are marked ⟨[CLS]⟩. With --decode, ids become text instead.",
                "Example: streamvec tokenize --tokenizer all-MiniLM-L6-v2 --tokenizer gpt2/tokenizer.json "
                        + "--ids 'Hello world'"})
final class TokenizeCommand implements Callable<Integer> {

    /** Background colours (256-colour palette, pastel) the tokens take in turn, with black text. */
    private static final int[] PALETTE = {229, 159, 217, 193, 183, 223};
    private static final String RESET = "\u001b[0m";
    private static final String SPECIAL_STYLE = "\u001b[1;7m";
    private static final String GAP_STYLE = "\u001b[2m";
    private static final char SPECIAL_OPEN = '⟨';
    private static final char SPECIAL_CLOSE = '⟩';

    enum ColorMode { auto, always, never }

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "A Hugging Face tokenizer.json (or a directory holding one), or " + BundledModel.NAME
                    + " for the bundled tokenizer; give it several times to compare (default: "
                    + BundledModel.NAME + ").")
    List<String> tokenizers = new ArrayList<>();

    @Option(names = "--max-length", defaultValue = "" + TextTokenizer.DEFAULT_MAX_LENGTH,
            description = "Maximum tokens per text (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--color", defaultValue = "auto", paramLabel = "auto|always|never",
            description = "Colour the tokens: auto (when standard output is a terminal), always or never "
                    + "(default: ${DEFAULT-VALUE}).")
    ColorMode color;

    @Option(names = "--ids", description = "Also print the token ids (they decode back with --decode).")
    boolean ids;

    @Option(names = "--decode", arity = "1..*", paramLabel = "ID",
            description = "Decode these token ids (special tokens skipped) with each tokenizer instead of "
                    + "tokenizing texts.")
    List<Long> decode;

    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "Texts to tokenize.")
    List<String> texts = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (decode == null && texts.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give texts to tokenize, or --decode IDS");
        }
        if (decode != null && !texts.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give texts to tokenize or --decode IDS, not both");
        }
        PrintWriter out = spec.commandLine().getOut();
        List<TextTokenizer> loaded = new ArrayList<>();
        try {
            for (String tokenizer : tokenizers.isEmpty() ? List.of(BundledModel.NAME) : tokenizers) {
                loaded.add(TextTokenizer.byNameOrPath(tokenizer, maxLength));
            }
            if (decode != null) {
                decode(loaded, out);
            } else {
                tokenize(loaded, out);
            }
        } finally {
            loaded.forEach(TextTokenizer::close);
        }
        out.flush();
        return 0;
    }

    private void decode(List<TextTokenizer> loaded, PrintWriter out) {
        long[] tokenIds = decode.stream().mapToLong(Long::longValue).toArray();
        List<String> decoded = new ArrayList<>();
        for (TextTokenizer tokenizer : loaded) {
            decoded.add(tokenizer.decode(tokenIds, true)); // all checked before anything is printed
        }
        for (int i = 0; i < loaded.size(); i++) {
            out.println(loaded.size() == 1 ? decoded.get(i) : loaded.get(i).name() + ": " + decoded.get(i));
        }
    }

    private void tokenize(List<TextTokenizer> loaded, PrintWriter out) {
        boolean colour = switch (color) {
            case always -> true;
            case never -> false;
            case auto -> CommandLine.Help.Ansi.AUTO.enabled();
        };
        for (int t = 0; t < texts.size(); t++) {
            String text = texts.get(t);
            if (t > 0) {
                out.println();
            }
            out.println(visible(text));
            for (TextTokenizer tokenizer : loaded) {
                Tokens tokens = tokenizer.tokenize(text);
                Vocabulary vocabulary = tokenizer.vocabulary();
                out.printf("  %s: vocabulary %d, %d token%s%s%n", tokenizer.name(), vocabulary.size(), tokens.size(),
                        tokens.size() == 1 ? "" : "s", tokens.truncated() ? ", truncated" : "");
                List<Segment> segments = segments(tokens, text, vocabulary);
                out.println("    " + (colour ? coloured(segments, text) : plain(segments)));
                if (ids) {
                    out.println("    ids: " + java.util.Arrays.stream(tokens.ids()).mapToObj(Long::toString)
                            .collect(Collectors.joining(" ")));
                }
            }
        }
    }

    /**
     * Tokens as shown: tokens [from, to) and the text they stand for. A token with a span shows that part of the
     * text; tokens whose spans overlap (the bytes of one character, split by a byte-level BPE) form one segment;
     * a special token ({@code [CLS]}, or {@code [UNK]} standing for part of the text) shows its piece.
     */
    record Segment(int from, int to, int start, int end, String text, boolean special) {}

    static List<Segment> segments(Tokens tokens, String text, Vocabulary vocabulary) {
        List<Segment> segments = new ArrayList<>();
        int i = 0;
        while (i < tokens.size()) {
            boolean special = tokens.special()[i] || vocabulary.isSpecial(tokens.ids()[i]);
            int start = tokens.starts()[i];
            int end = tokens.ends()[i];
            if (end <= start) {
                segments.add(new Segment(i, i + 1, -1, -1, tokens.pieces()[i], special));
                i++;
                continue;
            }
            int j = i + 1;
            while (j < tokens.size() && tokens.ends()[j] > tokens.starts()[j] && tokens.starts()[j] < end) {
                end = Math.max(end, tokens.ends()[j]);
                special |= tokens.special()[j] || vocabulary.isSpecial(tokens.ids()[j]);
                j++;
            }
            // a special token found in the text ([UNK], <|endoftext|>) shows its piece; others the text they cover
            String shown = special ? String.join("", java.util.Arrays.copyOfRange(tokens.pieces(), i, j))
                    : text.substring(start, end);
            segments.add(new Segment(i, j, start, end, shown, special));
            i = j;
        }
        return segments;
    }

    /** Segments separated by {@code |}, special ones marked, control characters escaped. */
    static String plain(List<Segment> segments) {
        StringBuilder line = new StringBuilder();
        for (Segment s : segments) {
            if (!line.isEmpty()) {
                line.append('|');
            }
            line.append(s.special() ? SPECIAL_OPEN + visible(s.text()) + SPECIAL_CLOSE : visible(s.text()));
        }
        return line.toString();
    }

    /**
     * The text as the tokens cover it: each segment on a background colour in turn, special ones in reverse
     * video, what no token covers (spaces a pre-tokenizer dropped) dimmed between them.
     */
    static String coloured(List<Segment> segments, String text) {
        StringBuilder line = new StringBuilder();
        int covered = 0;
        int turn = 0;
        for (Segment s : segments) {
            if (s.start() > covered) {
                line.append(GAP_STYLE).append(visible(text.substring(covered, s.start()))).append(RESET);
            }
            if (s.special()) {
                line.append(SPECIAL_STYLE).append(visible(s.text())).append(RESET);
            } else {
                line.append("\u001b[38;5;16;48;5;").append(PALETTE[turn++ % PALETTE.length]).append('m')
                        .append(visible(s.text())).append(RESET);
            }
            covered = Math.max(covered, s.end());
        }
        return line.toString();
    }

    /** Newlines, tabs and other control characters as escapes, so that each tokenization stays on one line. */
    static String visible(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
