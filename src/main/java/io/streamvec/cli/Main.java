package io.streamvec.cli;

import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar streamvec.jar COMMAND ...} */
@Command(name = "streamvec", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Turns live event streams into vectors and recommendations (Kafka Streams).")
public final class Main {

    /** The commands, in the order the usage message lists them. */
    static final List<Class<?>> COMMANDS = List.of(
            DemoCommand.class,
            RunCommand.class,
            TokenizeCommand.class,
            EmbedCommand.class,
            TrainCommand.class,
            SimilarCommand.class,
            TopologyCommand.class,
            DocsCommand.class,
            CommandLine.HelpCommand.class);

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
        System.exit(commandLine(args).execute(args));
    }

    /** The command line with every command. */
    public static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The command line for {@code args}: when they name a command other than {@code help}, with that command
     * only. picocli reflects on every command it is given, and a command's classes load what it needs (the text
     * commands' model classes, Kafka's configuration): a short {@code train} should not wait for the others.
     */
    static CommandLine commandLine(String[] args) {
        CommandLine line = new CommandLine(new Main());
        List<Class<?>> named = args.length == 0 ? List.of()
                : COMMANDS.stream().filter(command -> command != CommandLine.HelpCommand.class
                        && name(command).equals(args[0])).toList();
        for (Class<?> command : named.isEmpty() ? COMMANDS : named) {
            line.addSubcommand(name(command), command);
        }
        return configure(line);
    }

    private static String name(Class<?> command) {
        return command.getAnnotation(Command.class).name();
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
