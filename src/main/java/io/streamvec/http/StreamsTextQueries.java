package io.streamvec.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.streamvec.kafka.Topics;
import io.streamvec.text.model.EmbeddingWorkers;
import io.streamvec.text.model.TextVectorIndex;
import io.streamvec.text.stream.TextIndexStoreType;
import io.streamvec.text.stream.TextIndexView;
import io.streamvec.text.stream.TextStores;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsNotStartedException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link TextQueries} over the text indexes ({@value TextStores#TEXT_INDEX}) of every instance. A search is embedded
 * here on the embedding workers' query lane, then scatter-gathered: this instance searches its own tasks' indexes
 * and, with several instances ({@code self}, this instance's {@code application.server}, set), sends the query
 * vector to every other instance that Kafka Streams' metadata names for the store
 * ({@link KafkaStreams#streamsMetadataForStore}), marked {@value TextRoutes#PART}, all at once. It merges their
 * top k and names the text-events partitions that no instance answered for ({@code partial}): an instance that is
 * down, slow or rebalancing makes the answer partial, never failed.
 *
 * <p>Metrics: {@code streamvec.text.search} (latency, by route) and {@code streamvec.text.searches} (by outcome:
 * complete, partial, error).
 */
public final class StreamsTextQueries implements TextQueries {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsTextQueries.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a query waits for the model. */
    static final Duration EMBED_TIMEOUT = Duration.ofSeconds(10);

    private final Supplier<KafkaStreams> streams;
    private final HostInfo self;
    private final Supplier<EmbeddingWorkers> workers;
    private final IntSupplier textPartitions;
    private final HttpClient client;
    private final Duration partTimeout;
    private final Counter complete;
    private final Counter partial;
    private final Counter error;
    private final Timer searchLatency;
    private final Timer similarLatency;

    /**
     * @param textPartitions the partition count of text-events (0 or less when not known: then the partitions the
     *                       metadata names are expected)
     */
    public StreamsTextQueries(Supplier<KafkaStreams> streams, HostInfo self, Supplier<EmbeddingWorkers> workers,
                              IntSupplier textPartitions, MeterRegistry metrics) {
        this(streams, self, workers, textPartitions, metrics, Forwarder.DEFAULT_CONNECT_TIMEOUT,
                Forwarder.DEFAULT_REQUEST_TIMEOUT);
    }

    StreamsTextQueries(Supplier<KafkaStreams> streams, HostInfo self, Supplier<EmbeddingWorkers> workers,
                       IntSupplier textPartitions, MeterRegistry metrics, Duration connectTimeout,
                       Duration partTimeout) {
        this.streams = streams;
        this.self = self;
        this.workers = workers;
        this.textPartitions = textPartitions;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(connectTimeout).build();
        this.partTimeout = partTimeout;
        this.complete = outcome(metrics, "complete");
        this.partial = outcome(metrics, "partial");
        this.error = outcome(metrics, "error");
        this.searchLatency = latency(metrics, "search");
        this.similarLatency = latency(metrics, "similar");
    }

    private static Counter outcome(MeterRegistry metrics, String outcome) {
        return Counter.builder("streamvec.text.searches").tag("outcome", outcome)
                .description("Text searches (GET /texts/search and /texts/{id}/similar) by outcome").register(metrics);
    }

    private static Timer latency(MeterRegistry metrics, String route) {
        return Timer.builder("streamvec.text.search").tag("route", route)
                .description("Latency of text searches, embedding and every instance's part included")
                .publishPercentileHistogram().register(metrics);
    }

    @Override
    public Responses.TextSearch search(String query, int k, long sinceMs) {
        long started = System.nanoTime();
        try {
            float[] vector = embedOne(query);
            Gathered g = gather(vector, k, sinceMs, null, Map.of());
            (g.missing.isEmpty() ? complete : partial).increment();
            return new Responses.TextSearch(query, k, g.hits, !g.missing.isEmpty(), g.missing);
        } catch (RuntimeException e) {
            error.increment();
            throw e;
        } finally {
            searchLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public Optional<Responses.SimilarTexts> similar(String id, int k) {
        long started = System.nanoTime();
        try {
            float[] vector = null;
            Map<HostInfo, Responses.TextSearchPart> asked = new LinkedHashMap<>();
            Optional<TextVectorIndex.Entry> local = localEntry(id);
            if (local.isPresent()) {
                vector = local.get().vector();
            } else if (self != null) {
                for (HostInfo host : ownerFirst(id)) {
                    Optional<Responses.TextSearchPart> part = askSimilar(host, id, k);
                    if (part.isPresent() && part.get().vector() != null) {
                        asked.put(host, part.get());
                        vector = TextRoutes.decodeVector(part.get().vector());
                        break;
                    }
                }
            }
            if (vector == null) {
                return Optional.empty();
            }
            Gathered g = gather(vector, k, Long.MIN_VALUE, id, asked);
            (g.missing.isEmpty() ? complete : partial).increment();
            return Optional.of(new Responses.SimilarTexts(id, k, g.hits, !g.missing.isEmpty(), g.missing));
        } catch (RuntimeException e) {
            error.increment();
            throw e;
        } finally {
            similarLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public Responses.TextSearchPart searchPart(float[] vector, int k, long sinceMs, String excludeId) {
        return localPart(vector, k, sinceMs, excludeId, null);
    }

    @Override
    public Optional<Responses.TextSearchPart> similarPart(String id, int k) {
        return localEntry(id).map(entry -> localPart(entry.vector(), k, Long.MIN_VALUE, id,
                TextRoutes.encodeVector(entry.vector())));
    }

    @Override
    public Responses.RecentTexts recent(int k) {
        List<Responses.TextHit> newest = new ArrayList<>();
        for (TextIndexView index : localIndexes()) {
            for (TextVectorIndex.Hit hit : index.newest(k)) {
                newest.add(new Responses.TextHit(hit.id(), hit.text(), hit.score(), hit.timestampMs()));
            }
        }
        newest.sort(Comparator.comparingLong(Responses.TextHit::timestampMs).reversed()
                .thenComparing(Responses.TextHit::id));
        return new Responses.RecentTexts(k, List.copyOf(newest.subList(0, Math.min(k, newest.size()))));
    }

    @Override
    public Responses.Embeddings embed(List<String> texts) {
        EmbeddingWorkers w = workers.get();
        List<EmbeddingWorkers.Ticket> tickets = new ArrayList<>(texts.size());
        for (String text : texts) {
            tickets.add(w.submitQuery(w.embedder().tokenizer().tokenize(text).ids()));
        }
        float[][] vectors = new float[texts.size()][];
        for (int i = 0; i < tickets.size(); i++) {
            vectors[i] = await(tickets.get(i));
        }
        return new Responses.Embeddings(w.embedder().modelName(), w.embedder().dimension(), vectors);
    }

    private float[] embedOne(String text) {
        EmbeddingWorkers w = workers.get();
        return await(w.submitQuery(w.embedder().tokenizer().tokenize(text).ids()));
    }

    private static float[] await(EmbeddingWorkers.Ticket ticket) {
        try {
            if (!ticket.await(EMBED_TIMEOUT)) {
                throw HttpError.unavailable("the model did not embed the query within " + EMBED_TIMEOUT.toSeconds()
                        + " s; retry shortly");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw HttpError.unavailable("interrupted while embedding the query");
        }
        return ticket.vector();
    }

    /** Hits merged from every instance, and the text-events partitions none answered for. */
    private record Gathered(List<Responses.TextHit> hits, List<Integer> missing) {}

    private Gathered gather(float[] vector, int k, long sinceMs, String excludeId,
                            Map<HostInfo, Responses.TextSearchPart> alreadyAsked) {
        KafkaStreams kafkaStreams = running();
        List<Responses.TextSearchPart> parts = new ArrayList<>(alreadyAsked.values());
        try {
            parts.add(localPart(vector, k, sinceMs, excludeId, null));
        } catch (InvalidStateStoreException e) {
            LOG.debug("local text indexes not queryable: {}", e.toString());
        }
        Set<Integer> named = new TreeSet<>();
        if (self != null) {
            Map<HostInfo, CompletableFuture<HttpResponse<byte[]>>> pending = new LinkedHashMap<>();
            String encoded = TextRoutes.encodeVector(vector);
            for (StreamsMetadata instance : kafkaStreams.streamsMetadataForStore(TextStores.TEXT_INDEX)) {
                instance.topicPartitions().stream().filter(tp -> tp.topic().equals(Topics.TEXT_EVENTS))
                        .forEach(tp -> named.add(tp.partition()));
                HostInfo host = instance.hostInfo();
                if (host.equals(self) || host.port() < 0 || alreadyAsked.containsKey(host)
                        || pending.containsKey(host)) {
                    continue;
                }
                String query = "vector=" + encoded + "&k=" + k
                        + (sinceMs == Long.MIN_VALUE ? "" : "&since=" + sinceMs)
                        + (excludeId == null ? "" : "&exclude=" + URLEncoder.encode(excludeId, StandardCharsets.UTF_8));
                pending.put(host, send(host, "/texts/search", query));
            }
            for (Map.Entry<HostInfo, CompletableFuture<HttpResponse<byte[]>>> leg : pending.entrySet()) {
                readPart(leg.getKey(), leg.getValue()).ifPresent(parts::add);
            }
        } else {
            for (StreamsMetadata instance : kafkaStreams.streamsMetadataForStore(TextStores.TEXT_INDEX)) {
                instance.topicPartitions().stream().filter(tp -> tp.topic().equals(Topics.TEXT_EVENTS))
                        .forEach(tp -> named.add(tp.partition()));
            }
        }
        Set<Integer> answered = new HashSet<>();
        Map<String, Responses.TextHit> best = new LinkedHashMap<>();
        for (Responses.TextSearchPart part : parts) {
            answered.addAll(part.partitions());
            for (Responses.TextHit hit : part.results()) {
                best.merge(hit.id(), hit, (a, b) -> a.score() >= b.score() ? a : b);
            }
        }
        List<Responses.TextHit> merged = new ArrayList<>(best.values());
        merged.sort(Comparator.comparingDouble((Responses.TextHit h) -> h.score()).reversed()
                .thenComparing(Responses.TextHit::id));
        int n = textPartitions.getAsInt();
        Set<Integer> expected = new TreeSet<>(named);
        for (int p = 0; p < n; p++) {
            expected.add(p);
        }
        expected.removeAll(answered);
        return new Gathered(List.copyOf(merged.subList(0, Math.min(k, merged.size()))), List.copyOf(expected));
    }

    private Responses.TextSearchPart localPart(float[] vector, int k, long sinceMs, String excludeId, String encoded) {
        List<Responses.TextHit> hits = new ArrayList<>();
        List<Integer> partitions = new ArrayList<>();
        for (TextIndexView index : localIndexes()) {
            partitions.add(index.partition());
            for (TextVectorIndex.Hit hit : index.search(vector, k, sinceMs, excludeId)) {
                hits.add(new Responses.TextHit(hit.id(), hit.text(), hit.score(), hit.timestampMs()));
            }
        }
        hits.sort(Comparator.comparingDouble((Responses.TextHit h) -> h.score()).reversed());
        partitions.sort(Integer::compare);
        return new Responses.TextSearchPart(List.copyOf(hits.subList(0, Math.min(k, hits.size()))), partitions,
                encoded);
    }

    private Optional<TextVectorIndex.Entry> localEntry(String id) {
        try {
            for (TextIndexView index : localIndexes()) {
                Optional<TextVectorIndex.Entry> entry = index.get(id);
                if (entry.isPresent()) {
                    return entry;
                }
            }
        } catch (InvalidStateStoreException e) {
            if (self == null) {
                throw e;
            }
        }
        return Optional.empty();
    }

    private List<TextIndexView> localIndexes() {
        return running().store(StoreQueryParameters.fromNameAndType(TextStores.TEXT_INDEX, new TextIndexStoreType()))
                .all();
    }

    /** The other instances, the one whose partition the id hashes to (as a record key) first. */
    private List<HostInfo> ownerFirst(String id) {
        KafkaStreams kafkaStreams = running();
        Set<HostInfo> hosts = new LinkedHashSet<>();
        KeyQueryMetadata owner = kafkaStreams.queryMetadataForKey(TextStores.TEXT_INDEX, id, new StringSerializer());
        if (owner != null && owner.activeHost() != null && owner.activeHost().port() >= 0) {
            hosts.add(owner.activeHost());
        }
        for (StreamsMetadata instance : kafkaStreams.streamsMetadataForStore(TextStores.TEXT_INDEX)) {
            hosts.add(instance.hostInfo());
        }
        hosts.remove(self);
        hosts.removeIf(h -> h.port() < 0);
        return List.copyOf(hosts);
    }

    private Optional<Responses.TextSearchPart> askSimilar(HostInfo host, String id, int k) {
        String path = "/texts/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20") + "/similar";
        return readPart(host, send(host, path, "k=" + k));
    }

    private CompletableFuture<HttpResponse<byte[]>> send(HostInfo host, String rawPath, String rawQuery) {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://" + Forwarder.address(host) + rawPath + "?" + rawQuery))
                .timeout(partTimeout)
                .header(TextRoutes.PART, "1")
                .header(Forwarder.FORWARDED, "1")
                .GET()
                .build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The instance's part, or empty when it did not answer 200 with one in time (logged; the answer is partial). */
    private Optional<Responses.TextSearchPart> readPart(HostInfo host,
                                                       CompletableFuture<HttpResponse<byte[]>> answer) {
        try {
            HttpResponse<byte[]> response = answer.get(partTimeout.toMillis() + 500, TimeUnit.MILLISECONDS);
            if (response.statusCode() == 404) {
                return Optional.empty();
            }
            if (response.statusCode() != 200) {
                LOG.info("{} answered its text search part with {}", Forwarder.address(host), response.statusCode());
                return Optional.empty();
            }
            return Optional.of(JSON.readValue(response.body(), Responses.TextSearchPart.class));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (IOException | RuntimeException | java.util.concurrent.ExecutionException
                 | java.util.concurrent.TimeoutException e) {
            answer.cancel(true);
            LOG.info("no text search part from {}: {}", Forwarder.address(host), e.toString());
            return Optional.empty();
        }
    }

    private KafkaStreams running() {
        KafkaStreams kafkaStreams = streams.get();
        if (kafkaStreams == null) {
            throw new StreamsNotStartedException("the streams application has not started");
        }
        return kafkaStreams;
    }
}
