package io.streamvec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    private static List<String> commands(String... args) {
        return List.copyOf(Main.commandLine(args).getSubcommands().keySet());
    }

    @Test
    void aNamedCommandIsTheOnlyOneReflectedOn() {
        assertEquals(List.of("train"), commands("train", "--playlists", "x"));
        assertEquals(List.of("similar"), commands("similar"));
    }

    @Test
    void helpNoCommandOrAnUnknownOneSeeThemAll() {
        List<String> all = List.of("demo", "run", "tokenize", "embed", "train", "similar", "topology", "docs", "help");
        assertEquals(all, commands());
        assertEquals(all, commands("help", "train"));
        assertEquals(all, commands("--help"));
        assertEquals(all, commands("trian"));
        assertEquals(all, List.copyOf(Main.commandLine().getSubcommands().keySet()));
    }

    @Test
    void aNarrowedCommandLineRunsItsCommandAndHelpNamesThemAll() {
        CommandLine narrowed = Main.commandLine(new String[] {"train", "--help"});
        CliRun help = CliRun.of(narrowed, "train", "--help");
        assertEquals(0, help.exitCode(), help.err());
        assertTrue(help.out().startsWith("Usage: streamvec train"), help.out());

        CliRun all = CliRun.of(Main.commandLine(new String[] {"help"}), "help");
        assertEquals(0, all.exitCode(), all.err());
        for (String command : List.of("demo", "run", "train", "similar", "docs")) {
            assertTrue(all.out().contains("\n  " + command + " "), command + " in\n" + all.out());
        }
        CliRun unknown = CliRun.of(Main.commandLine(new String[] {"trian"}), "trian");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("Unmatched argument at index 0: 'trian'")
                && unknown.err().contains("Did you mean: streamvec train?"), unknown.err());
    }
}
