package io.streamvec.text.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbeddingWorkersTest {

    private static TextTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = TextTokenizer.bundled(16);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static EmbeddingWorkers workers(TextEmbedder model, int threads, int batchSize, Duration linger) {
        return new EmbeddingWorkers(model, new EmbeddingWorkers.Settings(threads, 0, batchSize, linger),
                new SimpleMeterRegistry());
    }

    private static long[] ids(int i) {
        return new long[] {101, 1000 + i, 102};
    }

    private static void awaitDone(List<EmbeddingWorkers.Ticket> tickets) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!tickets.stream().allMatch(EmbeddingWorkers.Ticket::isDone) && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(tickets.stream().allMatch(EmbeddingWorkers.Ticket::isDone), "all embedded within 30 s");
    }

    @Test
    void fullBatchesGoAtOnceAndTheRestAfterTheLinger() throws InterruptedException {
        HashingTestEmbedder model = new HashingTestEmbedder(tokenizer);
        Duration linger = Duration.ofMillis(300);
        try (EmbeddingWorkers w = workers(model, 1, 4, linger)) {
            long started = System.nanoTime();
            List<EmbeddingWorkers.Ticket> tickets = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                tickets.add(w.submit(ids(i)));
            }
            awaitDone(tickets.subList(0, 8));
            boolean ninthDone = tickets.get(8).isDone(); // read before the clock: the linger may end in between
            if (System.nanoTime() - started < linger.toNanos()) {
                assertFalse(ninthDone, "two texts wait for more, or for the linger");
            }
            awaitDone(tickets);
            assertTrue(System.nanoTime() - started >= linger.toNanos());
            assertEquals(List.of(4, 4, 2), model.batchSizes);
            for (int i = 0; i < 10; i++) {
                assertArrayEquals(HashingTestEmbedder.vectorOf(ids(i)), tickets.get(i).vector(), "text " + i);
            }
            assertEquals(0, w.outstanding());
        }
    }

    @Test
    void submittingBlocksWhileTheWorkersHaveTheirCapacityInHand() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger entered = new AtomicInteger();
        HashingTestEmbedder held = new HashingTestEmbedder(tokenizer) {
            @Override
            public float[][] embed(List<long[]> tokenIds) {
                entered.incrementAndGet();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.embed(tokenIds);
            }
        };
        int batch = 2;
        int workers = 2;
        int capacity = batch * (2 * workers + 1);
        try (EmbeddingWorkers w = workers(held, workers, batch, Duration.ofMillis(1))) {
            for (int i = 0; i < capacity; i++) {
                w.submit(ids(i));
            }
            AtomicBoolean submitted = new AtomicBoolean();
            Thread producer = new Thread(() -> {
                w.submit(ids(99));
                submitted.set(true);
            });
            producer.start();
            producer.join(300);
            assertFalse(submitted.get(), "a submit beyond capacity waits");
            assertEquals(capacity, w.outstanding());
            assertEquals(workers, entered.get(), "each worker holds one batch");
            release.countDown();
            producer.join(30_000);
            assertTrue(submitted.get(), "and goes through once a batch is done");
            assertTrue(w.awaitIdle(Duration.ofSeconds(30)));
        }
    }

    @Test
    void aFailedBatchFailsItsTicketsAndTheWorkerGoesOn() throws InterruptedException {
        AtomicBoolean fail = new AtomicBoolean(true);
        HashingTestEmbedder flaky = new HashingTestEmbedder(tokenizer) {
            @Override
            public float[][] embed(List<long[]> tokenIds) {
                if (fail.getAndSet(false)) {
                    throw new IllegalStateException("out of memory");
                }
                return super.embed(tokenIds);
            }
        };
        try (EmbeddingWorkers w = workers(flaky, 1, 2, Duration.ofHours(1))) {
            List<EmbeddingWorkers.Ticket> failed = List.of(w.submit(ids(0)), w.submit(ids(1)));
            awaitDone(failed);
            for (EmbeddingWorkers.Ticket t : failed) {
                assertEquals("out of memory", assertThrows(IllegalStateException.class, t::vector).getMessage());
            }
            List<EmbeddingWorkers.Ticket> next = List.of(w.submit(ids(2)), w.submit(ids(3)));
            awaitDone(next);
            assertArrayEquals(HashingTestEmbedder.vectorOf(ids(2)), next.get(0).vector());
            assertArrayEquals(HashingTestEmbedder.vectorOf(ids(3)), next.get(1).vector());
            assertEquals(0, w.outstanding());
        }
    }

    @Test
    void aModelThatAnswersWithTooFewVectorsFailsItsBatchAndFreesTheRoom() throws InterruptedException {
        HashingTestEmbedder answersShort = new HashingTestEmbedder(tokenizer) {
            @Override
            public float[][] embed(List<long[]> tokenIds) {
                return java.util.Arrays.copyOf(super.embed(tokenIds), tokenIds.size() - 1);
            }
        };
        try (EmbeddingWorkers w = workers(answersShort, 1, 2, Duration.ofHours(1))) {
            List<EmbeddingWorkers.Ticket> batch = List.of(w.submit(ids(0)), w.submit(ids(1)));
            awaitDone(batch);
            for (EmbeddingWorkers.Ticket t : batch) {
                assertTrue(assertThrows(IllegalStateException.class, t::vector).getMessage().contains("1 vectors for 2"));
            }
            assertEquals(0, w.outstanding(), "the room is given back");
        }
    }

    @Test
    void cancelledTicketsAreNotEmbeddedAndClosingFailsWhatIsQueued() throws InterruptedException {
        HashingTestEmbedder model = new HashingTestEmbedder(tokenizer);
        EmbeddingWorkers w = workers(model, 1, 10, Duration.ofHours(1));
        List<EmbeddingWorkers.Ticket> gone = List.of(w.submit(ids(0)), w.submit(ids(1)));
        EmbeddingWorkers.Ticket kept = w.submit(ids(2));
        w.cancel(gone);
        assertEquals(1, w.outstanding());
        w.close();
        assertTrue(w.stopped());
        assertTrue(kept.isDone());
        assertThrows(IllegalStateException.class, kept::vector);
        assertTrue(model.batchSizes.isEmpty(), "nothing reached the model");
        assertThrows(IllegalStateException.class, () -> w.submit(ids(3)), "closed workers take nothing");
    }

    @Test
    void autoSettingsGiveACpuOneSingleThreadedWorkerPerCoreAndAGpuOneWorker() {
        Duration linger = Duration.ofMillis(100);
        assertEquals(new EmbeddingWorkers.Settings(2, 1, 32, linger),
                EmbeddingWorkers.Settings.resolve(0, 0, false, 2, 32, linger));
        assertEquals(new EmbeddingWorkers.Settings(8, 2, 32, linger),
                EmbeddingWorkers.Settings.resolve(0, 0, false, 16, 32, linger));
        assertEquals(new EmbeddingWorkers.Settings(1, 2, 32, linger),
                EmbeddingWorkers.Settings.resolve(1, 0, false, 2, 32, linger));
        assertEquals(new EmbeddingWorkers.Settings(1, 0, 32, linger),
                EmbeddingWorkers.Settings.resolve(0, 0, true, 16, 32, linger));
        assertEquals(new EmbeddingWorkers.Settings(3, 4, 32, linger),
                EmbeddingWorkers.Settings.resolve(3, 4, true, 16, 32, linger));
        assertThrows(IllegalArgumentException.class, () -> new EmbeddingWorkers.Settings(0, 0, 32, linger));
    }

    /**
     * A query waits behind no stream backlog: with the only worker busy and a backlog of stream texts queued behind
     * it, the query is the next thing embedded, alone, and it is not counted against the stream's capacity.
     */
    @Test
    void aQueryGoesBeforeTheQueuedStreamTexts() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger entered = new AtomicInteger();
        List<Long> firstIds = new java.util.concurrent.CopyOnWriteArrayList<>();
        HashingTestEmbedder held = new HashingTestEmbedder(tokenizer) {
            @Override
            public float[][] embed(List<long[]> tokenIds) {
                firstIds.add(tokenIds.get(0)[1]);
                if (entered.incrementAndGet() == 1) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.embed(tokenIds);
            }
        };
        try (EmbeddingWorkers w = workers(held, 1, 2, Duration.ofMillis(1))) {
            List<EmbeddingWorkers.Ticket> stream = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                stream.add(w.submit(ids(i)));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (entered.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            EmbeddingWorkers.Ticket query = w.submitQuery(ids(500));
            assertEquals(6, w.outstanding(), "a query is not counted against the stream's capacity");
            release.countDown();
            assertTrue(query.await(Duration.ofSeconds(30)));
            assertArrayEquals(HashingTestEmbedder.vectorOf(ids(500)), query.vector());
            awaitDone(stream);
            assertEquals(List.of(1000L, 1500L, 1002L, 1004L), firstIds,
                    "the first stream batch, then the query, then the rest of the backlog");
            assertEquals(List.of(2, 1, 2, 2), held.batchSizes);
            assertEquals(0, w.outstanding());
        }
    }

    @Test
    void aQueryAfterCloseFails() throws Exception {
        HashingTestEmbedder model = new HashingTestEmbedder(tokenizer);
        EmbeddingWorkers w = workers(model, 1, 2, Duration.ofMillis(1));
        w.close();
        assertThrows(IllegalStateException.class, () -> w.submitQuery(ids(1)));
    }
}
