package io.streamvec.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the command line in-process, as {@code java -jar streamvec.jar ARGS} would, capturing its output. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun of(String... args) {
        return of(Main.commandLine(), args);
    }

    /** Runs another command line (the benchmarks') the same way. */
    public static CliRun of(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    String[] lines() {
        return out.strip().split("\\R");
    }
}
