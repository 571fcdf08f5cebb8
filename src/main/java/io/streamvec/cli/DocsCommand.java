package io.streamvec.cli;

import io.streamvec.ConfigurationReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints (or writes) the configuration reference generated from the ConfigDef: the source of docs/configuration.md. */
@Command(name = "docs", mixinStandardHelpOptions = true,
        description = "Print the configuration reference (the content of docs/configuration.md), generated from "
                + "streamvec's configuration definition.")
final class DocsCommand implements Callable<Integer> {

    @Option(names = "--out", paramLabel = "DIR",
            description = "Write " + ConfigurationReference.FILE_NAME + " into DIR instead of printing it "
                    + "(--out docs regenerates the committed reference).")
    Path outDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        String reference = ConfigurationReference.markdown();
        if (outDir == null) {
            spec.commandLine().getOut().print(reference);
            spec.commandLine().getOut().flush();
        } else {
            Files.createDirectories(outDir);
            Path file = outDir.resolve(ConfigurationReference.FILE_NAME);
            Files.writeString(file, reference, StandardCharsets.UTF_8);
            spec.commandLine().getOut().println("wrote " + file);
        }
        return 0;
    }
}
