package io.streamvec.text.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamvec.avro.EmbeddedTexts;
import io.streamvec.avro.TextEmbedding;
import io.streamvec.avro.TextNeighbor;
import io.streamvec.avro.TextNeighbors;
import io.streamvec.text.model.TextVectorIndex;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Adds each micro-batch of texts the embed step finished to the task's text index ({@value TextStores#TEXT_INDEX}),
 * in the same processing step, so that the index and {@code text-embeddings} commit in one transaction.
 *
 * <p>With {@code text.neighbors.enabled}, the whole batch is first searched against the index as one
 * {@link TextVectorIndex#searchBatch}, and against the batch's own earlier texts, before any of it is added;
 * each text whose earlier texts score at least {@code text.neighbors.min.score} gets one {@link TextNeighbors}
 * record (the text's own earlier version, a re-sent id, is not its neighbour).
 */
public final class IndexTextProcessor extends ContextualProcessor<String, EmbeddedTexts, String, TextNeighbors> {

    private final TextIndexSettings settings;
    private final MeterRegistry metrics;
    private final Counter neighborsOut;
    private TextIndexStore store;
    private Gauge size;
    private Gauge searchBytes;

    public IndexTextProcessor(TextIndexSettings settings, MeterRegistry metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.neighborsOut = settings.neighbors() ? Counter.builder("streamvec.records.out").tag("path", "text")
                .tag("topic", "text-neighbors").description("Records written per path and topic")
                .register(metrics) : null;
    }

    @Override
    public void init(ProcessorContext<String, TextNeighbors> context) {
        super.init(context);
        store = context.getStateStore(TextStores.TEXT_INDEX);
        store.open(); // after restoration: the working copy is rebuilt here, not on the first query
        TextIndexStore held = store;
        size = Gauge.builder("streamvec.text.index.texts", held, TextIndexStore::size)
                .tag("task", context.taskId().toString())
                .description("Texts in the text index, per text-events task")
                .strongReference(true)
                .register(metrics);
        searchBytes = Gauge.builder("streamvec.text.index.search.bytes", held, TextIndexStore::searchBytes)
                .tag("task", context.taskId().toString())
                .description("Heap bytes the text index's search scans (vectors, scales, timestamps), per text-events task")
                .strongReference(true)
                .register(metrics);
    }

    @Override
    public void process(Record<String, EmbeddedTexts> record) {
        List<TextEmbedding> embeddings = record.value().getEmbeddings();
        List<String> texts = record.value().getTexts();
        int n = embeddings.size();
        List<TextVectorIndex.Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            TextEmbedding e = embeddings.get(i);
            float[] v = new float[e.getVector().size()];
            for (int d = 0; d < v.length; d++) {
                v[d] = e.getVector().get(d);
            }
            entries.add(new TextVectorIndex.Entry(e.getSourceId(), i < texts.size() ? texts.get(i) : "", v,
                    e.getEventTimestampMs()));
        }
        if (settings.neighbors()) {
            forwardNeighbors(entries);
        }
        for (TextVectorIndex.Entry entry : entries) {
            store.put(entry);
        }
    }

    private void forwardNeighbors(List<TextVectorIndex.Entry> batch) {
        List<List<TextVectorIndex.Hit>> found = NearDuplicates.find(store.working(), batch, settings.neighborsK(),
                settings.neighborsMinScore());
        for (int i = 0; i < batch.size(); i++) {
            List<TextVectorIndex.Hit> hits = found.get(i);
            if (hits.isEmpty()) {
                continue;
            }
            TextVectorIndex.Entry text = batch.get(i);
            List<TextNeighbor> neighbors = new ArrayList<>(hits.size());
            for (TextVectorIndex.Hit hit : hits) {
                neighbors.add(new TextNeighbor(hit.id(), hit.text(), hit.score(), hit.timestampMs()));
            }
            context().forward(new Record<>(text.id(), new TextNeighbors(text.id(), text.text(), text.timestampMs(),
                    neighbors), text.timestampMs()));
            neighborsOut.increment();
        }
    }

    @Override
    public void close() {
        if (searchBytes != null) {
            metrics.remove(searchBytes);
        }
        if (size != null) {
            metrics.remove(size);
        }
    }
}
