package io.streamvec.text;

import io.streamvec.InvalidEventException;
import io.streamvec.avro.Span;
import io.streamvec.avro.TextEvent;
import io.streamvec.avro.TokenizedText;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Tokenizes each text event and forwards its {@link TokenizedText}, keyed by source id. The source id
 * is the event's own id, else the record key, else {@code topic-partition-offset}.
 */
public final class TokenizeProcessor implements Processor<String, TextEvent, String, TokenizedText> {

    private final Supplier<TextTokenizer> shared;
    private TextTokenizer tokenizer;
    private ProcessorContext<String, TokenizedText> context;

    /** @param tokenizer the JVM's shared tokenizer, resolved when the task starts */
    public TokenizeProcessor(Supplier<TextTokenizer> tokenizer) {
        this.shared = tokenizer;
    }

    @Override
    public void init(ProcessorContext<String, TokenizedText> context) {
        this.context = context;
        this.tokenizer = shared.get();
    }

    @Override
    public void process(Record<String, TextEvent> record) {
        TextEvent event = record.value();
        if (event == null) {
            throw new InvalidEventException("null value: a text event needs text");
        }
        String text = event.getText();
        if (text.isBlank()) {
            throw new InvalidEventException("text is empty or whitespace only");
        }
        String sourceId = sourceId(event, record.key(), context.recordMetadata().orElse(null));
        long eventTime = event.getTimestampMs() != null ? event.getTimestampMs() : record.timestamp();
        Tokens tokens = tokenizer.tokenize(text);
        context.forward(record.withKey(sourceId).withValue(toAvro(sourceId, tokens, eventTime)));
    }

    static String sourceId(TextEvent event, String key, RecordMetadata metadata) {
        if (event.getId() != null && !event.getId().isBlank()) {
            return event.getId();
        }
        if (key != null && !key.isBlank()) {
            return key;
        }
        if (metadata == null) {
            throw new InvalidEventException("text event has no id, no key and no source offset");
        }
        return metadata.topic() + "-" + metadata.partition() + "-" + metadata.offset();
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
