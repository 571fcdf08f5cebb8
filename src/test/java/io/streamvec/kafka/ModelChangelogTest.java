package io.streamvec.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.song2vec.stream.InitialVectors;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The start-up decision of song2vec.init.vectors from what the model's changelog holds. */
class ModelChangelogTest {

    private static final InitialVectors INIT = new InitialVectors(Path.of("vectors.txt"));
    private static final String TOPIC = ModelChangelog.topic("app");

    @Test
    void aNewModelReadsTheFileAndOneThatStartedFromItDoesNot() {
        AtomicInteger loads = new AtomicInteger();
        ModelChangelog.checkWarmStart(INIT, new ModelChangelog.State(TOPIC, 0, Map.of()), loads::incrementAndGet);
        assertEquals(1, loads.get(), "no changelog yet");
        ModelChangelog.checkWarmStart(INIT, new ModelChangelog.State(TOPIC, 2, Map.of(0, Optional.of(INIT.name()))),
                loads::incrementAndGet);
        assertEquals(2, loads.get(), "partition 1 has no state yet: its task starts from the file");
        String decision = ModelChangelog.checkWarmStart(INIT, new ModelChangelog.State(TOPIC, 2,
                Map.of(0, Optional.of(INIT.name()), 1, Optional.of(INIT.name()))), loads::incrementAndGet);
        assertEquals(2, loads.get(), "every partition started from it: not read again");
        assertTrue(decision.contains("not read again"), decision);
        assertEquals("app-song2vec-model-changelog", TOPIC);
    }

    @Test
    void aFileOnAModelWithOtherStateIsRefusedInOneLine() {
        for (Optional<String> from : java.util.List.of(Optional.<String>empty(), Optional.of("/elsewhere/other.txt"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ModelChangelog.checkWarmStart(
                    INIT, new ModelChangelog.State(TOPIC, 1, Map.of(0, from)), () -> { }));
            assertTrue(e.getMessage().startsWith("song2vec.init.vectors=vectors.txt but the song model already has "
                    + "state (app-song2vec-model-changelog partition 0)"), e.getMessage());
            assertTrue(e.getMessage().contains(from.isEmpty() ? "did not start from a file" : "started from /elsewhere"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
    }
}
