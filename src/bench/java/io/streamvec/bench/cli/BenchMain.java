package io.streamvec.bench.cli;

import io.streamvec.cli.Launcher;
import io.streamvec.cli.Main;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar streamvec-bench.jar BENCHMARK ...}: streamvec's benchmarks, apart from the product jar.
 * Each benchmark is a subcommand in its own class (register it in {@code subcommands}).
 */
@Command(name = "streamvec-bench", mixinStandardHelpOptions = true,
        description = "streamvec's benchmarks, each against its anchor on the same machine; run one of the subcommands.",
        subcommands = {
            BenchEmbedCommand.class,
            BenchSong2vecCommand.class,
            BenchLoadCommand.class,
            BenchScaleCommand.class,
            BenchHttpCommand.class,
            BenchSearchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class BenchMain implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        Launcher.relaunchWithVectorApiIfNeeded(BenchMain.class, args);
        System.exit(commandLine().execute(args));
    }

    /** The benchmark command line, with the product's one-line error handling. */
    public static CommandLine commandLine() {
        return Main.configure(new CommandLine(new BenchMain()));
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "streamvec-bench needs a benchmark, e.g. embed, song2vec, load, scale, http or search");
    }
}
