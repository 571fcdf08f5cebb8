package io.streamvec.text.stream;

import io.streamvec.text.model.TextTokenizer;
import io.streamvec.text.model.Tokens;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streamvec.avro.Span;
import io.streamvec.avro.TextEvent;
import io.streamvec.avro.TokenizedText;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** Tokenizes each prepared text event (see {@link PrepareTextProcessor}) and forwards its {@link TokenizedText}. */
public final class TokenizeProcessor extends ContextualProcessor<String, TextEvent, String, TokenizedText> {

    private final Supplier<TextTokenizer> shared;
    private TextTokenizer tokenizer;

    private final Timer latency;
    private final Counter emitted;

    /** @param tokenizer the JVM's shared tokenizer, resolved when the task starts */
    public TokenizeProcessor(Supplier<TextTokenizer> tokenizer, MeterRegistry metrics) {
        this.shared = tokenizer;
        this.latency = Timer.builder("streamvec.tokenization").description("Time to tokenize one text")
                .publishPercentileHistogram().register(metrics);
        this.emitted = Counter.builder("streamvec.records.out").tag("path", "text").tag("topic", "text-tokens")
                .description("Records written per path and topic").register(metrics);
    }

    @Override
    public void init(ProcessorContext<String, TokenizedText> context) {
        super.init(context);
        this.tokenizer = shared.get();
    }

    @Override
    public void process(Record<String, TextEvent> record) {
        TextEvent event = record.value();
        long started = System.nanoTime();
        Tokens tokens = tokenizer.tokenize(event.getText());
        latency.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        context().forward(record.withValue(toAvro(event.getId(), tokens, event.getTimestampMs())));
        emitted.increment();
    }

    private TokenizedText toAvro(String sourceId, Tokens tokens, long eventTime) {
        List<Integer> ids = new ArrayList<>(tokens.size());
        List<Span> offsets = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            ids.add((int) tokens.ids()[i]);
            offsets.add(new Span(tokens.starts()[i], tokens.ends()[i]));
        }
        return TokenizedText.newBuilder()
                .setSourceId(sourceId)
                .setTokenizer(tokenizer.name())
                .setTokenIds(ids)
                .setTokens(List.of(tokens.pieces()))
                .setOffsets(offsets)
                .setTruncated(tokens.truncated())
                .setEventTimestampMs(eventTime)
                .build();
    }
}
