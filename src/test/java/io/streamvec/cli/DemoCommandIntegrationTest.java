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
    }
}
