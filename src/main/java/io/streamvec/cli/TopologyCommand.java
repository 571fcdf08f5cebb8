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
            description = "Write topology.txt and the diagram topology.svg into DIR instead of printing the text, "
                    + "and the same with embedding.token.vectors.enabled=true as topology-token-vectors.txt and "
                    + "topology-token-vectors.svg.")
    Path outDir;

    @Option(names = "--token-vectors",
            description = "Print the topology with embedding.token.vectors.enabled=true (the optional "
                    + "text-token-embeddings branch).")
    boolean tokenVectors;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        String description = StreamvecTopology.describe(tokenVectors);
        if (outDir == null) {
            spec.commandLine().getOut().print(description);
            spec.commandLine().getOut().flush();
        } else {
            Files.createDirectories(outDir);
            for (boolean on : new boolean[] {false, true}) {
                String name = on ? "topology-token-vectors" : "topology";
                Files.writeString(outDir.resolve(name + ".txt"), StreamvecTopology.describe(on), StandardCharsets.UTF_8);
                Files.writeString(outDir.resolve(name + ".svg"), StreamvecTopology.diagram(on), StandardCharsets.UTF_8);
                spec.commandLine().getOut().println("wrote " + outDir.resolve(name + ".txt") + " and "
                        + outDir.resolve(name + ".svg"));
            }
        }
        return 0;
    }
}
