package io.streamvec.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar streamvec.jar COMMAND ...} */
@Command(name = "streamvec", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Turns live event streams into vectors and recommendations (Kafka Streams).",
        subcommands = {
            DemoCommand.class,
            RunCommand.class,
            TokenizeCommand.class,
            EmbedCommand.class,
            TrainCommand.class,
            BenchCommand.class,
            TopologyCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {

    static {
        // Never download anything at run time (DJL would otherwise fetch native libraries and models).
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        // The encoder's ops are sequential within a batch: no inter-op pool competing for the cores.
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setExecutionExceptionHandler((exception, commandLine, parseResult) -> {
                    // A clear one-line error for the user; the stack trace only with STREAMVEC_DEBUG set.
                    commandLine.getErr().println("streamvec " + commandLine.getCommandName() + ": " + exception.getMessage());
                    if (System.getenv("STREAMVEC_DEBUG") != null) {
                        exception.printStackTrace(commandLine.getErr());
                    }
                    commandLine.getErr().flush();
                    return 1;
                });
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"streamvec " + (version == null ? "(development build)" : version)};
        }
    }
}
