package io.streamvec.text.stream;

import io.streamvec.text.model.TextTokenizer;
import io.streamvec.text.model.Tokens;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streamvec.avro.TextEvent;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Tokenizes each prepared text event (see {@link PrepareTextProcessor}) once for both branches of the text
 * path and forwards it with its tokens as a {@link TokenizedEvent}. When the tokens branch's tokenizer is the
 * embedding model's own (the same instance: the application shares it when {@code tokenizer.path} and the
 * maximum length allow), the text is tokenized once; otherwise it is tokenized a second time with the model's
 * tokenizer, whose ids are the ones the model understands.
 */
public final class TokenizeProcessor extends ContextualProcessor<String, TextEvent, String, TokenizedEvent> {

    private final Supplier<TextTokenizer> tokensTokenizer;
    private final Supplier<TextTokenizer> modelTokenizer;
    private TextTokenizer tokens;
    private TextTokenizer model;

    private final Timer latency;

    /**
     * @param tokens the JVM's tokenizer for {@code text-tokens}, resolved when the task starts
     * @param model  the embedding model's tokenizer, resolved when the task starts
     */
    public TokenizeProcessor(Supplier<TextTokenizer> tokens, Supplier<TextTokenizer> model, MeterRegistry metrics) {
        this.tokensTokenizer = tokens;
        this.modelTokenizer = model;
        this.latency = Timer.builder("streamvec.tokenization").description("Time to tokenize one text")
                .publishPercentileHistogram().register(metrics);
    }

    @Override
    public void init(ProcessorContext<String, TokenizedEvent> context) {
        super.init(context);
        this.tokens = tokensTokenizer.get();
        this.model = modelTokenizer.get();
    }

    @Override
    public void process(Record<String, TextEvent> record) {
        TextEvent event = record.value();
        long started = System.nanoTime();
        Tokens forTokens = tokens.tokenize(event.getText());
        latency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        Tokens forModel = model == tokens ? forTokens : model.tokenize(event.getText());
        context().forward(record.withValue(new TokenizedEvent(event, tokens.name(), forTokens, forModel)));
    }
}
