package io.streamvec.text;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streamvec.avro.PendingEmbedding;
import io.streamvec.avro.TextEmbedding;
import io.streamvec.avro.TextEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Micro-batches text events for the embedding model. Each event is tokenized on arrival and waits in
 * the changelogged store {@value #STORE}, keyed by its source offset, until the buffer holds
 * {@code batchSize} texts or its oldest text has waited {@code linger} (wall-clock time, checked by a
 * punctuator four times per linger); then the whole buffer is embedded as one batch, forwarded, and
 * removed from the store. Under
 * exactly-once the buffer, the outputs and the input offsets commit together, so a crash or stop before
 * a flush loses nothing and embeds nothing twice: the restored buffer is flushed after restart.
 */
public final class EmbedProcessor extends ContextualProcessor<String, TextEvent, String, TextEmbedding> {

    public static final String STORE = "embedding-buffer";

    private final Supplier<? extends TextEmbedder> shared;
    private final int batchSize;
    private final Duration linger;
    private TextEmbedder embedder;
    private KeyValueStore<String, PendingEmbedding> buffer;
    private int buffered;
    /** Wall-clock time the oldest buffered text arrived (or was restored); meaningful while buffered > 0. */
    private long oldestBufferedAt;

    private final Timer batchLatency;
    private final DistributionSummary batchSizes;
    private final Counter emitted;

    public EmbedProcessor(Supplier<? extends TextEmbedder> embedder, int batchSize, Duration linger,
                          MeterRegistry metrics) {
        this.batchLatency = Timer.builder("streamvec.embedding.batch").description("Time to embed one micro-batch")
                .publishPercentileHistogram().register(metrics);
        this.batchSizes = DistributionSummary.builder("streamvec.embedding.batch.size")
                .description("Texts per embedding micro-batch").register(metrics);
        this.emitted = Counter.builder("streamvec.records.out").tag("path", "text").tag("topic", "text-embeddings")
                .description("Records written per path and topic").register(metrics);
        if (batchSize < 1) {
            throw new IllegalArgumentException("embedding batch size must be >= 1, got " + batchSize);
        }
        this.shared = embedder;
        this.batchSize = batchSize;
        this.linger = linger;
    }

    @Override
    public void init(ProcessorContext<String, TextEmbedding> context) {
        super.init(context);
        embedder = shared.get();
        buffer = context.getStateStore(STORE);
        buffered = (int) buffer.approximateNumEntries(); // exact for the in-memory store; restored after a restart
        oldestBufferedAt = context.currentSystemTimeMs();
        Duration check = linger.dividedBy(4).isZero() ? linger : linger.dividedBy(4);
        context.schedule(check, PunctuationType.WALL_CLOCK_TIME, now -> {
            if (buffered > 0 && now - oldestBufferedAt >= linger.toMillis()) {
                flush();
            }
        });
    }

    @Override
    public void process(Record<String, TextEvent> record) {
        TextEvent event = record.value();
        Tokens tokens = embedder.tokenizer().tokenize(event.getText());
        List<Integer> ids = new ArrayList<>(tokens.size());
        for (long id : tokens.ids()) {
            ids.add((int) id);
        }
        buffer.put(bufferKey(record), new PendingEmbedding(event.getId(), ids, tokens.truncated(),
                event.getTimestampMs()));
        if (buffered == 0) {
            oldestBufferedAt = context().currentSystemTimeMs();
        }
        if (++buffered >= batchSize) {
            flush();
        }
    }

    /** The source offset, zero-padded so that the store iterates in arrival order. */
    private String bufferKey(Record<String, TextEvent> record) {
        return context().recordMetadata()
                .map(m -> String.format("%019d", m.offset()))
                .orElseGet(() -> String.format("t%018d-%s", record.timestamp(), record.key()));
    }

    /**
     * Embeds everything buffered, in batches of at most {@code batchSize}, and forwards the results in
     * arrival order. A failing model is not the records' fault: it fails the task (see
     * {@link EmbeddingFailedException}), and the restored buffer is retried after the restart.
     */
    void flush() {
        List<KeyValue<String, PendingEmbedding>> pending = new ArrayList<>(buffered);
        try (KeyValueIterator<String, PendingEmbedding> all = buffer.all()) {
            all.forEachRemaining(pending::add);
        }
        for (int start = 0; start < pending.size(); start += batchSize) {
            embedAndForward(pending.subList(start, Math.min(pending.size(), start + batchSize)));
        }
        buffered = 0;
    }

    private void embedAndForward(List<KeyValue<String, PendingEmbedding>> pending) {
        List<long[]> batch = new ArrayList<>(pending.size());
        for (KeyValue<String, PendingEmbedding> entry : pending) {
            batch.add(entry.value.getTokenIds().stream().mapToLong(Integer::longValue).toArray());
        }
        long started = System.nanoTime();
        float[][] vectors;
        try {
            vectors = embedder.embed(batch);
        } catch (RuntimeException e) {
            throw new EmbeddingFailedException("embedding a batch of " + batch.size() + " texts failed: " + e, e);
        }
        batchLatency.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        batchSizes.record(batch.size());
        long now = context().currentSystemTimeMs();
        for (int i = 0; i < pending.size(); i++) {
            PendingEmbedding text = pending.get(i).value;
            List<Float> vector = new ArrayList<>(vectors[i].length);
            for (float v : vectors[i]) {
                vector.add(v);
            }
            TextEmbedding embedding = TextEmbedding.newBuilder()
                    .setSourceId(text.getSourceId())
                    .setModel(embedder.modelName())
                    .setDimension(vectors[i].length)
                    .setVector(vector)
                    .setTokenCount(text.getTokenIds().size())
                    .setTruncated(text.getTruncated())
                    .setEventTimestampMs(text.getEventTimestampMs())
                    .setProcessingTimestampMs(now)
                    .build();
            context().forward(new Record<>(text.getSourceId(), embedding, text.getEventTimestampMs()));
            emitted.increment();
            buffer.delete(pending.get(i).key);
        }
    }

    /** The model failed on a batch: the task fails (and is retried from its committed state); nothing is dead-lettered. */
    public static final class EmbeddingFailedException extends RuntimeException {
        EmbeddingFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
