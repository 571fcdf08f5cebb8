package io.streamvec.cli;

import io.streamvec.topology.StreamvecTopology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Prints (or writes) {@code Topology.describe()} of the real topology: the source of topology/topology.txt. */
@Command(name = "topology", mixinStandardHelpOptions = true,
        description = "Print the topology description (the content of topology/topology.txt).")
final class TopologyCommand implements Callable<Integer> {

    @Option(names = "--out", paramLabel = "DIR",
            description = "Write topology.txt and the diagram topology.svg into DIR instead of printing the text.")
    Path outDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        String description = StreamvecTopology.describe();
        if (outDir == null) {
            spec.commandLine().getOut().print(description);
            spec.commandLine().getOut().flush();
        } else {
            Files.createDirectories(outDir);
            Files.writeString(outDir.resolve("topology.txt"), description, StandardCharsets.UTF_8);
            Files.writeString(outDir.resolve("topology.svg"), StreamvecTopology.diagram(), StandardCharsets.UTF_8);
            spec.commandLine().getOut().println("wrote " + outDir.resolve("topology.txt") + " and "
                    + outDir.resolve("topology.svg"));
        }
        return 0;
    }
}
