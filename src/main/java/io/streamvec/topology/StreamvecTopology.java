package io.streamvec.topology;

import io.streamvec.avro.TokenizedText;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import io.streamvec.serde.SchemaRegistry;
import io.streamvec.serde.TextEventDeserializer;
import io.streamvec.text.TextTokenizer;
import io.streamvec.text.TokenizeProcessor;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;

/**
 * streamvec's topology, wired in one place. It reads like its diagram ({@code topology/topology.txt}):
 *
 * <pre>
 *   text-events ──► tokenize ──► text-tokens
 * </pre>
 *
 * Records that cannot be read or processed go to {@code streamvec-dlq} through the exception handlers
 * configured in {@link io.streamvec.StreamvecConfig#streamsDefaults()}.
 */
public final class StreamvecTopology {

    public static final String TEXT_SOURCE = "text-events-source";
    public static final String TOKENIZE = "tokenize";
    public static final String TOKENS_SINK = "text-tokens-sink";

    private StreamvecTopology() {}

    /**
     * @param registry  where the serdes register and look up Avro schemas
     * @param tokenizer the shared tokenizer, resolved when a task starts (so that building and describing
     *                  the topology loads no native code)
     */
    public static Topology build(SchemaRegistry registry, Supplier<TextTokenizer> tokenizer) {
        StringSerializer keys = new StringSerializer();
        AvroSerde<TokenizedText> tokenized = new AvroSerde<>(TokenizedText.class, registry);

        Topology topology = new Topology();
        topology.addSource(TEXT_SOURCE, new StringDeserializer(), new TextEventDeserializer(registry),
                Topics.TEXT_EVENTS);
        topology.addProcessor(TOKENIZE, () -> new TokenizeProcessor(tokenizer), TEXT_SOURCE);
        topology.addSink(TOKENS_SINK, Topics.TEXT_TOKENS, keys, tokenized.serializer(), TOKENIZE);
        return topology;
    }

    /**
     * {@code Topology.describe()} of the real topology, with a trailing newline: the content of the
     * committed {@code topology/topology.txt}. Loads no model and touches no broker.
     */
    public static String describe() {
        String text = build(EmbeddedSchemaRegistry.bundled(), () -> {
            throw new IllegalStateException("describing the topology needs no tokenizer");
        }).describe().toString();
        return text.endsWith("\n") ? text : text + "\n";
    }
}
