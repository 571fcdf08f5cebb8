package io.streamvec.cli;

import java.util.Set;
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
            SimilarCommand.class,
            TopologyCommand.class,
            DocsCommand.class,
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

    /** The commands that train song2vec, and so run in a JVM with the Vector API (see {@link Launcher}). */
    private static final Set<String> SONG2VEC_COMMANDS = Set.of("demo", "run", "train");

    public static void main(String[] args) {
        if (args.length > 0 && SONG2VEC_COMMANDS.contains(args[0])) {
            Launcher.relaunchWithVectorApiIfNeeded(Main.class, args);
        }
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return configure(new CommandLine(new Main()));
    }

    /** The one-line error handling every streamvec command line shares. */
    public static CommandLine configure(CommandLine line) {
        return line
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
