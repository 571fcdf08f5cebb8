package io.streamvec;

import io.streamvec.kafka.DeadLetterDeserializationHandler;
import io.streamvec.kafka.DeadLetterProcessingHandler;
import io.streamvec.kafka.Topics;
import io.streamvec.song2vec.model.SgnsConfig;
import io.streamvec.song2vec.stream.InitialVectors;
import io.streamvec.song2vec.stream.Song2vecSettings;
import io.streamvec.text.stream.TextIndexSettings;
import io.streamvec.text.model.SearchMode;
import io.streamvec.text.model.TextTokenizer;
import io.streamvec.text.model.TextVectorIndex;
import io.streamvec.topology.Paths;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;

/**
 * streamvec's configuration: one standard Kafka Streams properties file. The keys defined here are
 * streamvec's own; every other key goes to Kafka Streams (and its clients) unchanged, over streamvec's
 * defaults for Kafka Streams (see {@link #streamsDefaults()}).
 */
public final class StreamvecConfig extends AbstractConfig {

    public static final String PATHS = "streamvec.paths";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String TOKENIZER_PATH = "tokenizer.path";
    public static final String TOKENIZER_MAX_LENGTH = "tokenizer.max.length";
    public static final String EMBEDDING_MODEL_PATH = "embedding.model.path";
    public static final String EMBEDDING_MAX_LENGTH = "embedding.max.length";
    public static final String EMBEDDING_BATCH_SIZE = "embedding.batch.size";
    public static final String EMBEDDING_LINGER_MS = "embedding.linger.ms";
    public static final String EMBEDDING_WORKERS = "embedding.workers";
    public static final String EMBEDDING_INTRA_OP_THREADS = "embedding.intra.op.threads";
    public static final String EMBEDDING_DEVICE = "embedding.device";
    public static final String EMBEDDING_PRECISION = "embedding.precision";
    public static final String EMBEDDING_NATIVE_TUNING = "embedding.native.tuning";
    public static final String EMBEDDING_POOLING = "embedding.pooling";
    public static final String EMBEDDING_NORMALIZE = "embedding.normalize";
    public static final String EMBEDDING_TOKEN_VECTORS_ENABLED = "embedding.token.vectors.enabled";
    public static final String SONG2VEC_MODE = "song2vec.mode";
    public static final String SONG2VEC_DIM = "song2vec.dim";
    public static final String SONG2VEC_WINDOW = "song2vec.window";
    public static final String SONG2VEC_NEGATIVE = "song2vec.negative";
    public static final String SONG2VEC_ALPHA = "song2vec.alpha";
    public static final String SONG2VEC_MIN_ALPHA = "song2vec.min.alpha";
    public static final String SONG2VEC_ALPHA_DECAY_SONGS = "song2vec.alpha.decay.songs";
    public static final String SONG2VEC_SAMPLE = "song2vec.sample";
    public static final String SONG2VEC_MIN_COUNT = "song2vec.min.count";
    public static final String SONG2VEC_CAPACITY = "song2vec.capacity";
    public static final String SONG2VEC_SAMPLER = "song2vec.sampler";
    public static final String SONG2VEC_SEED = "song2vec.seed";
    public static final String SONG2VEC_THREADS = "song2vec.threads";
    public static final String SONG2VEC_PLAYLIST_IDLE_MS = "song2vec.playlist.idle.ms";
    public static final String SONG2VEC_MAX_SONGS_PER_EVENT = "song2vec.max.songs.per.event";
    public static final String SONG2VEC_SYNC_MS = "song2vec.sync.ms";
    public static final String SONG2VEC_INIT_VECTORS = InitialVectors.KEY;
    public static final String RECOMMEND_ENABLED = "song2vec.recommend.enabled";
    public static final String RECOMMEND_K = "song2vec.recommend.k";
    public static final String RECOMMEND_SONGS_PER_EVENT = "song2vec.recommend.songs.per.event";
    public static final String RECOMMEND_DEDUP_MS = "song2vec.recommend.dedup.ms";
    public static final String INDEX_REFRESH_MS = "song2vec.index.refresh.ms";
    public static final String QUERY_BATCH_MAX = "song2vec.query.batch.max";
    public static final String TEXT_INDEX_MAX_TEXTS = "text.index.max.texts";
    public static final String TEXT_INDEX_RETENTION_MS = "text.index.retention.ms";
    public static final String TEXT_INDEX_SEARCH = "text.index.search";
    public static final String TEXT_NEIGHBORS_ENABLED = "text.neighbors.enabled";
    public static final String TEXT_NEIGHBORS_MIN_SCORE = "text.neighbors.min.score";
    public static final String TEXT_NEIGHBORS_K = "text.neighbors.k";
    public static final String METRICS_HOST = "metrics.host";
    public static final String METRICS_PORT = "metrics.port";
    public static final String TOPICS_CREATE = "topics.create";
    public static final String TOPICS_REPLICATION_FACTOR = "topics.replication.factor";
    public static final String HTTP_HOST = "http.host";
    public static final String HTTP_PORT = "http.port";

