package io.streamvec.text.model.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.text.model.Pooling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a model declares about its pooling, as sentence-transformers saves it: {@code modules.json} lists the
 * modules after the encoder ({@code sentence_transformers.models.Pooling}, then {@code Normalize} if the
 * vectors are normalised), and the pooling module's {@code config.json} (usually {@code 1_Pooling/config.json})
 * says which {@code pooling_mode_*} it uses. Either may be missing.
 *
 * @param mode      the declared pooling, or null when the model says nothing
 * @param normalize whether {@code modules.json} has a {@code Normalize} module, or null without one
 * @param source    where the declaration comes from, for messages
 */
public record PoolingDeclaration(Pooling.Mode mode, Boolean normalize, String source) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODULES = "modules.json";
    private static final String DEFAULT_POOLING_DIR = "1_Pooling";

    /** A model that declares nothing. */
    public static final PoolingDeclaration NONE = new PoolingDeclaration(null, null, null);

    /** Reads the declaration of a sentence-transformers model directory; malformed or unsupported: one clear line. */
    public static PoolingDeclaration read(Path directory, int hiddenSize) {
        Path modulesFile = directory.resolve(MODULES);
        Boolean normalize = null;
        String poolingDir = DEFAULT_POOLING_DIR;
        List<String> sources = new ArrayList<>();
        if (Files.isRegularFile(modulesFile)) {
            JsonNode modules = readJson(modulesFile);
            if (!modules.isArray()) {
                throw new IllegalArgumentException(modulesFile + ": expected a JSON array of modules");
            }
            normalize = false;
            for (JsonNode module : modules) {
                String type = module.path("type").asText("");
                if (type.endsWith(".Pooling")) {
                    poolingDir = module.path("path").asText(DEFAULT_POOLING_DIR);
                } else if (type.endsWith(".Normalize")) {
                    normalize = true;
                }
            }
            sources.add(modulesFile.toString());
        }
        Path poolingFile = directory.resolve(poolingDir).resolve("config.json");
        Pooling.Mode mode = null;
        if (Files.isRegularFile(poolingFile)) {
            mode = mode(readJson(poolingFile), poolingFile, hiddenSize);
            sources.add(0, poolingFile.toString());
        }
        return sources.isEmpty() ? NONE : new PoolingDeclaration(mode, normalize, String.join(" and ", sources));
    }

    private static Pooling.Mode mode(JsonNode config, Path file, int hiddenSize) {
        JsonNode dimension = config.get("word_embedding_dimension");
        if (dimension != null && dimension.asInt() != hiddenSize) {
            throw new IllegalArgumentException(file + ": word_embedding_dimension " + dimension.asInt()
                    + " is not the model's hidden size " + hiddenSize);
        }
        List<String> on = new ArrayList<>();
        config.fieldNames().forEachRemaining(key -> {
            if (key.startsWith("pooling_mode_") && config.get(key).asBoolean(false)) {
                on.add(key);
            }
        });
        if (on.size() != 1) {
            throw new IllegalArgumentException(file + ": " + (on.isEmpty() ? "no pooling_mode_* is true"
                    : String.join(", ", on) + " are all true (concatenated poolings are not supported)")
                    + "; streamvec pools by mean, cls or max");
        }
        return switch (on.get(0)) {
            case "pooling_mode_mean_tokens" -> Pooling.Mode.MEAN;
            case "pooling_mode_cls_token" -> Pooling.Mode.CLS;
            case "pooling_mode_max_tokens" -> Pooling.Mode.MAX;
            default -> throw new IllegalArgumentException(file + ": " + on.get(0) + " is not supported; streamvec "
                    + "pools by mean, cls or max");
        };
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": "
                    + e.getMessage().lines().findFirst().orElse(e.toString()), e);
        }
    }

    /**
     * The pooling to use.
     *
     * @param mode      {@code auto} (the declared pooling, else mean), {@code mean}, {@code cls} or {@code max}
     * @param normalize {@code auto} (as declared, else true), {@code true} or {@code false}; an explicit value
     *                  wins over the declaration (normalising changes a vector's length, never its direction)
     * @param setting   the name of the pooling setting, for the message when {@code mode} contradicts the model
     */
    public Pooling resolve(String mode, String normalize, String setting) {
        Pooling.Mode chosen;
        if (mode == null || mode.isBlank() || mode.strip().equalsIgnoreCase("auto")) {
            chosen = this.mode == null ? Pooling.Mode.MEAN : this.mode;
        } else {
            chosen = Pooling.Mode.of(mode);
            if (this.mode != null && chosen != this.mode) {
                throw new IllegalArgumentException(setting + "=" + chosen.key() + " contradicts " + source
                        + ", which pools by " + this.mode.key() + ": leave " + setting + " at auto, or set it to "
                        + this.mode.key());
            }
        }
        boolean norm = switch (normalize == null ? "auto" : normalize.strip().toLowerCase(Locale.ROOT)) {
            case "", "auto" -> this.normalize == null || this.normalize;
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("normalize must be auto, true or false, not '"
                    + normalize + "'");
        };
        return new Pooling(chosen, norm);
    }
}
