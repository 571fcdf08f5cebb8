package io.streamvec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.ConfigurationReference;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocsCommandTest {

    @Test
    void printsTheConfigurationReference() {
        CliRun run = CliRun.of("docs");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(ConfigurationReference.markdown(), run.out());
    }

    @Test
    void outWritesTheCommittedFile(@TempDir Path dir) throws Exception {
        CliRun run = CliRun.of("docs", "--out", dir.toString());
        assertEquals(0, run.exitCode(), run.err());
        Path written = dir.resolve("configuration.md");
        assertTrue(run.out().contains(written.toString()), run.out());
        assertEquals(Files.readString(Path.of("docs/configuration.md")), Files.readString(written),
                "docs/configuration.md is stale: run `" + ConfigurationReference.COMMAND + "`");
    }

    @Test
    void theReferenceHasATablePerGroupAndTheKafkaStreamsDefaults() {
        String reference = ConfigurationReference.markdown();
        for (String group : new String[] {"Schema registry", "Tokenizer", "Embedding", "song2vec", "Recommendations",
                "Metrics and health", "Topics", "HTTP", "Kafka Streams defaults streamvec changes"}) {
            assertTrue(reference.contains("\n## " + group + "\n"), group);
        }
        assertTrue(reference.contains("| `song2vec.min.alpha` | double | `0.0001` | `[0.0,...,1.0]` | low |"), reference);
        assertTrue(reference.contains("| `processing.guarantee` | `exactly_once_v2` | `at_least_once` |"), reference);
        assertTrue(reference.contains("every other key goes to Kafka Streams and its clients unchanged"), reference);
    }
}
