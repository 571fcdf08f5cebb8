package io.streamvec.text.model;

import io.streamvec.text.stream.EmbedProcessor;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM's embedding workers: texts submitted by every embed task wait in one queue, and worker threads
 * take them in micro-batches: as soon as {@code batchSize} texts wait, or once the oldest has waited
 * {@code linger}. The stream threads never run the model: they submit, keep consuming and committing, and
 * forward results when they are done (see {@link EmbedProcessor}).
 *
 * <p>Each worker is one caller of the shared {@link TextEmbedder} with its own intra-op thread count: on a
 * CPU, several single-threaded workers keep every core busy without the fork/join barriers of one
 * multi-threaded caller, and a worker preempted by the broker or a stream thread stalls only itself.
 *
 * <p>Submitting blocks while {@code capacity} texts are queued or being embedded, so a backlog waits in
 * Kafka, not in memory. A failing batch fails each of its tickets; the worker goes on with the next.
 *
 * <p>Queries (search texts from HTTP, {@link #submitQuery}) have their own lane: a queue of their own that every
 * worker empties before it takes stream texts, without linger, and that the stream's capacity does not bound. A
 * query waits behind no stream backlog, at most for a batch a worker has already started.
 */
public final class EmbeddingWorkers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingWorkers.class);

    /** Workers, intra-op threads per worker, micro-batch size and linger. */
    public record Settings(int workers, int intraOpThreads, int batchSize, Duration linger) {
        public Settings {
            if (workers < 1 || intraOpThreads < 0 || batchSize < 1 || linger.isNegative()) {
                throw new IllegalArgumentException("embedding workers need workers >= 1, intra-op threads >= 0, batch "
                        + "size >= 1 and a linger >= 0, got " + workers + ", " + intraOpThreads + ", " + batchSize
                        + ", " + linger);
            }
        }

        /**
         * {@code embedding.workers} and {@code embedding.intra.op.threads}, 0 meaning auto: on a GPU one worker
         * (it takes the whole device; intra-op threads as the engine chose), on a CPU one single-threaded worker
         * per available processor, up to 8.
         */
        public static Settings resolve(int workers, int intraOpThreads, boolean gpu, int processors, int batchSize,
                                       Duration linger) {
            int w = workers > 0 ? workers : gpu ? 1 : Math.min(8, Math.max(1, processors));
            int t = intraOpThreads > 0 ? intraOpThreads : gpu ? 0 : Math.max(1, processors / w);
            return new Settings(w, t, batchSize, linger);
        }
    }

    /** One submitted text: done when its vector (or its batch's failure) is in. */
    public static final class Ticket {
        private final long[] tokenIds;
        private final boolean withTokens;
        private final long enqueuedNanos;
        private final boolean query;
        private final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
        private volatile boolean done;
        private volatile boolean cancelled;
        private float[] vector;
        private float[] tokenVectors;
        private RuntimeException failure;

        private Ticket(long[] tokenIds, boolean withTokens, long enqueuedNanos, boolean query) {
            this.tokenIds = tokenIds;
            this.withTokens = withTokens;
            this.enqueuedNanos = enqueuedNanos;
            this.query = query;
        }

        public boolean isDone() {
            return done;
        }

        /** Waits until {@link #isDone()}; false if {@code timeout} passed first. */
        public boolean await(Duration timeout) throws InterruptedException {
            return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        /** The unit vector; throws the batch's failure. Only once {@link #isDone()}. */
        public float[] vector() {
            if (!done) {
                throw new IllegalStateException("not embedded yet");
            }
            if (failure != null) {
                throw failure;
            }
            return vector;
        }

        /**
         * The tokens' vectors from the same forward pass, {@code [tokens, dimension]} row-major (see
         * {@link EmbeddedText}); null unless submitted with tokens. Only once {@link #isDone()}.
         */
        public float[] tokenVectors() {
            vector();
            return tokenVectors;
        }

        private void complete(float[] vector, float[] tokenVectors, RuntimeException failure) {
            this.vector = vector;
            this.tokenVectors = tokenVectors;
            this.failure = failure;
            this.done = true; // volatile write publishes the three fields above
            finished.countDown();
        }
    }

    private final TextEmbedder embedder;
    private final Settings settings;
    private final long lingerNanos;
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition room = lock.newCondition();
    private final ArrayDeque<Ticket> queue = new ArrayDeque<>();
    /** The query lane: served first, no linger, not counted in {@link #outstanding}. */
    private final ArrayDeque<Ticket> queries = new ArrayDeque<>();
    /** Texts queued or being embedded; guarded by {@link #lock}. */
    private int outstanding;
    private boolean closed;
    private final List<Thread> threads = new ArrayList<>();

    private final Timer batchLatency;
    private final DistributionSummary batchSizes;
    private final MeterRegistry metrics;
    private final Gauge outstandingGauge;

    public EmbeddingWorkers(TextEmbedder embedder, Settings settings, MeterRegistry metrics) {
        this.embedder = embedder;
        this.settings = settings;
        this.lingerNanos = settings.linger().toNanos();
        // Enough for every worker to have a full batch in hand and one waiting behind it.
        this.capacity = settings.batchSize() * (2 * settings.workers() + 1);
        this.batchLatency = Timer.builder("streamvec.embedding.batch").description("Time to embed one micro-batch")
                .publishPercentileHistogram().register(metrics);
        this.batchSizes = DistributionSummary.builder("streamvec.embedding.batch.size")
                .description("Texts per embedding micro-batch").register(metrics);
        this.metrics = metrics;
        this.outstandingGauge = Gauge.builder("streamvec.embedding.outstanding", this, EmbeddingWorkers::outstanding)
                .description("Texts queued for or being embedded").register(metrics);
        for (int i = 0; i < settings.workers(); i++) {
            Thread thread = new Thread(this::work, "streamvec-embedding-" + i);
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        LOG.info("{} embedding worker(s), intra-op threads each: {}, micro-batches of {} texts, linger {} ms",
                settings.workers(), settings.intraOpThreads() == 0 ? "engine default" : settings.intraOpThreads(),
                settings.batchSize(), settings.linger().toMillis());
    }

    public TextEmbedder embedder() {
        return embedder;
    }

    public Settings settings() {
        return settings;
    }

    /** Queues one text's token ids; blocks while the workers have {@code capacity} texts in hand. */
    public Ticket submit(long[] tokenIds) {
        return submit(tokenIds, false);
    }

    /**
     * As {@link #submit(long[])}; with {@code withTokens} the ticket also gets the text's token vectors, from the
     * same forward pass (the model must support {@link TextEmbedder#embedWithTokens}).
     */
    public Ticket submit(long[] tokenIds, boolean withTokens) {
        lock.lock();
        try {
            while (outstanding >= capacity && !closed) {
                room.awaitUninterruptibly();
            }
            if (closed) {
                throw new IllegalStateException("embedding workers are closed");
            }
            Ticket ticket = new Ticket(tokenIds, withTokens, System.nanoTime(), false);
            queue.add(ticket);
            outstanding++;
            if (queue.size() == 1 || queue.size() >= settings.batchSize()) {
                work.signal(); // starts a linger, or hands over a full batch
            }
            return ticket;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues a query's token ids on the query lane: never blocks, and a worker takes it (with the other queries
     * waiting, up to a micro-batch) before any stream text, without linger.
     *
     * @throws IllegalStateException once closed
     */
    public Ticket submitQuery(long[] tokenIds) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("embedding workers are closed");
            }
            Ticket ticket = new Ticket(tokenIds, false, System.nanoTime(), true);
            queries.add(ticket);
            work.signalAll(); // a lingering worker hands the query over at once
            return ticket;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Forgets tickets whose results are no longer wanted (their task closed): queued ones are dropped, and
     * the results of those being embedded are ignored.
     */
    public void cancel(Collection<Ticket> tickets) {
        lock.lock();
        try {
            for (Ticket ticket : tickets) {
                ticket.cancelled = true;
            }
            int before = queue.size();
            queue.removeIf(t -> t.cancelled);
            outstanding -= before - queue.size();
            room.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Texts queued or being embedded. */
    public int outstanding() {
        lock.lock();
        try {
            return outstanding;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until nothing is queued or being embedded; false if {@code timeout} passed first. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (outstanding > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                room.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void work() {
        try {
            embedder.configureWorkerThread(settings.intraOpThreads());
        } catch (RuntimeException | Error e) {
            LOG.warn("could not set the embedding worker's intra-op threads to {}: {}", settings.intraOpThreads(),
                    e.toString());
        }
        List<Ticket> batch;
        while ((batch = take()) != null) {
            try {
                embed(batch);
            } finally {
                // Whatever happened, every ticket of the batch ends and its room is given back: a stream thread
                // waiting on a ticket or for room must never wait forever.
                IllegalStateException unfinished = new IllegalStateException("embedding worker failed");
                for (Ticket ticket : batch) {
                    if (!ticket.done) {
                        ticket.complete(null, null, unfinished);
                    }
                }
                lock.lock();
                try {
                    outstanding -= (int) batch.stream().filter(t -> !t.query).count();
                    room.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** The next micro-batch, once full or lingered; null once closed. */
    private List<Ticket> take() {
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    return null;
                }
                if (!queries.isEmpty()) {
                    List<Ticket> batch = new ArrayList<>(Math.min(queries.size(), settings.batchSize()));
                    while (batch.size() < settings.batchSize() && !queries.isEmpty()) {
                        batch.add(queries.poll());
                    }
                    if (!queries.isEmpty() || !queue.isEmpty()) {
                        work.signal();
                    }
                    return batch;
                }
                if (queue.size() >= settings.batchSize()) {
                    break;
                }
                if (queue.isEmpty()) {
                    work.awaitUninterruptibly();
                } else {
                    long wait = queue.peek().enqueuedNanos + lingerNanos - System.nanoTime();
                    if (wait <= 0) {
                        break;
                    }
                    work.awaitNanos(wait);
                }
            }
            List<Ticket> batch = new ArrayList<>(Math.min(queue.size(), settings.batchSize()));
            while (batch.size() < settings.batchSize() && !queue.isEmpty()) {
                batch.add(queue.poll());
            }
            if (!queue.isEmpty()) {
                work.signal(); // another worker can start on what is left
            }
            return batch;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            lock.unlock();
        }
    }

    private void embed(List<Ticket> batch) {
        List<long[]> ids = new ArrayList<>(batch.size());
        boolean withTokens = false;
        for (Ticket ticket : batch) {
            ids.add(ticket.tokenIds);
            withTokens |= ticket.withTokens;
        }
        long started = System.nanoTime();
        float[][] vectors;
        float[][] tokenVectors = new float[batch.size()][];
        try {
            if (withTokens) {
                EmbeddedText[] embedded = embedder.embedWithTokens(ids);
                vectors = new float[embedded.length][];
                for (int i = 0; i < embedded.length && i < batch.size(); i++) {
                    vectors[i] = embedded[i].vector();
                    tokenVectors[i] = batch.get(i).withTokens ? embedded[i].tokenVectors() : null;
                }
            } else {
                vectors = embedder.embed(ids);
            }
            if (vectors.length != batch.size()) {
                throw new IllegalStateException("the model returned " + vectors.length + " vectors for "
                        + batch.size() + " texts");
            }
        } catch (RuntimeException | Error e) {
            RuntimeException failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            LOG.warn("embedding a batch of {} texts failed: {}", batch.size(), e.toString());
            for (Ticket ticket : batch) {
                ticket.complete(null, null, failure);
            }
            return;
        }
        batchLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        batchSizes.record(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).complete(vectors[i], tokenVectors[i], null);
        }
    }

    /** Whether every worker thread has ended (after {@link #close()}). */
    public boolean stopped() {
        return threads.stream().noneMatch(Thread::isAlive);
    }

    /**
     * Stops the workers after their current batch (waiting up to a minute for each); tickets still queued
     * fail. Does not close the embedder: check {@link #stopped()} first.
     */
    @Override
    public void close() {
        List<Ticket> left;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            metrics.remove(outstandingGauge);
            left = new ArrayList<>(queue);
            left.addAll(queries);
            queue.clear();
            queries.clear();
            outstanding -= (int) left.stream().filter(t -> !t.query).count();
            work.signalAll();
            room.signalAll();
        } finally {
            lock.unlock();
        }
        IllegalStateException closedFailure = new IllegalStateException("embedding workers closed");
        left.forEach(t -> t.complete(null, null, closedFailure));
        for (Thread thread : threads) {
            try {
                thread.join(TimeUnit.MINUTES.toMillis(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