    // The values of song2vec.mode and song2vec.sampler.
    private static final String CBOW = "cbow";
    private static final String SKIPGRAM = "skipgram";
    private static final String ALIAS = "alias";
    private static final String RESERVOIR = "reservoir";

    private static String modeName(SgnsConfig.Mode mode) {
        return mode == SgnsConfig.Mode.SKIP_GRAM ? SKIPGRAM : CBOW;
    }

    private static String samplerName(SgnsConfig.SamplerKind sampler) {
        return sampler == SgnsConfig.SamplerKind.RESERVOIR ? RESERVOIR : ALIAS;
    }

    /** The groups of the configuration reference (docs/configuration.md), in its order. */
    public static final String GROUP_PATHS = "Paths";
    public static final String GROUP_SCHEMA_REGISTRY = "Schema registry";
    public static final String GROUP_TOKENIZER = "Tokenizer";
    public static final String GROUP_EMBEDDING = "Embedding";
    public static final String GROUP_TEXT_INDEX = "Text index and search";
    public static final String GROUP_SONG2VEC = "song2vec";
    public static final String GROUP_RECOMMENDATIONS = "Recommendations";
    public static final String GROUP_OPERATIONS = "Metrics and health";
    public static final String GROUP_TOPICS = "Topics";
    public static final String GROUP_HTTP = "HTTP";

