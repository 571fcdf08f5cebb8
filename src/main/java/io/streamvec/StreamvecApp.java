package io.streamvec;

import io.streamvec.http.HttpLimits;
import io.streamvec.http.OperationsServer;
import io.streamvec.http.SongHttpServer;
import io.streamvec.metrics.StreamvecMetrics;
import io.streamvec.http.StreamsExplorerQueries;
import io.streamvec.http.StreamsSongQueries;
import io.streamvec.http.StreamsTextQueries;
import io.streamvec.kafka.BrokerProbe;
import io.streamvec.http.TextQueries;
import io.streamvec.kafka.KafkaDeltaFeed;
import io.streamvec.kafka.ModelChangelog;
import io.streamvec.kafka.TopicCatalog;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.SchemaRegistry;
import io.streamvec.song2vec.model.VecOps;
import io.streamvec.song2vec.stream.InitialVectors;
import io.streamvec.song2vec.stream.Song2vecSettings;
import io.streamvec.text.model.BertSentenceEmbedder;
import io.streamvec.text.model.EmbeddingWorkers;
import io.streamvec.text.model.TextEmbedder;
import io.streamvec.text.model.TextTokenizer;
import io.streamvec.text.model.weights.EmbeddingModel;
import io.streamvec.topology.Paths;
import io.streamvec.topology.StreamvecTopology;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running streamvec: the shared resources (schema registry, tokenizer), the topology and the
 * {@link KafkaStreams} that runs it. {@link #close()} releases everything in reverse order.
 */
public final class StreamvecApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamvecApp.class);

    private final StreamvecConfig config;
    private final SchemaRegistry registry;
    private final Shared<TextTokenizer> tokenizer;
    private final Shared<TextEmbedder> embedder;
    private final Shared<EmbeddingWorkers> embedding;
    private final Song2vecSettings song2vec;
    private final Paths paths;
    private final Topology topology;
    private volatile KafkaStreams streams;
    private volatile SongHttpServer http;
    private final StreamvecMetrics metrics = new StreamvecMetrics();
    private volatile OperationsServer operations;
    private volatile BrokerProbe brokerProbe;
    private volatile boolean closed;
    /** The partition count of text-events, read at start (0 when it could not be read). */
    private volatile int textPartitions;

    public StreamvecApp(StreamvecConfig config) {
        this.config = config;
        this.registry = SchemaRegistry.forUrl(config.schemaRegistryUrl());
        this.embedder = new Shared<>(() -> {
            EmbeddingModel model = EmbeddingModel.load(config.embeddingModelPath());
            return BertSentenceEmbedder.create(model, config.embeddingMaxLength(), config.embeddingDevice(),
                    config.embeddingPrecision(), config.embeddingNativeTuning(),
                    model.pooling(config.embeddingPooling(), config.embeddingNormalize()));
        });
        // The tokens branch and the embed branch tokenize each event's text; with one tokenizer they pay once.
        this.tokenizer = new Shared<>(() -> {
            if (tokensMayUseModelTokenizer(config)) {
                TextTokenizer model = embedder.get().tokenizer();
                if (model.maxLength() == config.tokenizerMaxLength()) { // not capped at the model's positions
                    return model;
                }
            }
            return TextTokenizer.load(config.tokenizerPath(), config.tokenizerMaxLength());
        });
        this.embedding = new Shared<>(() -> {
            TextEmbedder model = embedder.get();
            boolean gpu = model instanceof BertSentenceEmbedder bert && bert.device().isGpu();
            return new EmbeddingWorkers(model, EmbeddingWorkers.Settings.resolve(config.embeddingWorkers(),
                    config.embeddingIntraOpThreads(), gpu, Runtime.getRuntime().availableProcessors(),
                    config.embeddingBatchSize(), config.embeddingLinger()), metrics.registry());
        });
        this.song2vec = config.song2vec(); // one instance: the warm-start file it names is read once
        this.paths = config.paths();
        this.topology = StreamvecTopology.build(new StreamvecTopology.Parts(registry, tokenizer, embedding,
                song2vec, metrics.registry(),
                KafkaDeltaFeed.factory(config.streamsProperties(), registry), config.embeddingTokenVectors(),
                config.textIndex()).withPaths(paths));
    }

    /**
     * Whether {@code text-tokens} can come from the embedding model's own tokenizer: the bundled tokenizer
     * with the bundled model, at the same maximum length (if the model's position count does not cap it).
     */
    static boolean tokensMayUseModelTokenizer(StreamvecConfig config) {
        return config.tokenizerPath().isBlank() && config.embeddingModelPath().isBlank()
                && config.tokenizerMaxLength() == config.embeddingMaxLength();
    }

    public Topology topology() {
        return topology;
    }

    public SchemaRegistry registry() {
        return registry;
    }

    /** The paths this instance runs ({@code streamvec.paths}). */
    public Paths paths() {
        return paths;
    }

    /**
     * Creates missing topics (unless disabled), then starts the stream threads and the HTTP and operations
     * servers.
     */
    public StreamvecApp start() {
        return start(true);
    }

    /**
     * As {@link #start()} without the HTTP and operations servers: for a run that reads its results from the
     * stores in process ({@code train}, benchmarks) and has no one to answer.
     */
    public StreamvecApp startWithoutServers() {
        return start(false);
    }

    private StreamvecApp start(boolean servers) {
        if (paths.text()) {
            loadTextModels();
        } else {
            LOG.info("text path off ({}={}): no tokenizer or embedding model loaded", StreamvecConfig.PATHS, paths);
        }
        Properties properties = config.streamsProperties();
        if (config.createTopics()) {
            Map<String, Object> adminConfig = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    properties.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
            Properties admin = new Properties();
            admin.putAll(properties);
            admin.putAll(adminConfig);
            try (Admin client = Admin.create(admin)) {
                TopicCatalog.load().createMissing(client, config.topicsReplicationFactor(),
                        TimeUnit.SECONDS.toMillis(60),
                        name -> paths.needs(name) && (config.embeddingTokenVectors() || !name.equals(Topics.TEXT_TOKEN_EMBEDDINGS))
                                && (config.textIndex().neighbors() || !name.equals(Topics.TEXT_NEIGHBORS)));
            }
        }
        textPartitions = paths.text() ? textEventsPartitions(properties) : 0;
        if (paths.text()) {
            config.textIndex().heapWarning(textPartitions, embedding.get().embedder().dimension(),
                    Runtime.getRuntime().maxMemory()).ifPresent(LOG::warn);
        }
        checkWarmStart(properties);
        streams = new KafkaStreams(topology, properties);
        streams.setUncaughtExceptionHandler(exception -> {
            LOG.error("stream thread failed; replacing it", exception);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        LOG.info("song2vec kernels: {}", VecOps.SCALAR
                ? "scalar (this JVM has no jdk.incubator.vector module: the Vector API kernels need a JDK that has it, "
                        + "started with --add-modules jdk.incubator.vector, which streamvec's launcher adds unless "
                        + "-Dstreamvec.relaunch=false)"
                : VecOps.describe());
        LOG.info("starting streamvec (application.id={}, {}, tokenizer {})",
                properties.get(StreamsConfig.APPLICATION_ID_CONFIG), registry.describe(),
                config.tokenizerPath().isBlank() ? "bundled" : config.tokenizerPath());
        metrics.bind(streams);
        HostInfo self = config.applicationServer().orElse(null);
        if (self != null && self.port() != config.httpPort()) {
            LOG.warn("application.server {}:{} names another port than http.port {}: the other instances forward "
                    + "playlist queries to application.server, so it must reach this instance's HTTP endpoints",
                    self.host(), self.port(), config.httpPort());
        }
        streams.start();
        if (!servers) {
            return this;
        }
        try {
            http = SongHttpServer.start(config.httpHost(), config.httpPort(),
                    new StreamsSongQueries(() -> streams, self),
                    paths.text() ? new StreamsTextQueries(() -> streams, self, embedding, () -> textPartitions,
                            metrics.registry()) : TextQueries.TEXT_PATH_OFF,
                    new StreamsExplorerQueries(() -> streams, metrics.registry()), self);
            brokerProbe = new BrokerProbe(properties);
            operations = OperationsServer.start(config.metricsHost(), config.metricsPort(), metrics, () -> streams,
                    HttpLimits.OPERATIONS, brokerProbe::reachable);
        } catch (RuntimeException e) {
            close(); // the caller never gets a started app to close
            throw e;
        }
        return this;
    }

    /** Loads the tokenizer and the embedding model: a bad one fails here, before any record is consumed. */
    private void loadTextModels() {
        tokenizer.get();
        TextEmbedder model = embedding.get().embedder();
        String device = model instanceof BertSentenceEmbedder bert ? bert.device().getDeviceType() : "unknown";
        io.micrometer.core.instrument.Gauge.builder("streamvec.embedding.device", () -> 1)
                .tag("device", device).tag("model", model.modelName())
                .description("The device the embedding model runs on (value 1)").register(metrics.registry());
    }

    /** Whether the embedding model has been loaded (never, with the text path off). */
    boolean embeddingLoaded() {
        return embedder.peek() != null;
    }

    /**
     * The partition count of text-events (what a text search expects answers for), or 0 when it cannot be read
     * within 30 s (then the partitions Kafka Streams' metadata names are expected).
     */
    private static int textEventsPartitions(Properties properties) {
        Properties admin = new Properties();
        admin.putAll(properties);
        try (Admin client = Admin.create(admin)) {
            return client.describeTopics(java.util.List.of(Topics.TEXT_EVENTS)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(Topics.TEXT_EVENTS).partitions().size();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("cannot read the partition count of {} ({}): text searches expect the partitions the metadata "
                    + "names", Topics.TEXT_EVENTS, e.toString());
            return 0;
        }
    }

    /**
     * With {@code song2vec.init.vectors}: refuses a file on a model that already has state not started from it,
     * and reads and checks the file before any task needs it (one-line errors naming the file's line). A model
     * that already started from the file comes back from its changelog, and the file is not read.
     */
    private void checkWarmStart(Properties properties) {
        InitialVectors init = song2vec.initVectors();
        if (init == null) {
            return;
        }
        try {
            ModelChangelog.State state = ModelChangelog.read(properties, Duration.ofSeconds(60));
            LOG.info("{}: {}", InitialVectors.KEY,
                    ModelChangelog.checkWarmStart(init, state, () -> init.load(song2vec.trainer())));
        } catch (RuntimeException e) {
            close(); // the caller never gets a started app to close
            throw e;
        }
    }

    /** The base URL of the HTTP endpoints (with the port actually bound when http.port is 0); after {@link #start()}. */
    public URI httpUri() {
        if (http == null) {
            throw new IllegalStateException("the HTTP server has not started");
        }
        return http.uri();
    }

    /** The port the HTTP endpoints are bound to; after {@link #start()}. */
    public int httpPort() {
        return httpUri().getPort();
    }

    /** The base URL of the operations endpoints (/metrics, /health/live, /health/ready); after {@link #start()}. */
    public URI operationsUri() {
        if (operations == null) {
            throw new IllegalStateException("the operations server has not started");
        }
        return operations.uri();
    }

    public StreamvecMetrics metrics() {
        return metrics;
    }

    /** The shared embedding model (loaded by {@link #start()}); only with the text path on. */
    public TextEmbedder embedder() {
        requireTextPath();
        return embedder.get();
    }

    /** The JVM's embedding workers (started on first use); only with the text path on. */
    public EmbeddingWorkers embedding() {
        requireTextPath();
        return embedding.get();
    }

    private void requireTextPath() {
        if (!paths.text()) {
            throw new IllegalStateException("the text path is off (" + StreamvecConfig.PATHS + "=" + paths
                    + "): no embedding model is loaded");
        }
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** Blocks until every stream thread is RUNNING, or fails after {@code timeout}. */
    public void awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR
                    || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("streamvec did not reach RUNNING within " + timeout
                        + " (state " + streams.state() + ")");
            }
            Thread.sleep(50);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (http != null) {
            http.close();
            http = null;
        }
        if (operations != null) {
            operations.close();
            operations = null;
        }
        if (brokerProbe != null) {
            brokerProbe.close();
            brokerProbe = null;
        }
        if (streams != null) {
            // Leave the group on a graceful stop: the remaining or next instance takes over at once
            // instead of waiting for the session timeout.
            boolean stopped = streams.close(CloseOptions.groupMembershipOperation(
                    CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(Duration.ofSeconds(30)));
            if (!stopped) {
                // A stream thread may still be inside a batch: freeing the native model under it could crash
                // the JVM, so leave it to the process exit.
                LOG.warn("Kafka Streams did not stop within 30 s; leaving the models loaded");
                metrics.close();
                return;
            }
        }
        metrics.close();
        EmbeddingWorkers workers = embedding.peek();
        embedding.close();
        if (workers != null && !workers.stopped()) {
            LOG.warn("an embedding worker did not stop within a minute; leaving the models loaded");
            return;
        }
        embedder.close();
        tokenizer.close();
        registry.close();
    }

    /** A resource created on first use and shared by every stream thread. */
    static final class Shared<T extends AutoCloseable> implements Supplier<T>, AutoCloseable {
        private final Supplier<T> factory;
        private T value;

        Shared(Supplier<T> factory) {
            this.factory = factory;
        }

        /** The value if it has been created, else null (creates nothing). */
        synchronized T peek() {
            return value;
        }

        @Override
        public synchronized T get() {
            if (value == null) {
                value = factory.get();
            }
            return value;
        }

        @Override
        public synchronized void close() {
            if (value != null) {
                try {
                    value.close();
                } catch (Exception e) {
                    LOG.warn("closing {} failed: {}", value, e.toString());
                }
                value = null;
            }
        }
    }
}
