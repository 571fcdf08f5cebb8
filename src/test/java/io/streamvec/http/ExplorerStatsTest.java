package io.streamvec.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The live figures from a registry with the meters streamvec registers, on a clock the test moves. */
class ExplorerStatsTest {

    @Test
    void ratesTotalsAndFiguresFromTheMeters() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicLong clock = new AtomicLong();
        ExplorerStats stats = new ExplorerStats(registry, clock::get);
        Counter text = Counter.builder(ExplorerStats.RECORDS_IN).tag("path", "text").register(registry);
        Counter song = Counter.builder(ExplorerStats.RECORDS_IN).tag("path", "song").register(registry);
        AtomicLong vocabulary = new AtomicLong(100);
        Gauge.builder(ExplorerStats.VOCABULARY, vocabulary, AtomicLong::get).tag("task", "0_0").register(registry);
        Gauge.builder(ExplorerStats.VOCABULARY, () -> 80).tag("task", "0_1").register(registry);
        Gauge.builder(ExplorerStats.TEXT_INDEX, () -> 4).tag("task", "1_0").register(registry);
        Gauge.builder(ExplorerStats.TEXT_INDEX, () -> 5).tag("task", "1_1").register(registry);
        Timer batch = Timer.builder(ExplorerStats.EMBEDDING_BATCH).register(registry);
        registry.counter(ExplorerStats.DEAD_LETTERS, "reason", "invalid", "topic", "text-events").increment(2);
        registry.counter(ExplorerStats.DEAD_LETTERS, "reason", "invalid", "topic", "playlist-events").increment(1);
        registry.counter(ExplorerStats.DEAD_LETTERS, "reason", "unreadable", "topic", "text-events").increment(4);

        text.increment(10);
        Responses.Stats first = stats.read();
        assertEquals(0, first.textEventsPerSecond()); // no interval yet
        assertEquals(10, first.textEvents());
        assertNull(first.embeddingBatchMs());
        assertNull(first.lag());
        assertEquals(100, first.vocabulary()); // the largest replica's
        assertEquals(9, first.indexedTexts()); // every task's
        assertEquals(Map.of("invalid", 3L, "unreadable", 4L), first.deadLetters());

        text.increment(30);
        song.increment(4);
        batch.record(Duration.ofMillis(10));
        batch.record(Duration.ofMillis(30));
        clock.addAndGet(2_000_000_000L);
        Responses.Stats second = stats.read();
        assertEquals(15.0, second.textEventsPerSecond(), 1e-9);
        assertEquals(2.0, second.songEventsPerSecond(), 1e-9);
        assertEquals(20.0, second.embeddingBatchMs(), 1e-9);
        assertEquals(40, second.textEvents());

        // Within a second of the last sample: the same interval, whoever asks.
        text.increment(1000);
        clock.addAndGet(100_000_000L);
        assertEquals(15.0, stats.read().textEventsPerSecond(), 1e-9);

        Gauge.builder("kafka.consumer.fetch.manager.records.lag.max", () -> 7).register(registry);
        Gauge.builder("kafka.consumer.fetch.manager.records.lag.max", () -> Double.NaN).tag("client.id", "x")
                .register(registry);
        assertEquals(7.0, stats.read().lag());
    }
}