    /** {@code streamvec.paths}: a non-empty list of known paths, each named once at most. */
    private static final ConfigDef.Validator PATHS_VALIDATOR = new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                @SuppressWarnings("unchecked")
                List<String> names = (List<String>) value;
                Paths.parse(names);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "non-empty list of " + Paths.names();
        }
    };

    public static final ConfigDef DEFINITION = definition();

    private static ConfigDef definition() {
        ConfigDef def = new ConfigDef();
        int order = 0;
        def.define(PATHS, Type.LIST, String.join(",", Paths.names()), PATHS_VALIDATOR, Importance.MEDIUM,
                "The paths this instance runs: text (text-events to embeddings, tokens and the text index) and "
                        + "songs (playlist-events to song2vec). With one path only its subtopology, stores and "
                        + "topics exist and nothing of the other is loaded: songs alone loads no embedding model, "
                        + "and the text routes answer 503 saying the text path is off (what train runs).",
                GROUP_PATHS, ++order, Width.SHORT, PATHS);

        order = 0;
        def.define(SCHEMA_REGISTRY_URL, Type.STRING, "", Importance.HIGH,
                "URL of a Confluent-compatible schema registry; user info (https://user:password@host, "
                        + "percent-encoded) is sent as HTTP basic authentication and never logged. Empty: the "
                        + "embedded registry, whose schema ids derive from the schemas bundled with streamvec "
                        + "(no server).",
                GROUP_SCHEMA_REGISTRY, ++order, Width.LONG, SCHEMA_REGISTRY_URL);

        order = 0;
        def.define(TOKENIZER_PATH, Type.STRING, "", Importance.MEDIUM,
                "Path of a Hugging Face tokenizer.json (or a directory holding one). Empty: the bundled "
                        + "all-MiniLM-L6-v2 tokenizer.",
                GROUP_TOKENIZER, ++order, Width.LONG, TOKENIZER_PATH);
        def.define(TOKENIZER_MAX_LENGTH, Type.INT, TextTokenizer.DEFAULT_MAX_LENGTH, Range.between(2, 8192),
                Importance.MEDIUM,
                "Maximum tokens per text, special tokens included; longer texts are truncated and flagged "
                        + "truncated=true.",
                GROUP_TOKENIZER, ++order, Width.SHORT, TOKENIZER_MAX_LENGTH);

        order = 0;
        def.define(EMBEDDING_MODEL_PATH, Type.STRING, "", Importance.HIGH,
                "Directory of a Hugging Face BERT-family sentence-embedding model (config.json, "
                        + "model.safetensors, tokenizer.json). Empty: the bundled all-MiniLM-L6-v2.",
                GROUP_EMBEDDING, ++order, Width.LONG, EMBEDDING_MODEL_PATH);
        def.define(EMBEDDING_MAX_LENGTH, Type.INT, 256, Range.between(2, 8192), Importance.MEDIUM,
                "Maximum tokens per text for the embedding model (at most the model's position count); "
                        + "longer texts are truncated and flagged truncated=true.",
                GROUP_EMBEDDING, ++order, Width.SHORT, EMBEDDING_MAX_LENGTH);
        def.define(EMBEDDING_BATCH_SIZE, Type.INT, 32, Range.between(1, 4096), Importance.MEDIUM,
                "Texts per embedding micro-batch: a worker takes a batch as soon as this many texts wait (from "
                        + "any of the instance's tasks).",
                GROUP_EMBEDDING, ++order, Width.SHORT, EMBEDDING_BATCH_SIZE);
        def.define(EMBEDDING_LINGER_MS, Type.LONG, 100L, Range.between(1, 3_600_000), Importance.MEDIUM,
                "A partly filled micro-batch is embedded once its oldest text has waited this long (wall-clock "
                        + "ms).",
                GROUP_EMBEDDING, ++order, Width.SHORT, EMBEDDING_LINGER_MS);
        def.define(EMBEDDING_WORKERS, Type.INT, 0, Range.between(0, 256), Importance.LOW,
                "Threads that run the embedding model, shared by all stream threads. 0: one on a GPU; on a "
                        + "CPU one per available processor, up to 8.",
                GROUP_EMBEDDING, ++order, Width.SHORT, EMBEDDING_WORKERS);
        def.define(EMBEDDING_INTRA_OP_THREADS, Type.INT, 0, Range.between(0, 256), Importance.LOW,
                "PyTorch intra-op (OpenMP/MKL) threads per embedding worker on the CPU. 0: available "
                        + "processors / workers (several one-thread workers embed faster than one worker with "
                        + "as many threads).",
                GROUP_EMBEDDING, ++order, Width.SHORT, EMBEDDING_INTRA_OP_THREADS);
        def.define(EMBEDDING_DEVICE, Type.STRING, "auto", ConfigDef.ValidString.in("auto", "cpu", "gpu"),
                Importance.MEDIUM,
                "auto: the GPU when DJL's PyTorch engine sees CUDA, else the CPU (logged once); cpu; gpu (fails "
                        + "at start-up without CUDA).",
                GROUP_EMBEDDING, ++order, Width.SHORT, EMBEDDING_DEVICE);
        def.define(EMBEDDING_PRECISION, Type.STRING, "auto", ConfigDef.ValidString.in("auto", "fp32", "fp16"),
                Importance.LOW,
                "auto: fp16 weights on the GPU, fp32 on the CPU; fp32; fp16 (GPU only). bf16 is not offered: "
                        + "it aborts DJL 0.36's PyTorch engine.",
                GROUP_EMBEDDING, ++order, Width.SHORT, EMBEDDING_PRECISION);
        def.define(EMBEDDING_NATIVE_TUNING, Type.BOOLEAN, true, Importance.LOW,
                "Before the PyTorch engine's first use (once per JVM): glibc malloc keeps freed tensor memory "
                        + "(mallopt), and on AMD CPUs with AVX-512 oneMKL may use its AVX-512 kernels (the MKL "
                        + "dispatch shim; without it MKL picks AVX2 on any non-Intel CPU). Logged once. false "
                        + "leaves the process as it is.",
                GROUP_EMBEDDING, ++order, Width.SHORT, EMBEDDING_NATIVE_TUNING);
        def.define(EMBEDDING_POOLING, Type.STRING, "auto", ConfigDef.ValidString.in("auto", "mean", "cls", "max"),
                Importance.MEDIUM,
                "How the token states become the sentence vector: mean (attention-masked mean), cls (the "
                        + "[CLS] token) or max (masked maximum per dimension). auto: what the model declares "
                        + "(sentence-transformers' 1_Pooling/config.json in the model directory; mean for the "
                        + "bundled model), else mean. A value the model directory contradicts stops start-up.",
                GROUP_EMBEDDING, ++order, Width.SHORT, EMBEDDING_POOLING);
        def.define(EMBEDDING_NORMALIZE, Type.STRING, "auto", ConfigDef.ValidString.in("auto", "true", "false"),
                Importance.LOW,
                "L2-normalise the sentence vector. auto: as the model declares (a Normalize module in "
                        + "sentence-transformers' modules.json; true for the bundled model), else true. An explicit "
                        + "value wins: normalising changes a vector's length, not its direction.",
                GROUP_EMBEDDING, ++order, Width.SHORT, EMBEDDING_NORMALIZE);
        def.define(EMBEDDING_TOKEN_VECTORS_ENABLED, Type.BOOLEAN, false, Importance.MEDIUM,
                "Also write every text's token vectors (the encoder's last hidden state for each token, before "
                        + "pooling, with the model's token ids, pieces and spans) to text-token-embeddings, from "
                        + "the same forward pass as its sentence embedding and in the same transaction. About "
                        + "4 x dimension bytes per token (1.5 KB for all-MiniLM-L6-v2).",
                GROUP_EMBEDDING, ++order, Width.SHORT, EMBEDDING_TOKEN_VECTORS_ENABLED);

        order = 0;
        def.define(TEXT_INDEX_MAX_TEXTS, Type.INT, TextIndexSettings.DEFAULT_MAX_TEXTS, Range.between(1, 50_000_000),
                Importance.MEDIUM, "Texts each text-events task keeps in its text index (GET /texts/search); past it "
                        + "the oldest by event time are evicted (a tombstone in the index's changelog). The working "
                        + "copy holds each text's vector on the heap: about 4 x dimension bytes plus the text "
                        + "(dimension + 4 bytes with text.index.search=int8).",
                GROUP_TEXT_INDEX, ++order, Width.SHORT, TEXT_INDEX_MAX_TEXTS);
        def.define(TEXT_INDEX_RETENTION_MS, Type.LONG, TextIndexSettings.DEFAULT_RETENTION_MS, Range.atLeast(0),
                Importance.MEDIUM, "Texts older than this (event time, against the newest text the task has "
                        + "indexed) are evicted from the text index; 0 keeps texts whatever their age.",
                GROUP_TEXT_INDEX, ++order, Width.SHORT, TEXT_INDEX_RETENTION_MS);
        def.define(TEXT_INDEX_SEARCH, Type.STRING, TextIndexSettings.DEFAULT_SEARCH.configValue(),
                ConfigDef.ValidString.in(SearchMode.EXACT.configValue(), SearchMode.INT8.configValue()),
                Importance.MEDIUM, "How the text index's working copy holds and searches its vectors. exact: fp32 "
                        + "vectors on the heap (4 x dimension bytes a text), every text scored exactly with Vector "
                        + "API kernels, a batch of queries in one pass. int8: one byte a dimension and a scale a "
                        + "vector on the heap (dimension + 4 bytes a text), scanned for the best "
                        + TextVectorIndex.RERANK_CANDIDATES + " texts, which are re-scored exactly in fp32 from the "
                        + "index's state store; about 4x less heap and a faster scan for large indexes, results "
                        + "as exact's whenever the true top k are among the candidates (recall@10 1.0 measured "
                        + "in bench search). See docs/design/vector-search.md.",
                GROUP_TEXT_INDEX, ++order, Width.SHORT, TEXT_INDEX_SEARCH);
        def.define(TEXT_NEIGHBORS_ENABLED, Type.BOOLEAN, TextIndexSettings.DEFAULT_NEIGHBORS, Importance.MEDIUM,
                "Search each newly embedded text against its task's text index before adding it, and write the "
                        + "earlier texts that score at least text.neighbors.min.score to text-neighbors (Avro "
                        + "TextNeighbors, keyed by source id; a text with none writes nothing).",
                GROUP_TEXT_INDEX, ++order, Width.SHORT, TEXT_NEIGHBORS_ENABLED);
        def.define(TEXT_NEIGHBORS_MIN_SCORE, Type.DOUBLE, TextIndexSettings.DEFAULT_NEIGHBORS_MIN_SCORE,
                Range.between(-1.0, 1.0), Importance.MEDIUM,
                "The cosine similarity an earlier text must reach to count as a near duplicate (text-neighbors).",
                GROUP_TEXT_INDEX, ++order, Width.SHORT, TEXT_NEIGHBORS_MIN_SCORE);
        def.define(TEXT_NEIGHBORS_K, Type.INT, TextIndexSettings.DEFAULT_NEIGHBORS_K, Range.between(1, 1000),
                Importance.LOW, "The most near duplicates one text-neighbors record lists, best first.",
                GROUP_TEXT_INDEX, ++order, Width.SHORT, TEXT_NEIGHBORS_K);

        order = 0;
        def.define(SONG2VEC_MODE, Type.STRING, modeName(SgnsConfig.DEFAULT_MODE),
                ConfigDef.ValidString.in(CBOW, SKIPGRAM), Importance.MEDIUM,
                "word2vec architecture: cbow or skipgram. CBOW recommends the next song better after one "
                        + "streaming pass and costs about a sixth as much (docs/design/song2vec.md).",
                GROUP_SONG2VEC, ++order, Width.SHORT, SONG2VEC_MODE);
        def.define(SONG2VEC_DIM, Type.INT, SgnsConfig.DEFAULT_DIM, Range.between(1, 1024), Importance.MEDIUM,
                "Vector size.",
                GROUP_SONG2VEC, ++order, Width.SHORT, SONG2VEC_DIM);
        def.define(SONG2VEC_WINDOW, Type.INT, SgnsConfig.DEFAULT_WINDOW, Range.between(1, 100), Importance.MEDIUM,
                "Maximum distance between a song and its context in a playlist (gensim's reduced random "
                        + "window applies).",
                GROUP_SONG2VEC, ++order, Width.SHORT, SONG2VEC_WINDOW);
        def.define(SONG2VEC_NEGATIVE, Type.INT, SgnsConfig.DEFAULT_NEGATIVE, Range.between(0, 100),
                Importance.MEDIUM,
                "Negative samples per positive.",
                GROUP_SONG2VEC, ++order, Width.SHORT, SONG2VEC_NEGATIVE);
        def.define(SONG2VEC_ALPHA, Type.DOUBLE, SgnsConfig.DEFAULT_ALPHA, Range.between(1e-6, 1.0),
                Importance.MEDIUM,
                "Learning rate (constant unless song2vec.alpha.decay.songs > 0).",
                GROUP_SONG2VEC, ++order, Width.SHORT, SONG2VEC_ALPHA);
        def.define(SONG2VEC_MIN_ALPHA, Type.DOUBLE, SgnsConfig.DEFAULT_MIN_ALPHA, Range.between(0.0, 1.0),
                Importance.LOW,
                "Floor of a decaying learning rate.",
                GROUP_SONG2VEC, ++order, Width.SHORT, SONG2VEC_MIN_ALPHA);
        def.define(SONG2VEC_ALPHA_DECAY_SONGS, Type.DOUBLE, SgnsConfig.DEFAULT_ALPHA_DECAY_TOKENS,
                Range.atLeast(0.0), Importance.LOW,
                "alpha_t = max(min.alpha, alpha / (1 + t / decay)) after t songs; 0 keeps alpha constant, "
                        + "which suits a stream with no end.",
                GROUP_SONG2VEC, ++order, Width.SHORT, SONG2VEC_ALPHA_DECAY_SONGS);
        def.define(SONG2VEC_SAMPLE, Type.DOUBLE, SgnsConfig.DEFAULT_SAMPLE, Range.between(0.0, 1.0),
                Importance.LOW,
                "Downsampling threshold for frequent songs (gensim's sample); 0 disables.",
                GROUP_SONG2VEC, ++order, Width.SHORT, SONG2VEC_SAMPLE);
        def.define(SONG2VEC_MIN_COUNT, Type.INT, SgnsConfig.DEFAULT_MIN_COUNT, Range.atLeast(1), Importance.LOW,
                "A song trains (and is recommended) once it has been seen this often.",
                GROUP_SONG2VEC, ++order, Width.SHORT, SONG2VEC_MIN_COUNT);
        def.define(SONG2VEC_CAPACITY, Type.INT, SgnsConfig.DEFAULT_CAPACITY, Range.between(2, 1 << 26),
                Importance.MEDIUM,
                "Vocabulary capacity (songs with a vector); when full, a new song recycles the row of a "
                        + "least-frequent song.",
                GROUP_SONG2VEC, ++order, Width.SHORT, SONG2VEC_CAPACITY);
        def.define(SONG2VEC_SAMPLER, Type.STRING, samplerName(SgnsConfig.DEFAULT_SAMPLER),
                ConfigDef.ValidString.in(ALIAS, RESERVOIR), Importance.LOW,
                "Negative sampler over count^0.75: alias (a vocabulary-sized alias table rebuilt as counts "
                        + "grow) or reservoir (Kaji & Kobayashi's incremental unigram table).",
                GROUP_SONG2VEC, ++order, Width.SHORT, SONG2VEC_SAMPLER);
        def.define(SONG2VEC_SEED, Type.LONG, SgnsConfig.DEFAULT_SEED, Importance.LOW,
                "Seed of every random decision.",
                GROUP_SONG2VEC, ++order, Width.SHORT, SONG2VEC_SEED);
        def.define(SONG2VEC_THREADS, Type.INT, Song2vecSettings.DEFAULT_THREADS, Range.between(1, 64),
                Importance.MEDIUM,
                "Training threads per task. 1 trains on the stream thread, deterministically; more train "
                        + "Hogwild style (as gensim's workers do), each playlist on one thread, and wait for "
                        + "each other at every commit.",
                GROUP_SONG2VEC, ++order, Width.SHORT, SONG2VEC_THREADS);
        def.define(SONG2VEC_PLAYLIST_IDLE_MS, Type.LONG, Song2vecSettings.DEFAULT_PLAYLIST_IDLE_MS,
                Range.atLeast(1), Importance.LOW,
                "CBOW: a playlist's last songs train once it completes or after this long without events.",
                GROUP_SONG2VEC, ++order, Width.SHORT, SONG2VEC_PLAYLIST_IDLE_MS);
        def.define(SONG2VEC_MAX_SONGS_PER_EVENT, Type.INT, Song2vecSettings.DEFAULT_MAX_SONGS_PER_EVENT,
                Range.atLeast(1), Importance.LOW,
                "Larger playlist events are dead-lettered.",
                GROUP_SONG2VEC, ++order, Width.SHORT, SONG2VEC_MAX_SONGS_PER_EVENT);
        def.define(SONG2VEC_SYNC_MS, Type.LONG, Song2vecSettings.DEFAULT_SYNC_MS, Range.atLeast(0),
                Importance.MEDIUM,
                "When playlist-events has several partitions (one model replica per task), each replica "
                        + "publishes its changes to song2vec-model-deltas this often and applies the others'; "
                        + "0 turns the exchange off (independent replicas).",
                GROUP_SONG2VEC, ++order, Width.SHORT, SONG2VEC_SYNC_MS);
        def.define(SONG2VEC_INIT_VECTORS, Type.STRING, "", Importance.LOW,
                "A word2vec text or binary file (streamvec's export, or gensim's save_word2vec_format) that a new "
                        + "song model starts from: its vectors become the songs' input vectors, its order their "
                        + "counts (most played first, as gensim saves), and training continues from the stream. "
                        + "Read once, when the model has no state yet; a restarted model comes back from its "
                        + "changelog. Start-up is refused, with one line naming the file's line, when the file is "
                        + "malformed or its dimension is not song2vec.dim, and when the model already has state "
                        + "that did not start from this file. Empty: new songs start from small random vectors.",
                GROUP_SONG2VEC, ++order, Width.LONG, SONG2VEC_INIT_VECTORS);

        order = 0;
        def.define(RECOMMEND_ENABLED, Type.BOOLEAN, Song2vecSettings.DEFAULT_RECOMMENDATIONS_ENABLED,
                Importance.MEDIUM,
                "Emit recommendations to song-recommendations after each playlist event.",
                GROUP_RECOMMENDATIONS, ++order, Width.SHORT, RECOMMEND_ENABLED);
        def.define(RECOMMEND_K, Type.INT, Song2vecSettings.DEFAULT_RECOMMEND_K, Range.between(1, 1000),
                Importance.MEDIUM,
                "Songs per recommendation.",
                GROUP_RECOMMENDATIONS, ++order, Width.SHORT, RECOMMEND_K);
        def.define(RECOMMEND_SONGS_PER_EVENT, Type.INT, Song2vecSettings.DEFAULT_RECOMMEND_SONGS_PER_EVENT,
                Range.atLeast(0), Importance.LOW,
                "Similar-song recommendations per event, for its most recently added songs.",
                GROUP_RECOMMENDATIONS, ++order, Width.SHORT, RECOMMEND_SONGS_PER_EVENT);
        def.define(RECOMMEND_DEDUP_MS, Type.LONG, Song2vecSettings.DEFAULT_RECOMMEND_DEDUP_MS, Range.atLeast(0),
                Importance.LOW,
                "A song's similar songs are emitted at most once per this interval.",
                GROUP_RECOMMENDATIONS, ++order, Width.SHORT, RECOMMEND_DEDUP_MS);
        def.define(INDEX_REFRESH_MS, Type.LONG, Song2vecSettings.DEFAULT_INDEX_REFRESH_MS, Range.atLeast(1),
                Importance.LOW,
                "How often the nearest-neighbour snapshot that answers queries is refreshed.",
                GROUP_RECOMMENDATIONS, ++order, Width.SHORT, INDEX_REFRESH_MS);
        def.define(QUERY_BATCH_MAX, Type.INT, Song2vecSettings.DEFAULT_QUERY_BATCH, Range.between(1, 256),
                Importance.LOW,
                "At most this many concurrent nearest-neighbour queries (the song routes, recommendations) are "
                        + "answered by one scan of the snapshot: a query that arrives while the scan runs joins it at "
                        + "the next chunk and is answered after one round of the rows. The answers are the same; 1 "
                        + "scans every query alone.",
                GROUP_RECOMMENDATIONS, ++order, Width.SHORT, QUERY_BATCH_MAX);

        order = 0;
        def.define(METRICS_HOST, Type.STRING, "127.0.0.1", Importance.MEDIUM,
                "Address of the operations endpoints (/metrics, /health/live, /health/ready); loopback by "
                        + "default.",
                GROUP_OPERATIONS, ++order, Width.MEDIUM, METRICS_HOST);
        def.define(METRICS_PORT, Type.INT, 9464, Range.between(0, 65535), Importance.MEDIUM,
                "Port of the operations endpoints; 0 picks any free port (logged at start-up).",
                GROUP_OPERATIONS, ++order, Width.SHORT, METRICS_PORT);

        order = 0;
        def.define(TOPICS_CREATE, Type.BOOLEAN, true, Importance.LOW,
                "Create the catalog's topics (topology/topics.yaml) that do not exist at start-up.",
                GROUP_TOPICS, ++order, Width.SHORT, TOPICS_CREATE);
        def.define(TOPICS_REPLICATION_FACTOR, Type.SHORT, (short) -1, Importance.LOW,
                "Replication factor of topics streamvec creates; -1 takes the broker's default.",
                GROUP_TOPICS, ++order, Width.SHORT, TOPICS_REPLICATION_FACTOR);

        order = 0;
        def.define(HTTP_HOST, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                "Address the read-only HTTP endpoints bind to (loopback by default; 0.0.0.0 for every "
                        + "interface).",
                GROUP_HTTP, ++order, Width.MEDIUM, HTTP_HOST);
        def.define(HTTP_PORT, Type.INT, 8080, Range.between(0, 65535), Importance.MEDIUM,
                "Port of the read-only HTTP endpoints; 0 picks any free port (logged at start-up).",
                GROUP_HTTP, ++order, Width.SHORT, HTTP_PORT);
        return def;
    }

    /**
     * {@code host:port} of {@code application.server}: a host name, an IPv4 address or a bracketed IPv6
     * address, then a port; nothing else (no scheme, path or whitespace).
     */
    private static final Pattern HOST_PORT =
            Pattern.compile("(\\[[0-9A-Fa-f:.]+(?:%[0-9A-Za-z._\\-]+)?\\]|[0-9A-Za-z._\\-]+):([0-9]{1,5})");

    private final Map<String, Object> streamsOverrides;
    private final HostInfo applicationServer;

    public StreamvecConfig(Map<?, ?> properties) {
        super(DEFINITION, ownKeys(properties), false);
        Map<String, Object> others = new HashMap<>();
        properties.forEach((k, v) -> {
            if (!DEFINITION.names().contains(k.toString())) {
                others.put(k.toString(), v);
            }
        });
        this.streamsOverrides = others;
        Object server = others.get(StreamsConfig.APPLICATION_SERVER_CONFIG);
        this.applicationServer = server == null ? null : parseApplicationServer(server.toString());
        if (applicationServer != null && httpPort() == 0) {
            throw new ConfigException(HTTP_PORT + " is 0 (any free port) but " + StreamsConfig.APPLICATION_SERVER_CONFIG
                    + " is set: the other instances send playlist queries to " + StreamsConfig.APPLICATION_SERVER_CONFIG
                    + "'s port, so " + HTTP_PORT + " must be that fixed port");
        }
    }

    /**
     * {@code application.server} as Kafka Streams reads it, after checking that it is {@code host:port} with a
     * port from 1 to 65535 and a host the other instances can reach (not a wildcard address); null when it is
     * empty (a single instance: no routing). {@link ConfigException} otherwise, with a message that says what
     * the value must be.
     */
    public static HostInfo parseApplicationServer(String value) {
        if (value.isEmpty()) {
            return null;
        }
        String must = " must be HOST:PORT of this instance's HTTP endpoints (" + HTTP_PORT + "), as the other "
                + "instances reach it, e.g. streamvec-1:8080";
        Matcher m = HOST_PORT.matcher(value);
        if (!m.matches()) {
            throw new ConfigException(StreamsConfig.APPLICATION_SERVER_CONFIG, value, must
                    + " (no scheme, path or whitespace; an IPv6 address in brackets)");
        }
        int port = Integer.parseInt(m.group(2));
        if (port < 1 || port > 65535) {
            throw new ConfigException(StreamsConfig.APPLICATION_SERVER_CONFIG, value, must
                    + " (the port must be from 1 to 65535)");
        }
        String host = m.group(1);
        if (host.equals("0.0.0.0") || host.equals("[::]") || host.equals("[::0]")) {
            throw new ConfigException(StreamsConfig.APPLICATION_SERVER_CONFIG, value, must
                    + " (a wildcard address is where a server listens, not an address others can reach)");
        }
        return HostInfo.buildFromEndpoint(value); // exactly how Kafka Streams reads it, so the two compare equal
    }

    private static Map<String, Object> ownKeys(Map<?, ?> properties) {
        Map<String, Object> own = new HashMap<>();
        properties.forEach((k, v) -> {
            if (DEFINITION.names().contains(k.toString())) {
                own.put(k.toString(), v);
            }
        });
        return own;
    }

    /**
     * The settings of an application on a local broker (the embedded default, tests, benchmarks): its
     * bootstrap servers, application id and state directory, and any free ports for its endpoints so that
     * it never collides with another streamvec. Mutable, for further settings.
     */
    public static Map<String, Object> local(String bootstrapServers, String applicationId, Path stateDir) {
        Map<String, Object> properties = new HashMap<>();
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        properties.put(HTTP_PORT, 0);
        properties.put(METRICS_PORT, 0);
        return properties;
    }

    /** Reads a properties file (UTF-8). */
    public static StreamvecConfig load(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        return new StreamvecConfig(properties);
    }

    /** A Kafka Streams (or client) setting whose default streamvec changes, and why. */
    public record StreamsDefault(String key, Object value, String reason) {}

    /** streamvec's defaults for Kafka Streams and its clients, in the order the reference lists them. */
    public static final List<StreamsDefault> STREAMS_DEFAULTS = List.of(
            new StreamsDefault(StreamsConfig.APPLICATION_ID_CONFIG, "streamvec",
                    "Kafka Streams requires one; it names the consumer group, the internal topics and the state "
                            + "directory."),
            new StreamsDefault(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2,
                    "Every piece of state is written in the same transaction as the input offsets and the outputs "
                            + "it results from (docs/operations.md); at_least_once stays selectable."),
            new StreamsDefault(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.DLQ,
                    "Bad input goes to the dead-letter topic instead of stopping processing."),
            new StreamsDefault(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                    DeadLetterDeserializationHandler.class.getName(),
                    "Dead-letter an unreadable record and continue; fail on an unreachable schema registry."),
            new StreamsDefault(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                    DeadLetterProcessingHandler.class.getName(),
                    "Dead-letter a record whose processing failed and continue, counted by reason."),
            new StreamsDefault(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true,
                    "The processing exception handler also covers the global song-metadata store."),
            new StreamsDefault(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), 4 * 1024 * 1024,
                    "A dead-letter record is its source record plus the error headers: let it exceed the 1 MiB "
                            + "default."),
            new StreamsDefault(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 512 * 1024,
                    "A commit writes the song model's changed rows as ~17 KB blocks: with the 16 KB default each "
                            + "block is a batch of its own, and at 5 batches in flight a large commit waits on "
                            + "round trips."));

    /** streamvec's defaults for Kafka Streams; any of them can be overridden in the properties file. Mutable. */
    public static Map<String, Object> streamsDefaults() {
        Map<String, Object> defaults = new HashMap<>();
        STREAMS_DEFAULTS.forEach(d -> defaults.put(d.key(), d.value()));
        return defaults;
    }

    /** The properties for {@code KafkaStreams}: streamvec's defaults overridden by the file's other keys. */
    public Properties streamsProperties() {
        Properties properties = new Properties();
        properties.putAll(streamsDefaults());
        properties.putAll(streamsOverrides);
        return properties;
    }

    public String schemaRegistryUrl() {
        return getString(SCHEMA_REGISTRY_URL);
    }

    public String tokenizerPath() {
        return getString(TOKENIZER_PATH);
    }

    public int tokenizerMaxLength() {
        return getInt(TOKENIZER_MAX_LENGTH);
    }

    public String embeddingModelPath() {
        return getString(EMBEDDING_MODEL_PATH);
    }

    public int embeddingMaxLength() {
        return getInt(EMBEDDING_MAX_LENGTH);
    }

    public int embeddingBatchSize() {
        return getInt(EMBEDDING_BATCH_SIZE);
    }

    public Duration embeddingLinger() {
        return Duration.ofMillis(getLong(EMBEDDING_LINGER_MS));
    }

    public int embeddingWorkers() {
        return getInt(EMBEDDING_WORKERS);
    }

    public int embeddingIntraOpThreads() {
        return getInt(EMBEDDING_INTRA_OP_THREADS);
    }

    public String embeddingDevice() {
        return getString(EMBEDDING_DEVICE);
    }

    public String embeddingPrecision() {
        return getString(EMBEDDING_PRECISION);
    }

    public boolean embeddingNativeTuning() {
        return getBoolean(EMBEDDING_NATIVE_TUNING);
    }

    /** {@code auto}, {@code mean}, {@code cls} or {@code max}. */
    public String embeddingPooling() {
        return getString(EMBEDDING_POOLING);
    }

    /** {@code auto}, {@code true} or {@code false}. */
    public String embeddingNormalize() {
        return getString(EMBEDDING_NORMALIZE);
    }

    public boolean embeddingTokenVectors() {
        return getBoolean(EMBEDDING_TOKEN_VECTORS_ENABLED);
    }

    /** The text index's settings ({@code text.index.*}, {@code text.neighbors.*}). */
    public TextIndexSettings textIndex() {
        return new TextIndexSettings(getInt(TEXT_INDEX_MAX_TEXTS), getLong(TEXT_INDEX_RETENTION_MS),
                getBoolean(TEXT_NEIGHBORS_ENABLED), getDouble(TEXT_NEIGHBORS_MIN_SCORE).floatValue(),
                getInt(TEXT_NEIGHBORS_K), SearchMode.parse(getString(TEXT_INDEX_SEARCH)));
    }

    /** The song path's settings. */
    public Song2vecSettings song2vec() {
        SgnsConfig trainer = SgnsConfig.builder()
                .mode(getString(SONG2VEC_MODE).equals(SKIPGRAM) ? SgnsConfig.Mode.SKIP_GRAM : SgnsConfig.Mode.CBOW)
                .dim(getInt(SONG2VEC_DIM))
                .window(getInt(SONG2VEC_WINDOW))
                .negative(getInt(SONG2VEC_NEGATIVE))
                .alpha(getDouble(SONG2VEC_ALPHA).floatValue())
                .minAlpha(getDouble(SONG2VEC_MIN_ALPHA).floatValue())
                .alphaDecayTokens(getDouble(SONG2VEC_ALPHA_DECAY_SONGS))
                .sample(getDouble(SONG2VEC_SAMPLE))
                .minCount(getInt(SONG2VEC_MIN_COUNT))
                .capacity(getInt(SONG2VEC_CAPACITY))
                .sampler(getString(SONG2VEC_SAMPLER).equals(RESERVOIR) ? SgnsConfig.SamplerKind.RESERVOIR
                        : SgnsConfig.SamplerKind.ALIAS)
                .seed(getLong(SONG2VEC_SEED))
                .build();
        return new Song2vecSettings(trainer, getBoolean(RECOMMEND_ENABLED), getInt(RECOMMEND_K),
                getInt(RECOMMEND_SONGS_PER_EVENT), getLong(RECOMMEND_DEDUP_MS), getLong(INDEX_REFRESH_MS),
                getLong(SONG2VEC_PLAYLIST_IDLE_MS), getInt(SONG2VEC_MAX_SONGS_PER_EVENT),
                Song2vecSettings.MAX_SONG_ID_LENGTH, getInt(SONG2VEC_THREADS), getLong(SONG2VEC_SYNC_MS),
                getString(SONG2VEC_INIT_VECTORS).isBlank() ? null
                        : new InitialVectors(Path.of(getString(SONG2VEC_INIT_VECTORS).strip())),
                getInt(QUERY_BATCH_MAX));
    }

    public String metricsHost() {
        return getString(METRICS_HOST);
    }

    public int metricsPort() {
        return getInt(METRICS_PORT);
    }

    public boolean createTopics() {
        return getBoolean(TOPICS_CREATE);
    }

    public short topicsReplicationFactor() {
        return getShort(TOPICS_REPLICATION_FACTOR);
    }

    public String httpHost() {
        return getString(HTTP_HOST);
    }

    /** The paths this instance runs ({@code streamvec.paths}). */
    public Paths paths() {
        return Paths.parse(getList(PATHS));
    }

    public int httpPort() {
        return getInt(HTTP_PORT);
    }

    /**
     * This instance's {@code application.server} (the HTTP address the other instances reach it at), or empty
     * when it is not set: a single instance, which answers every query from its own state.
     */
    public Optional<HostInfo> applicationServer() {
        return Optional.ofNullable(applicationServer);
    }
}
