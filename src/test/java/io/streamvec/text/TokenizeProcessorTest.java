package io.streamvec.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.InvalidEventException;
import io.streamvec.avro.TextEvent;
import io.streamvec.avro.TokenizedText;
import java.util.List;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokenizeProcessorTest {

    private static TextTokenizer tokenizer;
    private MockProcessorContext<String, TokenizedText> context;
    private TokenizeProcessor processor;

    @BeforeAll
    static void load() {
        tokenizer = TextTokenizer.bundled(8);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @BeforeEach
    void init() {
        context = new MockProcessorContext<>();
        context.setRecordMetadata("text-events", 2, 17L);
        processor = new TokenizeProcessor(() -> tokenizer);
        processor.init(context);
    }

    private TokenizedText only() {
        List<CapturedForward<? extends String, ? extends TokenizedText>> forwarded = context.forwarded();
        assertEquals(1, forwarded.size());
        return forwarded.get(0).record().value();
    }

    @Test
    void emitsTokensKeyedByTheEventsId() {
        processor.process(new Record<>("key", TextEvent.newBuilder().setId("id-1").setText("Hello world")
                .setTimestampMs(1000L).build(), 5L));
        TokenizedText out = only();
        assertEquals("id-1", context.forwarded().get(0).record().key());
        assertEquals("id-1", out.getSourceId());
        assertEquals(List.of(101, 7592, 2088, 102), out.getTokenIds());
        assertEquals(List.of("[CLS]", "hello", "world", "[SEP]"), out.getTokens());
        assertEquals(0, out.getOffsets().get(1).getStart());
        assertEquals(5, out.getOffsets().get(1).getEnd());
        assertEquals(1000L, out.getEventTimestampMs(), "the event's own time wins over the record's");
        assertEquals(BundledModel.NAME, out.getTokenizer());
    }

    @Test
    void sourceIdFallsBackToKeyThenOffset() {
        processor.process(new Record<>("my-key", TextEvent.newBuilder().setText("plain").build(), 5L));
        processor.process(new Record<>(null, TextEvent.newBuilder().setText("plain").build(), 6L));
        assertEquals("my-key", context.forwarded().get(0).record().value().getSourceId());
        assertEquals("text-events-2-17", context.forwarded().get(1).record().value().getSourceId());
        assertEquals(6L, context.forwarded().get(1).record().value().getEventTimestampMs());
    }

    @Test
    void flagsTruncationAtTheConfiguredLength() {
        processor.process(new Record<>("k", TextEvent.newBuilder().setText("one two three four five six seven eight")
                .build(), 0L));
        TokenizedText out = only();
        assertEquals(8, out.getTokenIds().size());
        assertTrue(out.getTruncated());
    }

    @Test
    void rejectsNullAndBlankTextWithAReason() {
        assertTrue(assertThrows(InvalidEventException.class, () -> processor.process(new Record<>("k", null, 0L)))
                .getMessage().contains("null value"));
        assertTrue(assertThrows(InvalidEventException.class, () -> processor.process(
                new Record<>("k", TextEvent.newBuilder().setText(" \n\t ").build(), 0L)))
                .getMessage().contains("whitespace"));
        assertTrue(context.forwarded().isEmpty());
    }
}
