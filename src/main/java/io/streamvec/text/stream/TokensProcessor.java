package io.streamvec.text.stream;

import io.streamvec.text.model.Tokens;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamvec.avro.Span;
import io.streamvec.avro.TextEvent;
import io.streamvec.avro.TokenizedText;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;

/** The tokens branch: forwards each tokenized event (see {@link TokenizeProcessor}) as its {@link TokenizedText}. */
public final class TokensProcessor extends ContextualProcessor<String, TokenizedEvent, String, TokenizedText> {

    private final Counter emitted;

    public TokensProcessor(MeterRegistry metrics) {
        this.emitted = Counter.builder("streamvec.records.out").tag("path", "text").tag("topic", "text-tokens")
                .description("Records written per path and topic").register(metrics);
    }

    @Override
    public void process(Record<String, TokenizedEvent> record) {
        TokenizedEvent tokenized = record.value();
        context().forward(record.withValue(toAvro(tokenized.event(), tokenized.tokenizer(), tokenized.tokens())));
        emitted.increment();
    }

    /** The {@link TokenizedText} of an event's tokens (also what the embed step keeps of the model's tokens). */
    static TokenizedText toAvro(TextEvent event, String tokenizer, Tokens tokens) {
        List<Integer> ids = new ArrayList<>(tokens.size());
        List<Span> offsets = new ArrayList<>(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            ids.add((int) tokens.ids()[i]);
            offsets.add(new Span(tokens.starts()[i], tokens.ends()[i]));
        }
        return TokenizedText.newBuilder()
                .setSourceId(event.getId())
                .setTokenizer(tokenizer)
                .setTokenIds(ids)
                .setTokens(List.of(tokens.pieces()))
                .setOffsets(offsets)
                .setTruncated(tokens.truncated())
                .setEventTimestampMs(event.getTimestampMs())
                .build();
    }
}
