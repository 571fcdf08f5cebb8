package io.streamvec.cli;

import io.streamvec.StreamvecApp;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.avro.Song;
import io.streamvec.avro.TextEvent;
import io.streamvec.avro.TokenizedText;
import io.streamvec.kafka.EmbeddedKafka;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.song2vec.model.SongModelView;
import io.streamvec.song2vec.data.SyntheticPlaylists;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The embedded default: an in-process KRaft broker, the topology, a sample of text events in (half as
 * plain UTF-8, half as Avro TextEvents), and what comes out printed.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start an in-process Kafka broker and streamvec, stream sample events, print the results.")
final class DemoCommand implements Callable<Integer> {

    static final Map<String, String> SAMPLE_TEXTS = sampleTexts();

    @Option(names = "--exit-when-done", description = "Stop once the sample is processed (exit code 0).")
    boolean exitWhenDone;

    @Option(names = "--timeout", defaultValue = "PT2M", paramLabel = "DURATION",
            description = "How long to wait for the sample's results (ISO-8601, default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--http-port", defaultValue = "0", paramLabel = "PORT",
            description = "Port of the HTTP endpoints on 127.0.0.1 (default 0: any free port, printed).")
    int httpPort;

    @Option(names = "--playlists", paramLabel = "FILE",
            description = "Stream the playlists of this yes_complete file (e.g. train.txt) instead of synthetic ones; "
                    + "needs --songs.")
    Path playlistFile;

    @Option(names = "--songs", paramLabel = "FILE",
            description = "The titles and artists of --playlists' songs (a yes_complete song_hash.txt).")
    Path songFile;

    @Spec
    CommandSpec spec;

