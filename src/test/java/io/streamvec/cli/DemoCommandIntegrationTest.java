package io.streamvec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandIntegrationTest {

    @Test
    void demoPrintsTokensForEverySampleAndExitsZero() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));

        int code = cli.execute("demo", "--exit-when-done");

        assertEquals(0, code, err.toString());
        for (String id : DemoCommand.SAMPLE_TEXTS.keySet()) {
            assertTrue(out.toString().contains(id + ": \"" + DemoCommand.SAMPLE_TEXTS.get(id) + "\""),
                    "tokens of sample " + id + " printed:\n" + out);
        }
        assertTrue(Pattern.compile("(?m)^\\s+7592\\s+hello$").matcher(out.toString()).find(), out.toString());

        // The song part: songs like one song of each of three genres, which share its planted genre.
        java.util.regex.Matcher block = Pattern.compile("(?m)^songs like .*\\((\\w+)-0, .*\\):\\n((?:\\s+-?[0-9.]+\\s+\\S+ .*\\n)+)")
                .matcher(out.toString());
        int blocks = 0;
        while (block.find()) {
            blocks++;
            String genre = block.group(1);
            long same = block.group(2).lines().filter(line -> line.trim().split("\\s+")[1].startsWith(genre + "-")).count();
            assertTrue(same >= 4, "most songs like " + genre + "-0 are " + genre + ":\n" + block.group(2));
            assertTrue(block.group(2).contains(" Tune #"), "with titles");
        }
        assertEquals(3, blocks, out.toString());

        // The text search: the paraphrase finds the sample text it paraphrases first.
        java.util.regex.Matcher search = Pattern.compile("(?m)^texts like \"(.*)\" \\(GET /texts/search\\?.*\\):\n"
                + "\\s+(-?[0-9.]+)\\s+(\\S+)\\s+(.*)$").matcher(out.toString());
        assertTrue(search.find(), "the demo ends with a text search:\n" + out);
        assertEquals(DemoCommand.PARAPHRASE, search.group(1));
        assertEquals("kafka", search.group(3), "the paraphrased sample comes first:\n" + out);
        assertEquals(DemoCommand.SAMPLE_TEXTS.get("kafka"), search.group(4));
    }
}
