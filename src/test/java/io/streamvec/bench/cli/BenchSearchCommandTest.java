package io.streamvec.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.bench.FaissSearch;
import io.streamvec.cli.CliRun;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class BenchSearchCommandTest {

    private static final String PYTHON = "/usr/bin/python3";

    private static CliRun run(String... args) {
        return CliRun.of(BenchMain.commandLine(), args);
    }

    private static void assertRow(String out, String system, String index) {
        Pattern row = Pattern.compile("(?m)^\\s+2000 \\| " + Pattern.quote(system) + "\\s+\\| " + Pattern.quote(index)
                + "[^|]*\\|\\s+[0-9.]+ \\|\\s+[0-9.]+ \\|\\s+[0-9.]+ \\|\\s+[0-9.]+ \\|.*\\|\\s+(1\\.0000|0\\.9[0-9]{3}) \\|");
        assertTrue(row.matcher(out).find(), "no " + system + " " + index + " row with recall >= 0.9 in\n" + out);
    }

    @Test
    void aTinyRunPrintsStreamvecAndFaissSideBySide() {
        Assumptions.assumeTrue(FaissSearch.available(PYTHON), "SKIPPED LOUDLY: " + PYTHON + " cannot import faiss: "
                + "install Debian's python3-faiss (.ci/run does) to compare the text index against FAISS");
        CliRun run = run("search", "--sizes", "2000", "--queries", "20", "--text-queries", "0", "--no-djl");
        assertEquals(0, run.exitCode(), run.err());
        assertRow(run.out(), "streamvec", "exact");
        assertRow(run.out(), "streamvec", "int8");
        assertRow(run.out(), "FAISS", "IndexFlatIP");
        assertRow(run.out(), "FAISS", "IndexHNSWFlat M=32");
        assertTrue(run.out().contains("2000 texts: streamvec int8 single-query p50"), run.out());
        assertTrue(Pattern.compile("\\| exact\\s+\\|.*\\|\\s+1\\.0000 \\|\\s+1544 \\|").matcher(run.out()).find(), run.out());
        assertTrue(Pattern.compile("\\| int8\\s+\\|.*\\|\\s+396 \\|").matcher(run.out()).find(), run.out());
    }

    @Test
    void withoutFaissItSaysSoAndStillRunsStreamvec() {
        CliRun run = run("search", "--sizes", "2000", "--queries", "10", "--text-queries", "0", "--no-djl",
                "--python", "/nonexistent/python3");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("WARNING: FAISS skipped"), run.out());
        assertRow(run.out(), "streamvec", "int8");
    }

    @Test
    void badSizesAreRejected() {
        CliRun run = run("search", "--sizes", "5", "--k", "10");
        assertEquals(2, run.exitCode(), run.out());
        assertTrue(run.err().contains("every size >= k"), run.err());
    }
}