    private static Map<String, String> sampleTexts() {
        Map<String, String> texts = new LinkedHashMap<>();
        texts.put("greeting", "Hello world");
        texts.put("kafka", "Kafka Streams turns live event streams into state.");
        texts.put("book", "Songs are words and playlists are sentences.");
        texts.put("french", "Les modèles de langue transforment le texte en vecteurs.");
        texts.put("emoji", "Streaming vectors 🚀 in real time!");
        texts.put("code", "for (int i = 0; i < n; i++) { sum += x[i]; }");
        return texts;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if ((playlistFile == null) != (songFile == null)) {
            spec.commandLine().getErr().println("--playlists and --songs go together: give both files or neither");
            return 2;
        }
        RealData real = null;
        if (playlistFile != null) {
            try {
                real = new RealData(io.streamvec.song2vec.data.PlaylistFile.readPlaylists(playlistFile),
                        io.streamvec.song2vec.data.PlaylistFile.readSongs(songFile));
            } catch (IOException e) {
                spec.commandLine().getErr().println("cannot read the demo's playlists: " + e.getMessage());
                return 2;
            }
        }
        Path stateDir = Files.createTempDirectory("streamvec-demo-state");
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown, "streamvec-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Map<String, Object> properties = StreamvecConfig.local(kafka.bootstrapServers(), "streamvec-demo", stateDir);
            properties.put(StreamvecConfig.HTTP_PORT, httpPort);
            if (real == null) {
                // The synthetic catalogue is tiny (240 songs): learn it in seconds with gensim's learning rate
                // rather than the streaming default tuned on 75k songs.
                properties.put(StreamvecConfig.SONG2VEC_ALPHA, 0.025);
            }
            try (StreamvecApp app = new StreamvecApp(new StreamvecConfig(properties)).start()) {
                app.awaitRunning(timeout);
                out.printf("streamvec is running on the embedded broker at %s%n", kafka.bootstrapServers());
                out.printf("explorer (open in a browser) at %s%n", app.httpUri());
                out.printf("HTTP endpoints at %s (songs/{id}/similar, playlists/{id}/next, ...)%n", app.httpUri());
                out.printf("metrics and health at %s (metrics, health/live, health/ready)%n", app.operationsUri());
                produceSample(kafka.bootstrapServers(), new AvroSerde<>(TextEvent.class, app.registry()));
                boolean complete = printTokens(kafka.bootstrapServers(),
                        new AvroSerde<>(TokenizedText.class, app.registry()), out);
                out.flush();
                if (!complete) {
                    spec.commandLine().getErr().println("timed out waiting for the sample's tokens");
                    return 1;
                }
                if (!(real == null ? demoSongs(kafka.bootstrapServers(), app, out)
                        : demoRealSongs(kafka.bootstrapServers(), app, real, out))) {
                    spec.commandLine().getErr().println("timed out waiting for the synthetic playlists to train");
                    return 1;
                }
                if (!demoSearch(app, out)) {
                    spec.commandLine().getErr().println("timed out waiting for the sample texts to be searchable");
                    return 1;
                }
                if (exitWhenDone) {
                    return 0;
                }
                out.printf("%nserving; the explorer is at %s; press Ctrl-C to stop%n", app.httpUri());
                out.flush();
                stop.await();
                return 0;
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already stopping: the hook has run
            }
            deleteRecursively(stateDir);
        }
    }

    static final int DEMO_GENRES = 6;
    static final int DEMO_PLAYLISTS = 3000;

    /**
     * Streams synthetic playlists with planted genres through the song path, then prints the songs most
     * similar to one song of each of three genres, with titles: they should share its genre.
     */
    private boolean demoSongs(String bootstrap, StreamvecApp app, PrintWriter out) throws InterruptedException {
        SyntheticPlaylists synthetic = new SyntheticPlaylists(DEMO_GENRES, 40, 7);
        List<Song> songs = synthetic.songs();
        Map<String, Song> byId = new HashMap<>();
        songs.forEach(song -> byId.put(song.getId(), song));
        List<List<String>> playlists = new java.util.ArrayList<>();
        for (int p = 0; p < DEMO_PLAYLISTS; p++) {
            playlists.add(synthetic.next(8, 30));
        }
        List<PlaylistEvent> events = SongTraining.events(playlists, false, 1);
        long started = System.nanoTime();
        SongTraining.produceSongs(bootstrap, new AvroSerde<>(Song.class, app.registry()), songs);
        SongTraining.produceEvents(bootstrap, new AvroSerde<>(PlaylistEvent.class, app.registry()), events);
        if (!SongTraining.awaitEvents(app, events.size(), timeout, trained -> { })) {
            return false;
        }
        Thread.sleep(1_200); // let the nearest-neighbour snapshot refresh after the last event
        out.printf("%nsong2vec: %d synthetic playlists (%d genres of 40 songs) trained in %.1f s%n", DEMO_PLAYLISTS,
                DEMO_GENRES, (System.nanoTime() - started) / 1e9);
        SongModelView model = SongTraining.model(app, timeout);
        for (int genre = 0; genre < 3; genre++) {
            Song query = byId.get(SyntheticPlaylists.songId(genre, 0));
            out.printf("%nsongs like %s (%s, %s):%n", query.getTitle(), query.getId(), query.getArtist());
            for (SongModelView.Neighbor neighbor : model.similar(query.getId(), 5).orElse(List.of())) {
                Song song = byId.get(neighbor.songId());
                out.printf("  %6.3f  %-10s %s - %s%n", neighbor.score(), neighbor.songId(),
                        song == null ? "?" : song.getTitle(), song == null ? "?" : song.getArtist());
            }
        }
        out.flush();
        return true;
    }

    /** The playlists and songs of a yes_complete data set. */
    record RealData(List<List<String>> playlists, List<Song> songs) {}

    /**
     * Streams the playlists of a yes_complete file (one event per playlist, in file order) with its song metadata,
     * waits until they are trained, and prints the songs most similar to the most trained song.
     */
    private boolean demoRealSongs(String bootstrap, StreamvecApp app, RealData real, PrintWriter out)
            throws InterruptedException {
        List<PlaylistEvent> events = SongTraining.events(real.playlists(), false, 1);
        long started = System.nanoTime();
        SongTraining.produceSongs(bootstrap, new AvroSerde<>(Song.class, app.registry()), real.songs());
        SongTraining.produceEvents(bootstrap, new AvroSerde<>(PlaylistEvent.class, app.registry()), events);
        if (!SongTraining.awaitEvents(app, events.size(), timeout, trained -> { })) {
            return false;
        }
        Thread.sleep(1_200); // let the nearest-neighbour snapshot refresh after the last event
        out.printf("%nsong2vec: %d playlists of %s (%d songs listed in %s) trained in %.1f s%n", events.size(),
                playlistFile, real.songs().size(), songFile, (System.nanoTime() - started) / 1e9);
        Map<String, Song> byId = new HashMap<>();
        real.songs().forEach(song -> byId.put(song.getId(), song));
        SongModelView model = SongTraining.model(app, timeout);
        for (SongModelView.SongCount top : model.top(1)) {
            Song query = byId.get(top.songId());
            out.printf("%nsongs like %s (%s):%n", query == null ? top.songId() : query.getTitle() + " - "
                    + query.getArtist(), top.songId());
            for (SongModelView.Neighbor neighbor : model.similar(top.songId(), 5).orElse(List.of())) {
                Song song = byId.get(neighbor.songId());
                out.printf("  %6.3f  %-10s %s - %s%n", neighbor.score(), neighbor.songId(),
                        song == null ? "?" : song.getTitle(), song == null ? "?" : song.getArtist());
            }
        }
        out.flush();
        return true;
    }

    /** A paraphrase of one sample text: the text search should put that text first. */
    static final String PARAPHRASE = "stream processing keeps state from live events";

    /**
     * Searches the sample texts with a paraphrase over HTTP ({@code GET /texts/search}), once every sample text is
     * indexed, and prints the hits with their scores.
     */
    private boolean demoSearch(StreamvecApp app, PrintWriter out) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.URI uri = app.httpUri().resolve("/texts/search?k=3&q="
                + java.net.URLEncoder.encode(PARAPHRASE, StandardCharsets.UTF_8));
        java.net.URI all = app.httpUri().resolve("/texts/search?k=1000&q="
                + java.net.URLEncoder.encode(PARAPHRASE, StandardCharsets.UTF_8));
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            java.net.http.HttpResponse<String> every = client.send(java.net.http.HttpRequest.newBuilder(all).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (every.statusCode() == 200) {
                com.fasterxml.jackson.databind.JsonNode body = json.readTree(every.body());
                if (!body.get("partial").asBoolean() && body.get("results").size() >= SAMPLE_TEXTS.size()) {
                    break;
                }
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        com.fasterxml.jackson.databind.JsonNode hits = json.readTree(client.send(
                java.net.http.HttpRequest.newBuilder(uri).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body());
        out.printf("%ntexts like \"%s\" (GET %s):%n", PARAPHRASE, uri.getRawPath() + "?" + uri.getRawQuery());
        for (com.fasterxml.jackson.databind.JsonNode hit : hits.get("results")) {
            out.printf("  %6.3f  %-9s %s%n", hit.get("score").asDouble(), hit.get("id").asText(),
                    hit.get("text").asText());
        }
        out.flush();
        return true;
    }

    private static void produceSample(String bootstrap, AvroSerde<TextEvent> avro) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            int i = 0;
            for (Map.Entry<String, String> sample : SAMPLE_TEXTS.entrySet()) {
                byte[] value = i++ % 2 == 0
                        ? sample.getValue().getBytes(StandardCharsets.UTF_8)
                        : avro.serialize(Topics.TEXT_EVENTS, TextEvent.newBuilder().setId(sample.getKey())
                                .setText(sample.getValue()).setTimestampMs(System.currentTimeMillis()).build());
                producer.send(new ProducerRecord<>(Topics.TEXT_EVENTS, sample.getKey(), value));
            }
            producer.flush();
        }
    }

    private boolean printTokens(String bootstrap, AvroSerde<TokenizedText> avro, PrintWriter out) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "streamvec-demo-reader");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, TokenizedText> seen = new LinkedHashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, TokenizedText> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), avro.deserializer())) {
            consumer.subscribe(List.of(Topics.TEXT_TOKENS));
            while (seen.size() < SAMPLE_TEXTS.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, TokenizedText> record : consumer.poll(Duration.ofMillis(200))) {
                    if (SAMPLE_TEXTS.containsKey(record.key()) && seen.putIfAbsent(record.key(), record.value()) == null) {
                        TokenizedText tokens = record.value();
                        out.printf("%n%s: \"%s\" -> %d tokens%s%n", record.key(), SAMPLE_TEXTS.get(record.key()),
                                tokens.getTokens().size(), tokens.getTruncated() ? " (truncated)" : "");
                        for (int i = 0; i < tokens.getTokens().size(); i++) {
                            out.printf("%8d  %s%n", tokens.getTokenIds().get(i), tokens.getTokens().get(i));
                        }
                        out.flush();
                    }
                }
            }
        }
        return seen.size() == SAMPLE_TEXTS.size();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
