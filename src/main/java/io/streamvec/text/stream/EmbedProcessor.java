package io.streamvec.text.stream;

import io.streamvec.text.model.EmbeddingWorkers;
import io.streamvec.text.model.Tokens;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamvec.avro.PendingEmbedding;
import io.streamvec.avro.TextEmbedding;
import io.streamvec.avro.TextEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
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
 */
public final class EmbedProcessor extends ContextualProcessor<String, TokenizedEvent, String, TextEmbedding> {

    public static final String STORE = "embedding-buffer";
    /** How often a task checks for finished embeddings when no record arrives (wall-clock). */
    public static final Duration FORWARD_INTERVAL = Duration.ofMillis(5);

    private final Supplier<EmbeddingWorkers> shared;
    private EmbeddingWorkers workers;
    private KeyValueStore<String, PendingEmbedding> buffer;
    /** This task's submitted texts in arrival order; the head is forwarded once its ticket is done. */
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final Counter emitted;

    private record InFlight(String key, PendingEmbedding text, EmbeddingWorkers.Ticket ticket) {}

    public EmbedProcessor(Supplier<EmbeddingWorkers> workers, MeterRegistry metrics) {
        this.shared = workers;
        this.emitted = Counter.builder("streamvec.records.out").tag("path", "text").tag("topic", "text-embeddings")
                .description("Records written per path and topic").register(metrics);
    }

    @Override
    public void init(ProcessorContext<String, TextEmbedding> context) {
        super.init(context);
        workers = shared.get();
        buffer = context.getStateStore(STORE);
        // Restored after a restart: the keys are zero-padded offsets, so this is arrival order.
        try (KeyValueIterator<String, PendingEmbedding> restored = buffer.all()) {
            restored.forEachRemaining(entry -> submit(entry.key, entry.value,
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
        submit(key, text, tokens.ids());
    }

    /** Hands {@code ids} (the text's token ids, as stored) to the workers. */
    private void submit(String key, PendingEmbedding text, long[] ids) {
        EmbeddingWorkers.Ticket ticket;
        try {
            ticket = workers.submit(ids);
        } catch (RuntimeException e) {
            // Not the record's fault (the workers are closing): fail the task rather than dead-letter a text
            // that is already in the store.
            throw new EmbeddingFailedException("could not hand text " + text.getSourceId() + " to the embedding "
                    + "workers: " + e, e);
        }
        inFlight.add(new InFlight(key, text, ticket));
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
                context().forward(new Record<>(text.getSourceId(), embedding, text.getEventTimestampMs()));
                emitted.increment();
            } finally {
                // Forwarded, or dead-lettered by the exception handler: either way the text is done. (A failing
                // task aborts its transaction, and this delete with it.)
                buffer.delete(next.key());
            }
        }
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
