package io.streamvec.cli;

/** A main class for {@link LauncherTest}: relaunches like streamvec's commands, then reports what it runs with. */
public final class LauncherProbe {

    private LauncherProbe() {}

    public static void main(String[] args) throws InterruptedException {
        Launcher.relaunchWithVectorApiIfNeeded(LauncherProbe.class, args);
        System.out.println("vector=" + Launcher.vectorApiLoaded() + " pid=" + ProcessHandle.current().pid()
                + " args=" + String.join(",", args));
        System.out.flush();
        if (args.length > 0 && args[0].equals("wait")) {
            Thread.sleep(120_000);
        }
        System.exit(args.length > 0 && args[0].equals("fail") ? 3 : 0);
    }
}
