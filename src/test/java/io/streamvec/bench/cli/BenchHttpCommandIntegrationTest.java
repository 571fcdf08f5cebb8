package io.streamvec.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.cli.CliRun;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code bench http} end to end on a small synthetic set with the Java client: it completes and fills its table. */
class BenchHttpCommandIntegrationTest {

    private static final Pattern ROW = Pattern.compile(
            "(?m)^(off|on)\\s+(similar|next|metrics)\\s+(\\d+)\\s+(\\d+)\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9.]+\\s+[0-9.]+"
                    + "\\s+[0-9.]+\\s+[0-9.]+\\s+(\\d+)\\s+(-|\\d+%)\\s+(-|[0-9,]+)$");

    @Test
    void aShortRunPrintsEveryCellWithAnsweredRequests() {
        CliRun run = CliRun.of(BenchMain.commandLine(), "http", "--synthetic", "2000", "--duration", "PT2S",
                "--warmup", "PT0S", "--connections", "1,2", "--client", "java", "--slow-clients", "20",
                "--direct-queries", "200", "--loaded-connections", "2", "--training-rate", "5000",
                "--batch-sizes", "1,4,16", "--batch-rounds", "1", "--offered", "200@2");
        assertEquals(0, run.exitCode(), run.err() + run.out());
        Set<String> cells = new HashSet<>();
        Matcher row = ROW.matcher(run.out());
        while (row.find()) {
            cells.add(row.group(1) + " " + row.group(2) + " " + row.group(3));
            assertTrue(Long.parseLong(row.group(4)) > 0, "no request answered: " + row.group());
            assertEquals("0", row.group(5), "errors: " + row.group());
            assertEquals(row.group(2).equals("similar"), !row.group(6).equals("-"), "kept share: " + row.group());
            assertEquals(row.group(1).equals("on"), !row.group(7).equals("-"), row.group());
        }
        for (String training : new String[] {"off", "on"}) {
            for (String target : new String[] {"similar", "next", "metrics"}) {
                for (String connections : new String[] {"1", "2"}) {
                    assertTrue(cells.contains(training + " " + target + " " + connections),
                            "no row for " + training + " " + target + " " + connections + ":\n" + run.out());
                }
            }
        }
        assertTrue(run.out().contains("nearest-neighbour search (the model's snapshot)"), run.out());
        assertTrue(run.out().contains("next     1 connection, means: "), run.out());
        assertTrue(run.out().contains("similar  the in-process timings mix kept searches and scans"), run.out());
        // the offered load: 200 requests/s over 2 paced connections, all answered, the kept share printed
        Matcher offered = Pattern.compile("(?m)^ +200 +2 +(\\d+) +([0-9.]+) .* (\\d+) +(\\d+)%$").matcher(run.out());
        assertTrue(offered.find(), run.out());
        assertTrue(Long.parseLong(offered.group(1)) >= 300, "2 s at 200/s: " + offered.group());
        assertEquals("0", offered.group(3), "errors: " + offered.group());
        for (int batch : new int[] {1, 4, 16}) { // the batch sizes side by side
            assertTrue(Pattern.compile("\\n +" + batch + " +\\d+\\.\\d +\\d+\\.\\d\\dx +\\d+\\.\\d").matcher(run.out()).find(),
                    "batch " + batch + ": " + run.out());
        }
        assertTrue(Pattern.compile("max batch  16: +[\\d,]+ queries/s .*mean batch \\d+\\.\\d\\d").matcher(run.out()).find(),
                run.out());
        assertTrue(run.out().contains("query server at   2 connections (similar): "), run.out());
        assertTrue(Pattern.compile("20 slow clients .*\\n  \\d+ normal requests on new connections: \\d+ answered "
                + "within 1 s, 0 failed").matcher(run.out()).find(), run.out());
    }
}
