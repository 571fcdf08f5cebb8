package io.streamvec.cli;

import io.streamvec.text.model.TextTokenizer;
import io.streamvec.text.model.Tokens;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Prints each token's id and piece, one block per text. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Tokenize texts and print each token's id and piece, one block per text.")
final class TokenizeCommand implements Callable<Integer> {

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "A Hugging Face tokenizer.json (default: the bundled all-MiniLM-L6-v2 tokenizer).")
    Path tokenizerFile;

    @Option(names = "--max-length", defaultValue = "" + TextTokenizer.DEFAULT_MAX_LENGTH,
            description = "Maximum tokens per text (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Parameters(arity = "1..*", paramLabel = "TEXT", description = "Texts to tokenize.")
    List<String> texts;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (TextTokenizer tokenizer = tokenizerFile == null ? TextTokenizer.bundled(maxLength)
                : TextTokenizer.fromPath(tokenizerFile, maxLength)) {
            for (int t = 0; t < texts.size(); t++) {
                Tokens tokens = tokenizer.tokenize(texts.get(t));
                if (t > 0) {
                    out.println();
                }
                out.printf("%s (%s, %d tokens%s)%n", texts.get(t), tokenizer.name(), tokens.size(),
                        tokens.truncated() ? ", truncated" : "");
                for (int i = 0; i < tokens.size(); i++) {
                    out.printf("%8d  %s%n", tokens.ids()[i], tokens.pieces()[i]);
                }
            }
        }
        out.flush();
        return 0;
    }
}
