package io.streamvec.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench SUBCOMMAND}: a thin parent for benchmarks. Each benchmark is a subcommand in its own class
 * (register it in {@code subcommands}); without one, {@code bench} fails with its usage.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks; run one of the subcommands.",
        subcommands = {
            BenchEmbedCommand.class,
            BenchSong2vecCommand.class,
            BenchLoadCommand.class,
            BenchScaleCommand.class
        })
final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "bench needs a subcommand, e.g. bench embed or bench song2vec");
    }
}
