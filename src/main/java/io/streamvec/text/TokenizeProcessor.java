package io.streamvec.text;

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

    /** @param tokenizer the JVM's shared tokenizer, resolved when the task starts */
    public TokenizeProcessor(Supplier<TextTokenizer> tokenizer) {
        this.shared = tokenizer;
    }

    @Override
    public void init(ProcessorContext<String, TokenizedText> context) {
        super.init(context);
        this.tokenizer = shared.get();
    }

    @Override
    public void process(Record<String, TextEvent> record) {
        TextEvent event = record.value();
        Tokens tokens = tokenizer.tokenize(event.getText());
        context().forward(record.withValue(toAvro(event.getId(), tokens, event.getTimestampMs())));
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
