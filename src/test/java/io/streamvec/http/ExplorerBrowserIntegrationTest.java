package io.streamvec.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamvec.StreamvecApp;
import io.streamvec.StreamvecConfig;
import io.streamvec.avro.PlaylistEvent;
import io.streamvec.avro.Song;
import io.streamvec.kafka.KafkaBroker;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.AvroSerde;
import io.streamvec.song2vec.data.SyntheticPlaylists;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import java.util.logging.Level;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The explorer page in a real browser (Debian's chromium, headless, through its chromedriver) against a running
 * streamvec on the in-process broker, with synthetic playlists of planted genres, sample texts, and a song and a
 * text whose title and body are HTML: the map has points, a title search finds a planted song and shows its similar
 * songs (of its genre), a scratch playlist gets a continuation, a text search lists the planted text, the live
 * counters move, the hostile title and text show as text (no script runs, no element is made from them), and the
 * console has no errors. Saves a screenshot as {@code target/explorer.png}. Skipped, with a message, without
 * chromium and chromium-driver.
 */
class ExplorerBrowserIntegrationTest {

    static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Paths.get("/usr/bin/chromedriver");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int GENRES = 6;
    private static final int PER_GENRE = 40;
    private static final String HOSTILE_TITLE = "<script>window.__xss='title'</script><img src=x onerror=\"window.__xss='img'\">";
    private static final String HOSTILE_TEXT = "<script>window.__xss='text'</script><b>bold</b> streaming text";
    private static final String PLANTED_TEXT = "Kafka Streams turns live event streams into state.";

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void theExplorerShowsWhatStreamvecLearns(@TempDir Path stateDir) throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "SKIPPED LOUDLY: the explorer's browser test needs Debian's chromium and chromium-driver ("
                        + CHROMIUM + ", " + CHROMEDRIVER + "): apt-get install chromium chromium-driver (.ci/run does)");
        Map<String, Object> properties = StreamvecConfig.local(KAFKA.bootstrapServers(), "streamvec-explorer-it", stateDir);
        properties.put(StreamvecConfig.INDEX_REFRESH_MS, 50L);
        properties.put(StreamvecConfig.SONG2VEC_DIM, 16);
        properties.put(StreamvecConfig.SONG2VEC_ALPHA, 0.025);
        properties.put(StreamvecConfig.SONG2VEC_SAMPLE, 0.0);
        properties.put(StreamvecConfig.RECOMMEND_ENABLED, false);
        try (StreamvecApp app = new StreamvecApp(new StreamvecConfig(properties)).start()) {
            app.awaitRunning(Duration.ofSeconds(60));
            URI base = app.httpUri();
            produceSongs(app);
            produceTexts(Map.of("kafka", PLANTED_TEXT, "greeting", "Hello world", "evil-text", HOSTILE_TEXT));
            awaitJson(base.resolve("/songs/map?limit=5000"), body -> body.get("points").size() == GENRES * PER_GENRE + 1);
            awaitJson(base.resolve("/texts/recent?k=100"), body -> body.get("texts").size() >= 3);

            WebDriver driver = chromium();
            try {
                browse(driver, base);
            } finally {
                driver.quit();
            }
            // The map keeps the planted genres apart: most songs' nearest songs on the plane share their genre.
            JsonNode map = awaitJson(base.resolve("/songs/map?limit=5000"), body -> true);
            double kept = sameGenreNeighbours(map.get("points"), 5);
            System.out.printf("explorer: on the map, %.3f of the 5 nearest songs of a planted song share its genre%n", kept);
            assertTrue(kept >= 0.9, "the map mixes the planted genres: " + kept);
        }
    }

    /** Of each planted song's k nearest songs on the map (Euclidean in 2-D), the share of its own genre. */
    static double sameGenreNeighbours(JsonNode points, int k) {
        List<double[]> xy = new ArrayList<>();
        List<String> genres = new ArrayList<>();
        for (JsonNode p : points) {
            if (!p.get("id").asText().equals("evil")) {
                xy.add(new double[] {p.get("x").asDouble(), p.get("y").asDouble()});
                genres.add(SyntheticPlaylists.genreOf(p.get("id").asText()));
            }
        }
        long same = 0;
        for (int i = 0; i < xy.size(); i++) {
            final int from = i;
            List<Integer> order = new ArrayList<>();
            for (int j = 0; j < xy.size(); j++) {
                if (j != i) {
                    order.add(j);
                }
            }
            order.sort(java.util.Comparator.comparingDouble(j -> Math.hypot(xy.get(j)[0] - xy.get(from)[0],
                    xy.get(j)[1] - xy.get(from)[1])));
            for (int j : order.subList(0, k)) {
                same += genres.get(j).equals(genres.get(i)) ? 1 : 0;
            }
        }
        return (double) same / (xy.size() * (long) k);
    }

    private void browse(WebDriver driver, URI base) throws Exception {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        JavascriptExecutor js = (JavascriptExecutor) driver;
        driver.get(base.toString());

        // The map: every trained song drawn, a legend of clusters.
        wait.until(d -> Integer.parseInt(attr(d.findElement(By.id("map")), "data-points", "0")) == GENRES * PER_GENRE + 1);
        assertFalse(driver.findElements(By.cssSelector("#legend li")).isEmpty(), "the map has a legend");
        Object loadMs = js.executeScript("const t = performance.getEntriesByType('navigation')[0];"
                + " return t ? Math.round(t.loadEventEnd - t.startTime) : null;");
        driver.navigate().refresh(); // again, the browser started
        wait.until(d -> Integer.parseInt(attr(d.findElement(By.id("map")), "data-points", "0")) == GENRES * PER_GENRE + 1);
        Object reloadMs = js.executeScript("const t = performance.getEntriesByType('navigation')[0];"
                + " return t ? Math.round(t.loadEventEnd - t.startTime) : null;");
        System.out.println("explorer: page loaded in " + loadMs + " ms (a fresh browser), " + reloadMs
                + " ms (reloaded) on loopback");

        // A title search finds a planted song; its similar songs are mostly of its genre, with scores.
        String planted = SyntheticPlaylists.songId(1, 3); // "metal-3", title "Metal Tune #3"
        search(driver, "song-query", "Metal Tune 3");
        WebElement found = wait.until(d -> d.findElement(By.cssSelector("#song-results li[data-song-id='" + planted + "']")));
        assertTrue(found.getText().contains("Metal Tune #3"), found.getText());
        found.findElement(By.xpath(".//button[text()='similar']")).click();
        wait.until(d -> d.findElements(By.cssSelector("#similar li[data-song-id]")).size() == 10);
        int sameGenre = 0;
        for (WebElement item : driver.findElements(By.cssSelector("#similar li[data-song-id]"))) {
            sameGenre += SyntheticPlaylists.genreOf(item.getAttribute("data-song-id")).equals("metal") ? 1 : 0;
            assertTrue(item.findElement(By.className("score")).getText().matches("-?[01]\\.\\d{3}"), item.getText());
        }
        assertTrue(sameGenre >= 8, "songs similar to " + planted + " of its genre: " + sameGenre + " of 10");

        // A scratch playlist of two folk songs gets a continuation of folk songs.
        search(driver, "song-query", "Folk Tune 1");
        addToPlaylist(wait, SyntheticPlaylists.songId(2, 1));
        search(driver, "song-query", "Folk Tune 2");
        addToPlaylist(wait, SyntheticPlaylists.songId(2, 2));
        wait.until(d -> d.findElements(By.cssSelector("#playlist li[data-song-id]")).size() == 2);
        wait.until(d -> d.findElements(By.cssSelector("#continuation li[data-song-id]")).size() == 10);
        long folk = driver.findElements(By.cssSelector("#continuation li[data-song-id]")).stream()
                .filter(item -> SyntheticPlaylists.genreOf(item.getAttribute("data-song-id")).equals("folk")).count();
        assertTrue(folk >= 8, "continuation of a folk playlist: " + folk + " folk songs of 10");

        // A text search lists the planted text first.
        search(driver, "text-query", "stream processing keeps state from live events");
        WebElement hit = wait.until(d -> d.findElement(By.cssSelector("#text-results li[data-text-id]")));
        assertEquals("kafka", hit.getAttribute("data-text-id"));
        assertEquals(PLANTED_TEXT, hit.findElement(By.className("text")).getText());

        // The live counters move as texts arrive.
        wait.until(d -> !d.findElement(By.id("live-text-events")).getText().equals("–"));
        long before = Long.parseLong(driver.findElement(By.id("live-text-events")).getText());
        produceTexts(Map.of("more-1", "one more text", "more-2", "and another one"));
        wait.until(d -> Long.parseLong(d.findElement(By.id("live-text-events")).getText()) >= before + 2);
        assertFalse(driver.findElement(By.id("live-vocabulary")).getText().equals("0"));

        // The hostile title and text show as text: nothing of them runs or becomes an element.
        search(driver, "song-query", "script");
        WebElement evil = wait.until(d -> d.findElement(By.cssSelector("#song-results li[data-song-id='evil']")));
        assertTrue(evil.findElement(By.className("song")).getText().startsWith(HOSTILE_TITLE), evil.getText());
        WebElement evilText = wait.until(d -> d.findElement(By.cssSelector("#recent-texts li[data-text-id='evil-text']")));
        assertEquals(HOSTILE_TEXT, evilText.findElement(By.className("text")).getText());
        search(driver, "text-query", "bold streaming text");
        wait.until(d -> d.findElement(By.cssSelector("#text-results li[data-text-id='evil-text']")));
        assertTrue(driver.findElements(By.cssSelector("main img, main b, main li script")).isEmpty(),
                "an element made from data");
        assertNull(js.executeScript("return window.__xss === undefined ? null : window.__xss;"), "a script ran");

        // Keyboard: the search field is reachable with Tab, the map takes arrows and Enter.
        WebElement map = driver.findElement(By.id("map"));
        map.sendKeys(Keys.ARROW_RIGHT);
        wait.until(d -> !d.findElement(By.id("map-hover")).getText().isEmpty());
        map.sendKeys(Keys.ENTER);
        wait.until(d -> !d.findElement(By.id("selected")).getText().equals("(select a song)"));

        Path screenshot = Paths.get("target", "explorer.png");
        Files.createDirectories(screenshot.getParent());
        search(driver, "song-query", "Metal Tune 3");
        wait.until(d -> d.findElement(By.cssSelector("#song-results li[data-song-id='" + planted + "']")));
        driver.findElement(By.cssSelector("#song-results li[data-song-id='" + planted + "']"))
                .findElement(By.xpath(".//button[text()='similar']")).click();
        wait.until(d -> d.findElements(By.cssSelector("#similar li[data-song-id]")).size() == 10);
        js.executeScript("window.scrollTo(0, 0); document.activeElement.blur();");
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), screenshot, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("explorer: screenshot at " + screenshot.toAbsolutePath());

        // No errors in the console (script errors, failed requests, CSP violations) all along.
        List<String> errors = new ArrayList<>();
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()
                    || entry.getMessage().contains("Content Security Policy")) {
                errors.add(entry.getLevel() + " " + entry.getMessage());
            }
        }
        assertEquals(List.of(), errors, "browser console errors");
    }

    private static String attr(WebElement element, String name, String absent) {
        String value = element.getAttribute(name);
        return value == null ? absent : value;
    }

    private static void search(WebDriver driver, String input, String text) {
        WebElement field = driver.findElement(By.id(input));
        field.clear();
        field.sendKeys(text, Keys.ENTER);
    }

    private static void addToPlaylist(WebDriverWait wait, String songId) {
        wait.until(d -> d.findElement(By.cssSelector("#song-results li[data-song-id='" + songId + "']")))
                .findElement(By.xpath(".//button[text()='add']")).click();
    }

    /** Headless chromium through the Debian chromedriver: nothing is downloaded (no Selenium Manager). */
    private static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1050",
                "--disable-gpu", "--no-first-run", "--disable-extensions", "--disable-background-networking");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private void produceSongs(StreamvecApp app) {
        SyntheticPlaylists synthetic = new SyntheticPlaylists(GENRES, PER_GENRE, 7);
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        try (KafkaProducer<String, Song> songs = new KafkaProducer<>(config, new StringSerializer(),
                new AvroSerde<>(Song.class, app.registry()).serializer());
             KafkaProducer<String, PlaylistEvent> playlists = new KafkaProducer<>(config, new StringSerializer(),
                     new AvroSerde<>(PlaylistEvent.class, app.registry()).serializer())) {
            for (Song song : synthetic.songs()) {
                songs.send(new ProducerRecord<>(Topics.SONGS, song.getId(), song));
            }
            songs.send(new ProducerRecord<>(Topics.SONGS, "evil", Song.newBuilder().setId("evil")
                    .setTitle(HOSTILE_TITLE).setArtist("<b>The Band</b>").build()));
            songs.flush();
            for (int p = 0; p < 1500; p++) {
                List<String> drawn = new ArrayList<>(synthetic.next(8, 30));
                if (p % 50 == 0) {
                    drawn.add("evil");
                }
                playlists.send(new ProducerRecord<>(Topics.PLAYLIST_EVENTS, "p" + p, PlaylistEvent.newBuilder()
                        .setPlaylistId("p" + p).setSongIds(drawn).setTimestampMs(p).setPlaylistComplete(true).build()));
            }
            playlists.flush();
        }
    }

    private static void produceTexts(Map<String, String> texts) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            texts.forEach((id, text) -> producer.send(
                    new ProducerRecord<>(Topics.TEXT_EVENTS, id, text.getBytes(StandardCharsets.UTF_8))));
            producer.flush();
        }
    }

    private JsonNode awaitJson(URI uri, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString());
            last = answer.statusCode() + " " + answer.body();
            if (answer.statusCode() == 200) {
                JsonNode body = JSON.readTree(answer.body());
                if (done.test(body)) {
                    return body;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no answer as awaited from " + uri + "; the last: "
                + last.substring(0, Math.min(500, last.length())));
    }
}
