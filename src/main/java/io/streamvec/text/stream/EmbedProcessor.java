package io.streamvec.text.stream;

import io.streamvec.text.model.EmbeddingWorkers;
import io.streamvec.text.model.Tokens;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamvec.avro.EmbeddedTexts;
import io.streamvec.avro.PendingEmbedding;
import io.streamvec.avro.TextEmbedding;
import io.streamvec.avro.TextEvent;
import io.streamvec.avro.TokenEmbeddings;
import io.streamvec.avro.TokenizedText;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Embeds text events through the JVM's {@link EmbeddingWorkers}. Each event arrives with the model's tokens
 * (see {@link TokenizeProcessor}), is put in the changelogged store {@value #STORE} (keyed by its source
 * offset) and submitted to the workers, which embed the texts of every task in micro-batches while the
 * stream thread goes on consuming. Results are
 * forwarded in arrival order, each in the same step as its removal from the store, whenever the task next
 * runs: on its next record, or its punctuator every {@link #FORWARD_INTERVAL}.
 *
 * <p>Under exactly-once the store, the outputs and the input offsets commit together: a text whose input
 * offset is committed but whose embedding is not is still in the store. A crash or stop loses nothing and
 * embeds nothing twice: a started task submits whatever its restored store holds.
 *
 * <p>With token vectors on ({@code embedding.token.vectors.enabled}), the workers also return each token's
 * vector from the same forward pass, and the text's {@link TokenEmbeddings} goes to
 * {@value #TOKEN_EMBEDDINGS_CHILD} in the same step as its {@link TextEmbedding} goes to
 * {@value #EMBEDDINGS_CHILD}: both commit in one transaction, or neither. The model's pieces and spans wait
 * in a second changelogged store, {@value #TOKENS_STORE}, under the same key (the buffer's
 * {@link PendingEmbedding} schema is unchanged, so buffers written without the option still restore).
 *
 * <p>With the text index on (the topology always turns it on), each waiting text's text waits in
 * {@value #TEXTS_STORE}, and every step that forwards embeddings hands them, with their texts, as one
 * {@link EmbeddedTexts} to {@value #INDEX_CHILD} ({@link IndexTextProcessor}): the index changes in the same
 * step and transaction as {@code text-embeddings}. A text buffered before the index existed is indexed with an
 * empty text.
 */
public final class EmbedProcessor extends ContextualProcessor<String, TokenizedEvent, String, SpecificRecord> {

    public static final String STORE = "embedding-buffer";
    /** With token vectors on: each buffered text's model tokens (pieces and spans), keyed as in {@value #STORE}. */
    public static final String TOKENS_STORE = "embedding-buffer-tokens";
    /** With the text index on: each buffered text's text (first 1,000 characters), keyed as in {@value #STORE}. */
    public static final String TEXTS_STORE = "embedding-buffer-texts";
    /** With the text index on: the processor that indexes what this step embedded ({@link IndexTextProcessor}). */
    public static final String INDEX_CHILD = "index-text";
    /** The sink of {@code text-embeddings}. */
    public static final String EMBEDDINGS_CHILD = "text-embeddings-sink";
    /** The sink of {@code text-token-embeddings}, with token vectors on. */
    public static final String TOKEN_EMBEDDINGS_CHILD = "text-token-embeddings-sink";
    /** How often a task checks for finished embeddings when no record arrives (wall-clock). */
    public static final Duration FORWARD_INTERVAL = Duration.ofMillis(5);

    private final Supplier<EmbeddingWorkers> shared;
    private final boolean tokenVectors;
    private final boolean indexTexts;
    private EmbeddingWorkers workers;
    private KeyValueStore<String, String> textBuffer;
    private KeyValueStore<String, PendingEmbedding> buffer;
    private KeyValueStore<String, TokenizedText> tokenBuffer;
    /** This task's submitted texts in arrival order; the head is forwarded once its ticket is done. */
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final Counter emitted;
    private final Counter tokensEmitted;

    /** @param tokens the text's model tokens when token vectors are on and known, else null */
    private record InFlight(String key, PendingEmbedding text, TokenizedText tokens, String body,
                            EmbeddingWorkers.Ticket ticket) {}

    public EmbedProcessor(Supplier<EmbeddingWorkers> workers, MeterRegistry metrics) {
        this(workers, metrics, false);
    }

    /**
     * @param tokenVectors also forward each text's token vectors to {@value #TOKEN_EMBEDDINGS_CHILD} (the
     *                     processor then needs the store {@value #TOKENS_STORE})
     */
    public EmbedProcessor(Supplier<EmbeddingWorkers> workers, MeterRegistry metrics, boolean tokenVectors) {
        this(workers, metrics, tokenVectors, false);
    }

    /**
     * @param indexTexts also hand each step's finished texts, as one {@link EmbeddedTexts}, to {@value #INDEX_CHILD}
     *                   (the processor then needs the store {@value #TEXTS_STORE}, and forwards by child name)
     */
    public EmbedProcessor(Supplier<EmbeddingWorkers> workers, MeterRegistry metrics, boolean tokenVectors,
                          boolean indexTexts) {
        this.shared = workers;
        this.tokenVectors = tokenVectors;
        this.indexTexts = indexTexts;
        this.emitted = Counter.builder("streamvec.records.out").tag("path", "text").tag("topic", "text-embeddings")
                .description("Records written per path and topic").register(metrics);
        this.tokensEmitted = tokenVectors ? Counter.builder("streamvec.records.out").tag("path", "text")
                .tag("topic", "text-token-embeddings").description("Records written per path and topic")
                .register(metrics) : null;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        super.init(context);
        workers = shared.get();
        buffer = context.getStateStore(STORE);
        tokenBuffer = tokenVectors ? context.getStateStore(TOKENS_STORE) : null;
        textBuffer = indexTexts ? context.getStateStore(TEXTS_STORE) : null;
        // Restored after a restart: the keys are zero-padded offsets, so this is arrival order. A text buffered
        // before token vectors were turned on has no tokens stored: it gets its sentence embedding only.
        try (KeyValueIterator<String, PendingEmbedding> restored = buffer.all()) {
            restored.forEachRemaining(entry -> submit(entry.key, entry.value,
                    tokenBuffer == null ? null : tokenBuffer.get(entry.key),
                    textBuffer == null ? null : textBuffer.get(entry.key),
                    entry.value.getTokenIds().stream().mapToLong(Integer::longValue).toArray()));
        }
        context.schedule(FORWARD_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> forwardFinished());
    }

    @Override
    public void process(Record<String, TokenizedEvent> record) {
        forwardFinished();
        TextEvent event = record.value().event();
        Tokens tokens = record.value().modelTokens();
        List<Integer> ids = new ArrayList<>(tokens.size());
        for (long id : tokens.ids()) {
            ids.add((int) id);
        }
        String key = bufferKey(record);
        PendingEmbedding text = new PendingEmbedding(event.getId(), ids, tokens.truncated(), event.getTimestampMs());
        buffer.put(key, text);
        TokenizedText pieces = null;
        if (tokenBuffer != null) {
            pieces = TokensProcessor.toAvro(event, workers.embedder().tokenizer().name(), tokens);
            tokenBuffer.put(key, pieces);
        }
        String body = null;
        if (textBuffer != null) {
            body = TextIndexSettings.clipped(event.getText());
            textBuffer.put(key, body);
        }
        submit(key, text, pieces, body, tokens.ids());
    }

    /** Hands {@code ids} (the text's token ids, as stored) to the workers, asking for token vectors with tokens. */
    private void submit(String key, PendingEmbedding text, TokenizedText tokens, String body, long[] ids) {
        EmbeddingWorkers.Ticket ticket;
        try {
            ticket = workers.submit(ids, tokens != null);
        } catch (RuntimeException e) {
            // Not the record's fault (the workers are closing): fail the task rather than dead-letter a text
            // that is already in the store.
            throw new EmbeddingFailedException("could not hand text " + text.getSourceId() + " to the embedding "
                    + "workers: " + e, e);
        }
        inFlight.add(new InFlight(key, text, tokens, body, ticket));
    }

    /** The source offset, zero-padded so that the store iterates in arrival order. */
    private String bufferKey(Record<String, ?> record) {
        return context().recordMetadata()
                .map(m -> zeroPadded(m.offset(), 19))
                .orElseGet(() -> "t" + zeroPadded(record.timestamp(), 18) + "-" + record.key());
    }

    /** {@code String.format("%0<width>d", value)} for a non-negative value, without the formatter's cost. */
    static String zeroPadded(long value, int width) {
        String digits = Long.toString(value);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }

    /**
     * Forwards every finished embedding at the head of the arrival order and removes it from the store. A
     * failed batch is not the records' fault: it fails the task (see {@link EmbeddingFailedException}), and
     * the restored store is submitted again after the restart.
     */
    void forwardFinished() {
        long now = -1;
        List<TextEmbedding> indexed = null;
        List<String> indexedTexts = null;
        while (!inFlight.isEmpty() && inFlight.peek().ticket().isDone()) {
            InFlight next = inFlight.peek();
            float[] vector;
            try {
                vector = next.ticket().vector();
            } catch (RuntimeException e) {
                throw new EmbeddingFailedException("embedding text " + next.text().getSourceId() + " failed: " + e, e);
            }
            inFlight.poll();
            if (now < 0) {
                now = context().currentSystemTimeMs();
            }
            List<Float> boxed = new ArrayList<>(vector.length);
            for (float v : vector) {
                boxed.add(v);
            }
            PendingEmbedding text = next.text();
            TextEmbedding embedding = TextEmbedding.newBuilder()
                    .setSourceId(text.getSourceId())
                    .setModel(workers.embedder().modelName())
                    .setDimension(vector.length)
                    .setVector(boxed)
                    .setTokenCount(text.getTokenIds().size())
                    .setTruncated(text.getTruncated())
                    .setEventTimestampMs(text.getEventTimestampMs())
                    .setProcessingTimestampMs(now)
                    .build();
            try {
                if (tokenBuffer == null && textBuffer == null) {
                    context().forward(new Record<>(text.getSourceId(), embedding, text.getEventTimestampMs()));
                } else {
                    context().forward(new Record<>(text.getSourceId(), embedding, text.getEventTimestampMs()),
                            EMBEDDINGS_CHILD);
                    if (tokenBuffer != null && next.tokens() != null) {
                        context().forward(new Record<>(text.getSourceId(), tokenEmbeddings(next, embedding,
                                next.ticket().tokenVectors()), text.getEventTimestampMs()), TOKEN_EMBEDDINGS_CHILD);
                        tokensEmitted.increment();
                    }
                }
                emitted.increment();
                if (textBuffer != null) {
                    if (indexed == null) {
                        indexed = new ArrayList<>();
                        indexedTexts = new ArrayList<>();
                    }
                    indexed.add(embedding);
                    indexedTexts.add(next.body() == null ? "" : next.body());
                }
            } finally {
                // Forwarded, or dead-lettered by the exception handler: either way the text is done. (A failing
                // task aborts its transaction, and these deletes with it.)
                buffer.delete(next.key());
                if (tokenBuffer != null) {
                    tokenBuffer.delete(next.key());
                }
                if (textBuffer != null) {
                    textBuffer.delete(next.key());
                }
            }
        }
        if (indexed != null) {
            // One record for the step's whole batch: the index searches it at once (text-neighbors) and adds it,
            // in this same step and transaction.
            TextEmbedding last = indexed.get(indexed.size() - 1);
            context().forward(new Record<>(last.getSourceId(), new EmbeddedTexts(indexed, indexedTexts),
                    last.getEventTimestampMs()), INDEX_CHILD);
        }
    }

    private static TokenEmbeddings tokenEmbeddings(InFlight text, TextEmbedding embedding, float[] vectors) {
        List<Float> boxed = new ArrayList<>(vectors.length);
        for (float v : vectors) {
            boxed.add(v);
        }
        TokenizedText tokens = text.tokens();
        return TokenEmbeddings.newBuilder()
                .setSourceId(embedding.getSourceId())
                .setModel(embedding.getModel())
                .setDimension(embedding.getDimension())
                .setTokenIds(tokens.getTokenIds())
                .setTokens(tokens.getTokens())
                .setOffsets(tokens.getOffsets())
                .setVectors(boxed)
                .setTruncated(embedding.getTruncated())
                .setEventTimestampMs(embedding.getEventTimestampMs())
                .setProcessingTimestampMs(embedding.getProcessingTimestampMs())
                .build();
    }

    /** This task's texts still with the workers are left in the store for whoever runs the task next. */
    @Override
    public void close() {
        if (workers != null) {
            workers.cancel(inFlight.stream().map(InFlight::ticket).toList());
        }
        inFlight.clear();
    }

    /** The model failed on a batch: the task fails (and is retried from its committed state); nothing is dead-lettered. */
    public static final class EmbeddingFailedException extends RuntimeException {
        EmbeddingFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
