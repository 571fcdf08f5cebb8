package io.streamvec.text.stream;

import io.streamvec.text.model.BundledModel;
import io.streamvec.text.model.TextTokenizer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.InvalidEventException;
import io.streamvec.avro.TextEvent;
import io.streamvec.avro.TokenizedText;
import java.util.List;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The prepare, tokenize and tokens steps of the text path, each with Kafka's MockProcessorContext. */
class TokenizeProcessorTest {

    private static TextTokenizer tokenizer;
    private MockProcessorContext<String, TokenizedEvent> tokenizeContext;
    private TokenizeProcessor tokenize;
    private MockProcessorContext<String, TokenizedText> context;
    private TokensProcessor processor;
    private MockProcessorContext<String, TextEvent> prepareContext;
    private PrepareTextProcessor prepare;

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
        tokenizeContext = new MockProcessorContext<>();
        tokenize = new TokenizeProcessor(() -> tokenizer, () -> tokenizer,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        tokenize.init(tokenizeContext);
        context = new MockProcessorContext<>();
        processor = new TokensProcessor(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        processor.init(context);
        prepareContext = new MockProcessorContext<>();
        prepareContext.setRecordMetadata("text-events", 2, 17L);
        prepare = new PrepareTextProcessor(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        prepare.init(prepareContext);
    }

    /** Runs a record through prepare, tokenize and tokens, and returns what tokens emitted. */
    private List<Record<String, TokenizedText>> run(Record<String, TextEvent> record) {
        prepareContext.resetForwards();
        tokenizeContext.resetForwards();
        context.resetForwards();
        prepare.process(record);
        prepareContext.forwarded().forEach(f -> tokenize.process(
                new Record<String, TextEvent>(f.record().key(), f.record().value(), f.record().timestamp())));
        tokenizeContext.forwarded().forEach(f -> processor.process(
                new Record<String, TokenizedEvent>(f.record().key(), f.record().value(), f.record().timestamp())));
        return context.forwarded().stream()
                .map(f -> new Record<String, TokenizedText>(f.record().key(), f.record().value(), f.record().timestamp()))
                .toList();
    }

    @Test
    void emitsTokensKeyedByTheEventsId() {
        List<Record<String, TokenizedText>> out = run(new Record<>("key", TextEvent.newBuilder().setId("id-1")
                .setText("Hello world").setTimestampMs(1000L).build(), 5L));
        assertEquals(1, out.size());
        TokenizedText tokens = out.get(0).value();
        assertEquals("id-1", out.get(0).key());
        assertEquals("id-1", tokens.getSourceId());
        assertEquals(List.of(101, 7592, 2088, 102), tokens.getTokenIds());
        assertEquals(List.of("[CLS]", "hello", "world", "[SEP]"), tokens.getTokens());
        assertEquals(0, tokens.getOffsets().get(1).getStart());
        assertEquals(5, tokens.getOffsets().get(1).getEnd());
        assertEquals(1000L, tokens.getEventTimestampMs(), "the event's own time wins over the record's");
        assertEquals(1000L, out.get(0).timestamp());
        assertEquals(BundledModel.NAME, tokens.getTokenizer());
    }

    @Test
    void sourceIdFallsBackToKeyThenOffset() {
        assertEquals("my-key", run(new Record<>("my-key", TextEvent.newBuilder().setText("plain").build(), 5L))
                .get(0).value().getSourceId());
        TokenizedText byOffset = run(new Record<>(null, TextEvent.newBuilder().setText("plain").build(), 6L))
                .get(0).value();
        assertEquals("text-events-2-17", byOffset.getSourceId());
        assertEquals(6L, byOffset.getEventTimestampMs());
    }

    @Test
    void flagsTruncationAtTheConfiguredLength() {
        TokenizedText out = run(new Record<>("k", TextEvent.newBuilder()
                .setText("one two three four five six seven eight").build(), 0L)).get(0).value();
        assertEquals(8, out.getTokenIds().size());
        assertTrue(out.getTruncated());
    }

    @Test
    void rejectsNullAndBlankTextWithAReason() {
        assertTrue(assertThrows(InvalidEventException.class, () -> run(new Record<>("k", null, 0L)))
                .getMessage().contains("null value"));
        assertTrue(assertThrows(InvalidEventException.class, () -> run(
                new Record<>("k", TextEvent.newBuilder().setText(" \n\t ").build(), 0L)))
                .getMessage().contains("whitespace"));
        assertTrue(context.forwarded().isEmpty());
    }

    @Test
    void oneTokenizerTokenizesEachTextOnceForBothBranches() {
        tokenize.process(new Record<>("k", TextEvent.newBuilder().setId("k").setText("Hello world")
                .setTimestampMs(1L).build(), 1L));
        TokenizedEvent out = tokenizeContext.forwarded().get(0).record().value();
        assertSame(out.tokens(), out.modelTokens(), "one tokenization, shared by the two branches");
        assertEquals(BundledModel.NAME, out.tokenizer());
    }

    @Test
    void aTokenizerOfTheirOwnGivesEachBranchItsTokens() {
        try (TextTokenizer model = TextTokenizer.bundled(16)) {
            MockProcessorContext<String, TokenizedEvent> ctx = new MockProcessorContext<>();
            TokenizeProcessor twice = new TokenizeProcessor(() -> tokenizer, () -> model,
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
            twice.init(ctx);
            String text = "one two three four five six seven eight";
            twice.process(new Record<>("k", TextEvent.newBuilder().setId("k").setText(text).setTimestampMs(1L)
                    .build(), 1L));
            TokenizedEvent out = ctx.forwarded().get(0).record().value();
            assertArrayEquals(tokenizer.tokenize(text).ids(), out.tokens().ids());
            assertTrue(out.tokens().truncated());
            assertArrayEquals(model.tokenize(text).ids(), out.modelTokens().ids());
            assertEquals(10, out.modelTokens().size());
            assertFalse(out.modelTokens().truncated());
        }
    }
}
