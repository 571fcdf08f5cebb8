package io.streamvec.cli;

import picocli.CommandLine.Command;

/** {@code bench embed | song2vec}: side-by-side benchmarks against the anchors. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks against the anchors, side by side in one run.",
        subcommands = {BenchSong2vecCommand.class})
final class BenchCommand {
}
