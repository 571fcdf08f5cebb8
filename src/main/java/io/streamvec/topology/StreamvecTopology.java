package io.streamvec.topology;

import io.streamvec.avro.PendingEmbedding;
import io.streamvec.avro.ModelDelta;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.avro.Song;
import io.streamvec.avro.SongRecommendations;
import io.streamvec.avro.TextEmbedding;
import io.streamvec.avro.TokenEmbeddings;
import io.streamvec.avro.TokenizedText;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import io.streamvec.serde.SchemaRegistry;
import io.streamvec.serde.TextEventDeserializer;
import io.streamvec.song2vec.stream.DeltaDeadLetters;
import io.streamvec.song2vec.stream.DeltaFeed;
import io.streamvec.song2vec.stream.FailedEvents;
import io.streamvec.song2vec.stream.PreparePlaylistProcessor;
import io.streamvec.song2vec.stream.Song2vecProcessor;
import io.streamvec.song2vec.stream.Song2vecSettings;
import io.streamvec.song2vec.stream.SongMetadataProcessor;
import io.streamvec.song2vec.stream.SongModelStoreBuilder;
import io.streamvec.song2vec.stream.SongStores;
import io.streamvec.avro.TextNeighbors;
import io.streamvec.text.stream.EmbedProcessor;
import io.streamvec.text.stream.IndexTextProcessor;
import io.streamvec.text.stream.TextIndexSettings;
import io.streamvec.text.stream.TextIndexStoreBuilder;
import io.streamvec.text.stream.TextStores;
import io.streamvec.text.stream.PrepareTextProcessor;
import io.streamvec.text.model.EmbeddingWorkers;
import io.streamvec.text.model.TextTokenizer;
import io.streamvec.text.stream.TokenizeProcessor;
import io.streamvec.text.stream.TokensProcessor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * streamvec's topology, wired in one place. It reads like its diagram ({@code topology/topology.txt}):
 *
 * <pre>
 *   text-events ──► prepare-text ──► tokenize ─┬─► tokens ──────────────────────────────────────► text-tokens
 *                                              └─► embed [embedding-buffer, embedding-buffer-texts] ─┬─► text-embeddings
 *                                                                                                    └─► index-text [text-index] ─► text-neighbors
 *                   (text-neighbors only with text.neighbors.enabled=true: near duplicates of each new text)
 *                   (each text tokenized once for both branches, unless text-tokens has a tokenizer of its own;
 *                    embedded by the JVM's EmbeddingWorkers in micro-batches)
 *      with embedding.token.vectors.enabled=true (not in topology/topology.txt, which shows the defaults):
 *                                                  embed [embedding-buffer, embedding-buffer-tokens] ─┬─► text-embeddings
 *                                                                                                     └─► text-token-embeddings
 *
 *   playlist-events ──► prepare-playlist ──► song2vec [song2vec-model, song2vec-playlists] ─┬─► song-recommendations
 *   songs ──► (global) song-metadata ────────────┘ (titles and artists)                     └─► song2vec-model-deltas
 *   (each replica reads the other replicas' deltas back from song2vec-model-deltas; see ModelSync;
 *    a delta it cannot read or apply goes to the dead-letter topic through song2vec-model-deltas-dlq-sink)
 *   (store names and their changelog topics: SongStores)
 * </pre>
 *
 * Records that cannot be read or processed go to {@code streamvec-dlq} through the exception handlers
 * configured in {@link io.streamvec.StreamvecConfig#streamsDefaults()}.
 */
public final class StreamvecTopology {

    public static final String TEXT_SOURCE = "text-events-source";
    public static final String PREPARE_TEXT = "prepare-text";
    public static final String TOKENIZE = "tokenize";
    public static final String TOKENS = "tokens";
    public static final String TOKENS_SINK = "text-tokens-sink";
    public static final String EMBED = "embed";
    public static final String EMBEDDINGS_SINK = EmbedProcessor.EMBEDDINGS_CHILD;
    /** Only with token vectors on. */
    public static final String TOKEN_EMBEDDINGS_SINK = EmbedProcessor.TOKEN_EMBEDDINGS_CHILD;
    public static final String INDEX_TEXT = EmbedProcessor.INDEX_CHILD;
    /** Written only with text neighbours on. */
    public static final String NEIGHBORS_SINK = "text-neighbors-sink";
    public static final String PLAYLIST_SOURCE = "playlist-events-source";
    public static final String PREPARE_PLAYLIST = "prepare-playlist";
    public static final String SONG2VEC = "song2vec";
    public static final String RECOMMENDATIONS_SINK = Song2vecProcessor.RECOMMENDATIONS_CHILD;
    public static final String MODEL_DELTAS_SINK = Song2vecProcessor.DELTAS_CHILD;
    /** Model deltas this replica cannot read or apply, to the dead-letter topic ({@code DeltaDeadLetters}). */
    public static final String MODEL_DELTAS_DLQ_SINK = Song2vecProcessor.DELTA_DEAD_LETTERS_CHILD;
    public static final String SONGS_SOURCE = "songs-source";
    public static final String SONG_METADATA = "song-metadata-updater";

    /**
     * What the topology needs besides serdes: the tokenizer of {@code text-tokens} (the embedding model's own
     * instance when they match, so that each text is tokenized once), the embedding workers, song2vec's settings,
     * and whether token vectors go to {@code text-token-embeddings} ({@code embedding.token.vectors.enabled}).
     */
    public record Parts(
            SchemaRegistry registry,
            Supplier<TextTokenizer> tokenizer,
            Supplier<EmbeddingWorkers> embedding,
            Song2vecSettings song2vec,
            MeterRegistry metrics,
            DeltaFeed.Factory modelDeltas,
            boolean tokenVectors,
            TextIndexSettings textIndex,
            Paths paths) {

        /** Both paths. */
        public Parts(SchemaRegistry registry, Supplier<TextTokenizer> tokenizer, Supplier<EmbeddingWorkers> embedding,
                     Song2vecSettings song2vec, MeterRegistry metrics, DeltaFeed.Factory modelDeltas,
                     boolean tokenVectors, TextIndexSettings textIndex) {
            this(registry, tokenizer, embedding, song2vec, metrics, modelDeltas, tokenVectors, textIndex, Paths.ALL);
        }

        /** With the text index's defaults. */
        public Parts(SchemaRegistry registry, Supplier<TextTokenizer> tokenizer, Supplier<EmbeddingWorkers> embedding,
                     Song2vecSettings song2vec, MeterRegistry metrics, DeltaFeed.Factory modelDeltas,
                     boolean tokenVectors) {
            this(registry, tokenizer, embedding, song2vec, metrics, modelDeltas, tokenVectors,
                    TextIndexSettings.defaults());
        }

        /** Without token vectors. */
        public Parts(SchemaRegistry registry, Supplier<TextTokenizer> tokenizer, Supplier<EmbeddingWorkers> embedding,
                     Song2vecSettings song2vec, MeterRegistry metrics, DeltaFeed.Factory modelDeltas) {
            this(registry, tokenizer, embedding, song2vec, metrics, modelDeltas, false, TextIndexSettings.defaults());
        }

        /** Without metrics, a model-delta feed or token vectors (tests, topology description). */
        public Parts(SchemaRegistry registry, Supplier<TextTokenizer> tokenizer, Supplier<EmbeddingWorkers> embedding,
                     Song2vecSettings song2vec) {
            this(registry, tokenizer, embedding, song2vec, new SimpleMeterRegistry(), null, false,
                    TextIndexSettings.defaults());
        }

        /** The same parts with token vectors on or off. */
        public Parts withTokenVectors(boolean on) {
            return new Parts(registry, tokenizer, embedding, song2vec, metrics, modelDeltas, on, textIndex, paths);
        }

        /** The same parts with these text index settings. */
        public Parts withTextIndex(TextIndexSettings settings) {
            return new Parts(registry, tokenizer, embedding, song2vec, metrics, modelDeltas, tokenVectors, settings,
                    paths);
        }

        /** The same parts running only these paths ({@code streamvec.paths}). */
        public Parts withPaths(Paths chosen) {
            return new Parts(registry, tokenizer, embedding, song2vec, metrics, modelDeltas, tokenVectors, textIndex,
                    chosen);
        }
    }

    private StreamvecTopology() {}

    /**
     * Builds the topology. The shared models are suppliers resolved when a task starts, so that building
     * and describing the topology loads no native code.
     */
    public static Topology build(Parts parts) {
        Topology topology = new Topology();
        if (parts.paths().text()) {
            addTextPath(topology, parts);
        }
        if (parts.paths().songs()) {
            addSongPath(topology, parts);
        }
        return topology;
    }

    /** text-events to text-tokens, text-embeddings, the text index and text-neighbors. */
    private static void addTextPath(Topology topology, Parts parts) {
        SchemaRegistry registry = parts.registry();
        StringSerializer keys = new StringSerializer();
        topology.addSource(TEXT_SOURCE, new StringDeserializer(), new TextEventDeserializer(registry),
                Topics.TEXT_EVENTS);
        topology.addProcessor(PREPARE_TEXT, () -> new PrepareTextProcessor(parts.metrics()), TEXT_SOURCE);

        // One tokenization for both branches, forwarded in memory (no repartition, no serde).
        topology.addProcessor(TOKENIZE, () -> new TokenizeProcessor(parts.tokenizer(),
                () -> parts.embedding().get().embedder().tokenizer(), parts.metrics()), PREPARE_TEXT);

        topology.addProcessor(TOKENS, () -> new TokensProcessor(parts.metrics()), TOKENIZE);
        topology.addSink(TOKENS_SINK, Topics.TEXT_TOKENS, keys,
                new AvroSerde<>(TokenizedText.class, registry).serializer(), TOKENS);

        topology.addProcessor(EMBED, () -> new EmbedProcessor(parts.embedding(), parts.metrics(), parts.tokenVectors(),
                true), TOKENIZE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(EmbedProcessor.STORE),
                        Serdes.String(), new AvroSerde<>(PendingEmbedding.class, registry))
                .withLoggingEnabled(Map.of())
                .withCachingDisabled(), EMBED);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(EmbedProcessor.TEXTS_STORE),
                        Serdes.String(), Serdes.String())
                .withLoggingEnabled(Map.of())
                .withCachingDisabled(), EMBED);
        topology.addSink(EMBEDDINGS_SINK, Topics.TEXT_EMBEDDINGS, keys,
                new AvroSerde<>(TextEmbedding.class, registry).serializer(), EMBED);
        // The index of what each task embedded, in the same step as the embeddings (one transaction).
        topology.addProcessor(INDEX_TEXT, () -> new IndexTextProcessor(parts.textIndex(), parts.metrics()), EMBED);
        topology.addStateStore(new TextIndexStoreBuilder(TextStores.TEXT_INDEX, parts.textIndex()), INDEX_TEXT);
        // Always wired; written only with text.neighbors.enabled=true (the topic is created only then).
        topology.addSink(NEIGHBORS_SINK, Topics.TEXT_NEIGHBORS, keys,
                new AvroSerde<>(TextNeighbors.class, registry).serializer(), INDEX_TEXT);
        if (parts.tokenVectors()) {
            // Same forward pass, same processing step as the sentence embedding: one transaction holds both.
            topology.addStateStore(Stores.keyValueStoreBuilder(
                            Stores.inMemoryKeyValueStore(EmbedProcessor.TOKENS_STORE), Serdes.String(),
                            new AvroSerde<>(TokenizedText.class, registry))
                    .withLoggingEnabled(Map.of())
                    .withCachingDisabled(), EMBED);
            topology.addSink(TOKEN_EMBEDDINGS_SINK, Topics.TEXT_TOKEN_EMBEDDINGS, keys,
                    new AvroSerde<>(TokenEmbeddings.class, registry).serializer(), EMBED);
        }
    }

    /** playlist-events (with the songs' metadata) to song2vec, song-recommendations and the model deltas. */
    private static void addSongPath(Topology topology, Parts parts) {
        SchemaRegistry registry = parts.registry();
        StringSerializer keys = new StringSerializer();
        topology.addGlobalStore(Stores.timestampedKeyValueStoreBuilder(
                                Stores.persistentTimestampedKeyValueStore(SongStores.SONG_METADATA),
                                Serdes.String(), new AvroSerde<>(Song.class, registry))
                        .withLoggingDisabled(),
                SONGS_SOURCE, new StringDeserializer(), new AvroSerde<>(Song.class, registry).deserializer(),
                Topics.SONGS, SONG_METADATA, SongMetadataProcessor::new);
        topology.addSource(PLAYLIST_SOURCE, new StringDeserializer(),
                new AvroSerde<>(PlaylistEvent.class, registry).deserializer(), Topics.PLAYLIST_EVENTS);
        topology.addProcessor(PREPARE_PLAYLIST, () -> new PreparePlaylistProcessor(parts.song2vec(), parts.metrics()),
                PLAYLIST_SOURCE);
        FailedEvents failedEvents = new FailedEvents(); // one for every task and thread of this instance
        DeltaDeadLetters deltaDeadLetters = new DeltaDeadLetters(); // its topic, from the config, for the sink
        topology.addProcessor(SONG2VEC, () -> new Song2vecProcessor(parts.song2vec(), parts.metrics(),
                parts.modelDeltas(), failedEvents, deltaDeadLetters), PREPARE_PLAYLIST);
        topology.addStateStore(new SongModelStoreBuilder(SongStores.MODEL, parts.song2vec().trainer(),
                parts.song2vec().initVectors(), parts.song2vec().queryBatch()), SONG2VEC);
        topology.addStateStore(Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(SongStores.PLAYLISTS), Serdes.String(),
                        Serdes.ByteArray())
                .withLoggingEnabled(Map.of())
                .withCachingDisabled(), SONG2VEC);
        topology.addSink(RECOMMENDATIONS_SINK, Topics.SONG_RECOMMENDATIONS, keys,
                new AvroSerde<>(SongRecommendations.class, registry).serializer(), SONG2VEC);
        topology.addSink(MODEL_DELTAS_SINK, Topics.MODEL_DELTAS, keys,
                new AvroSerde<>(ModelDelta.class, registry).serializer(), SONG2VEC);
        topology.addSink(MODEL_DELTAS_DLQ_SINK, deltaDeadLetters, new ByteArraySerializer(), new ByteArraySerializer(),
                SONG2VEC);
    }

    /**
     * {@code Topology.describe()} of the real topology, with a trailing newline: the content of the
     * committed {@code topology/topology.txt}. Loads no model and touches no broker.
     */
    public static String describe() {
        return describe(false);
    }

    /**
     * As {@link #describe()}, with {@code embedding.token.vectors.enabled} as given: with token vectors on, the
     * content of the committed {@code topology/topology-token-vectors.txt}.
     */
    public static String describe(boolean tokenVectors) {
        String text = descriptionOnly(tokenVectors).describe().toString();
        return text.endsWith("\n") ? text : text + "\n";
    }

    /** The SVG diagram of the real topology: the content of the committed {@code topology/topology.svg}. */
    public static String diagram() {
        return diagram(false);
    }

    /** As {@link #diagram()}; with token vectors on, {@code topology/topology-token-vectors.svg}. */
    public static String diagram(boolean tokenVectors) {
        return TopologyDiagram.svg(descriptionOnly(tokenVectors).describe());
    }

    /** The real topology built with stand-ins for the models (which describing it never loads). */
    private static Topology descriptionOnly(boolean tokenVectors) {
        Supplier<EmbeddingWorkers> noEmbedding = () -> {
            throw new IllegalStateException("describing the topology needs no model");
        };
        Supplier<TextTokenizer> noTokenizer = () -> {
            throw new IllegalStateException("describing the topology needs no tokenizer");
        };
        return build(new Parts(EmbeddedSchemaRegistry.bundled(), noTokenizer, noEmbedding, Song2vecSettings.defaults())
                .withTokenVectors(tokenVectors));
    }
}
