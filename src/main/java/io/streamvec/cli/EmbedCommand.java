package io.streamvec.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamvec.text.model.BertSentenceEmbedder;
import io.streamvec.text.model.EmbeddedText;
import io.streamvec.text.model.Pooling;
import io.streamvec.text.model.TextTokenizer;
import io.streamvec.text.model.Tokens;
import io.streamvec.text.model.weights.EmbeddingModel;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Prints the sentence embedding, or the token embeddings, of each text as one JSON object per line. */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Embed texts with streamvec's sentence encoder (DJL/PyTorch) and print one JSON object per "
                + "text and line: {\"text\", \"model\", \"dim\", \"vector\"}; with --tokens, each token's "
                + "vector instead: {\"text\", \"model\", \"dim\", \"tokens\": [{\"id\", \"piece\", "
                + "\"start\", \"end\", \"vector\"}]}.")
final class EmbedCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--model", paramLabel = "DIR",
            description = "A Hugging Face BERT-family model directory (config.json, model.safetensors, "
                    + "tokenizer.json); default: the bundled all-MiniLM-L6-v2.")
    Path model;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|gpu",
            description = "auto (the GPU when DJL's PyTorch engine sees CUDA, else the CPU), cpu or gpu "
                    + "(default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--precision", defaultValue = "auto", paramLabel = "auto|fp32|fp16",
            description = "auto (fp16 on the GPU, fp32 on the CPU), fp32 or fp16 (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--max-length", defaultValue = "" + TextTokenizer.DEFAULT_MAX_LENGTH,
            description = "Maximum tokens per text; longer texts are truncated (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--pooling", defaultValue = "auto", paramLabel = "auto|mean|cls|max",
            description = "How token states become the sentence vector: auto (what the model declares in "
                    + "1_Pooling/config.json, else mean), mean, cls or max (default: ${DEFAULT-VALUE}).")
    String pooling;

    @Option(names = "--normalize", defaultValue = "auto", paramLabel = "auto|true|false",
            description = "L2-normalise the sentence vector: auto (as the model declares, else true), true or "
                    + "false (default: ${DEFAULT-VALUE}).")
    String normalize;

    @Option(names = "--tokens",
            description = "Print each token's vector (the encoder's last hidden state, before pooling), [CLS] and "
                    + "[SEP] included, with its id, piece and character span [start, end) in the text (UTF-16 "
                    + "code units; special tokens [0, 0)). With mean pooling their mean is the sentence vector "
                    + "before normalisation.")
    boolean tokens;

    @Parameters(arity = "1..*", paramLabel = "TEXT", description = "Texts to embed.")
    List<String> texts;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (model != null && !Files.isDirectory(model)) {
            throw new IllegalArgumentException("--model " + model + " is not a directory (it needs config.json, "
                    + "model.safetensors and tokenizer.json)");
        }
        EmbeddingModel loaded = model == null ? EmbeddingModel.bundled() : EmbeddingModel.fromDirectory(model);
        PrintWriter out = spec.commandLine().getOut();
        Pooling chosen = loaded.declaredPooling().resolve(pooling, normalize, "--pooling");
        try (BertSentenceEmbedder embedder = BertSentenceEmbedder.create(loaded, maxLength, device, precision, true,
                chosen)) {
            if (tokens) {
                printTokens(embedder, out);
                out.flush();
                return 0;
            }
            float[][] vectors = embedder.embedTexts(texts);
            for (int t = 0; t < texts.size(); t++) {
                ObjectNode line = JSON.createObjectNode();
                line.put("text", texts.get(t));
                line.put("model", embedder.modelName());
                line.put("dim", vectors[t].length);
                ArrayNode vector = line.putArray("vector");
                for (float v : vectors[t]) {
                    vector.add(v);
                }
                out.println(JSON.writeValueAsString(line));
            }
        }
        out.flush();
        return 0;
    }

    private void printTokens(BertSentenceEmbedder embedder, PrintWriter out) throws Exception {
        List<Tokens> tokenized = embedder.tokenizer().tokenizeAll(texts);
        EmbeddedText[] embedded = embedder.embedWithTokens(tokenized.stream().map(Tokens::ids).toList());
        for (int t = 0; t < texts.size(); t++) {
            Tokens tokens = tokenized.get(t);
            ObjectNode line = JSON.createObjectNode();
            line.put("text", texts.get(t));
            line.put("model", embedder.modelName());
            line.put("dim", embedder.dimension());
            ArrayNode array = line.putArray("tokens");
            for (int i = 0; i < tokens.size(); i++) {
                ObjectNode token = array.addObject();
                token.put("id", tokens.ids()[i]);
                token.put("piece", tokens.pieces()[i]);
                token.put("start", tokens.starts()[i]);
                token.put("end", tokens.ends()[i]);
                ArrayNode vector = token.putArray("vector");
                for (float v : embedded[t].tokenVector(i)) {
                    vector.add(v);
                }
            }
            out.println(JSON.writeValueAsString(line));
        }
    }
}
