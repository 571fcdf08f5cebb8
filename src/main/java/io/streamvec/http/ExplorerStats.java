package io.streamvec.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The explorer's live figures ({@code GET /stats}) read from the Micrometer registry, the same meters
 * {@code /metrics} exposes: records in per path, song vocabulary, texts indexed, embedding batch time,
 * dead-lettered records by reason and the largest consumer lag. Rates and the batch time cover the interval since
 * the last sample at least a second old, so that any number of pages polling give the same figures.
 */
final class ExplorerStats {

    static final String RECORDS_IN = "streamvec.records.in";
    static final String VOCABULARY = "streamvec.song2vec.vocabulary";
    static final String TEXT_INDEX = "streamvec.text.index.texts";
    static final String EMBEDDING_BATCH = "streamvec.embedding.batch";
    static final String DEAD_LETTERS = "streamvec.dlq.records";
    /** Kafka's consumer metric records-lag-max, as Micrometer's Kafka binder names it. */
    static final String LAG_SUFFIX = "records.lag.max";

    private record Sample(long nanos, long textEvents, long songEvents, long batches, double batchNanos) {}

    private final MeterRegistry registry;
    private final LongSupplier nanoTime;
    private Sample last;
    private Sample before;

    ExplorerStats(MeterRegistry registry) {
        this(registry, System::nanoTime);
    }

    ExplorerStats(MeterRegistry registry, LongSupplier nanoTime) {
        this.registry = registry;
        this.nanoTime = nanoTime;
    }

    synchronized Responses.Stats read() {
        Sample now = new Sample(nanoTime.getAsLong(), total(RECORDS_IN, "path", "text"), total(RECORDS_IN, "path", "song"),
                batchCount(), batchNanos());
        if (last == null) {
            last = now;
        } else if (now.nanos() - last.nanos() >= TimeUnit.SECONDS.toNanos(1)) {
            before = last;
            last = now;
        }
        Sample from = before;
        double seconds = from == null ? 0 : (last.nanos() - from.nanos()) / 1e9;
        double textRate = seconds > 0 ? (last.textEvents() - from.textEvents()) / seconds : 0;
        double songRate = seconds > 0 ? (last.songEvents() - from.songEvents()) / seconds : 0;
        Double batchMs = from == null || last.batches() == from.batches() ? null
                : (last.batchNanos() - from.batchNanos()) / (last.batches() - from.batches()) / 1e6;
        return new Responses.Stats(System.currentTimeMillis(), textRate, songRate, now.textEvents(), now.songEvents(),
                (long) gaugeMax(VOCABULARY), (long) gaugeSum(TEXT_INDEX), batchMs, deadLetters(), lag());
    }

    /** The sum of the counters (plain or function) of this name with this tag. */
    private long total(String name, String tag, String value) {
        double sum = 0;
        for (Counter c : registry.find(name).tag(tag, value).counters()) {
            sum += c.count();
        }
        for (FunctionCounter c : registry.find(name).tag(tag, value).functionCounters()) {
            sum += c.count();
        }
        return (long) sum;
    }

    private long batchCount() {
        long n = 0;
        for (Timer t : registry.find(EMBEDDING_BATCH).timers()) {
            n += t.count();
        }
        return n;
    }

    private double batchNanos() {
        double s = 0;
        for (Timer t : registry.find(EMBEDDING_BATCH).timers()) {
            s += t.totalTime(TimeUnit.NANOSECONDS);
        }
        return s;
    }

    private double gaugeMax(String name) {
        double max = 0;
        for (Gauge g : registry.find(name).gauges()) {
            if (Double.isFinite(g.value())) {
                max = Math.max(max, g.value());
            }
        }
        return max;
    }

    private double gaugeSum(String name) {
        double sum = 0;
        for (Gauge g : registry.find(name).gauges()) {
            if (Double.isFinite(g.value())) {
                sum += g.value();
            }
        }
        return sum;
    }

    private Map<String, Long> deadLetters() {
        Map<String, Long> byReason = new TreeMap<>();
        for (Counter c : registry.find(DEAD_LETTERS).counters()) {
            String reason = c.getId().getTag("reason");
            byReason.merge(reason == null ? "unknown" : reason, (long) c.count(), Long::sum);
        }
        return byReason;
    }

    /** The largest records-lag-max of the consumers (null while no consumer has reported one). */
    private Double lag() {
        Double max = null;
        for (Meter meter : registry.getMeters()) {
            if (meter instanceof Gauge g && meter.getId().getName().endsWith(LAG_SUFFIX)) {
                double v = g.value();
                if (Double.isFinite(v) && v >= 0) {
                    max = max == null ? v : Math.max(max, v);
                }
            }
        }
        return max;
    }
}
