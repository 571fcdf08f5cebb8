package io.streamvec.cli;

import java.lang.management.ManagementFactory;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the song2vec commands with the Vector API kernels without a flag from the user: when the JVM was
 * started without {@code --add-modules jdk.incubator.vector} but its JDK has the module, the command is run
 * again in a child JVM with the same JVM options plus that flag, standard streams inherited, and its exit
 * status returned. The child ends when this process ends (even on SIGKILL: it watches its parent), and a
 * SIGTERM or Ctrl-C here is passed on to it. {@code -Dstreamvec.relaunch=false} turns this off; a JVM
 * started with the flag (the Docker image, the tests' child JVMs) never relaunches.
 */
public final class Launcher {

    public static final String VECTOR_MODULE = "jdk.incubator.vector";
    /** Set in a relaunched child's environment to this process's pid. */
    static final String PARENT_ENV = "STREAMVEC_LAUNCHER_PID";

    private Launcher() {}

    /** True when this JVM can use the Vector API kernels. */
    public static boolean vectorApiLoaded() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /**
     * Relaunches with the Vector API module when that is possible and useful; returns only if this JVM should
     * run the command itself (otherwise it exits with the child's status).
     */
    public static void relaunchWithVectorApiIfNeeded(Class<?> mainClass, String[] args) {
        String parent = System.getenv(PARENT_ENV);
        if (parent != null) {
            exitWithParent(parent);
            return;
        }
        if (vectorApiLoaded()
                || "false".equalsIgnoreCase(System.getProperty("streamvec.relaunch"))
                || ModuleFinder.ofSystem().find(VECTOR_MODULE).isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("--add-modules");
        command.add(VECTOR_MODULE);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().put(PARENT_ENV, Long.toString(ProcessHandle.current().pid()));
        Process child;
        try {
            child = builder.start();
        } catch (Exception e) {
            System.err.println("streamvec: could not start a JVM with --add-modules " + VECTOR_MODULE
                    + " (" + e.getMessage() + "); running with the scalar kernels");
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (child.isAlive()) {
                child.destroy(); // SIGTERM: the child shuts down gracefully
                try {
                    child.waitFor(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "streamvec-launcher"));
        int status;
        try {
            status = child.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 130;
        }
        System.exit(status);
    }

    /** In a relaunched child: exit when the launching process is gone, however it ended. */
    private static void exitWithParent(String pid) {
        try {
            ProcessHandle.of(Long.parseLong(pid)).ifPresentOrElse(
                    handle -> handle.onExit().thenRun(() -> System.exit(143)),
                    () -> System.exit(143));
        } catch (NumberFormatException e) {
            // not ours: ignore
        }
    }
}
