package io.streamvec.bench.cli;

import io.streamvec.cli.CliRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BenchEmbedCommandTest {


    private static CliRun run(String... args) {
        return CliRun.of(BenchMain.commandLine(), args);
    }

    @Test
    void aSmallBareRunPrintsOneRowPerBatchSizeWithTheRatio() {
        CliRun run = run("embed", "--sentences", "40", "--passes", "1", "--batch-sizes", "1,16", "--skip-e2e");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("40 generated sentences"), run.out());
        for (int batch : new int[] {1, 16}) {
            Pattern row = Pattern.compile("(?m)^\\s+" + batch + " \\|\\s+[0-9.]+ \\|\\s+[0-9.]+ \\|\\s+[0-9.]+x \\| [0-9.]+$");
            assertTrue(row.matcher(run.out()).find(), run.out());
        }
        assertTrue(!run.out().contains("end to end"), run.out());
    }

    @Test
    void withoutABenchmarkItFailsWithUsage() {
        CliRun run = run();
        assertNotEquals(0, run.exitCode());
        assertTrue(run.err().contains("embed"), run.err());
    }
}
