package io.streamvec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A JVM started without flags runs the song2vec commands with the Vector API, through a child that never outlives it. */
class LauncherTest {

    @BeforeAll
    static void jdkHasTheModule() {
        assumeTrue(ModuleFinder.ofSystem().find(Launcher.VECTOR_MODULE).isPresent(), "this JDK has no Vector API module");
    }

    private static Process start(List<String> jvmOptions, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(LauncherProbe.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove(Launcher.PARENT_ENV);
        return builder.start();
    }

    private static String firstLine(Process process) throws Exception {
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.startsWith("vector=")) {
                return line;
            }
        }
        return "";
    }

    @Test
    void withoutFlagsTheCommandRunsWithTheVectorApiAndItsExitStatusAndArgumentsPassThrough() throws Exception {
        Process process = start(List.of("-Dprobe.marker=1"), "fail", "two words");
        String line = firstLine(process);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertTrue(line.startsWith("vector=true "), line);
        assertTrue(line.endsWith("args=fail,two words"), line);
        assertFalse(line.contains("pid=" + process.pid() + " "), "the command ran in a child JVM: " + line);
        assertEquals(3, process.exitValue());
    }

    @Test
    void relaunchCanBeTurnedOffAndAJvmWithTheFlagDoesNotRelaunch() throws Exception {
        Process off = start(List.of("-Dstreamvec.relaunch=false"));
        String offLine = firstLine(off);
        assertTrue(off.waitFor(60, TimeUnit.SECONDS));
        assertTrue(offLine.startsWith("vector=false pid=" + off.pid() + " "), offLine);

        Process flagged = start(List.of("--add-modules", Launcher.VECTOR_MODULE));
        String flaggedLine = firstLine(flagged);
        assertTrue(flagged.waitFor(60, TimeUnit.SECONDS));
        assertTrue(flaggedLine.startsWith("vector=true pid=" + flagged.pid() + " "), flaggedLine);
    }

    @Test
    void theChildEndsWhenTheLauncherIsKilled() throws Exception {
        Process launcher = start(List.of(), "wait");
        String line = firstLine(launcher);
        long childPid = Long.parseLong(line.replaceAll(".* pid=(\\d+) .*", "$1"));
        ProcessHandle child = ProcessHandle.of(childPid).orElseThrow();
        assertTrue(child.isAlive());
        launcher.destroyForcibly(); // SIGKILL: no shutdown hook runs in the launcher
        assertTrue(launcher.waitFor(30, TimeUnit.SECONDS));
        child.onExit().get(60, TimeUnit.SECONDS);
        assertFalse(child.isAlive(), "the relaunched child outlived its launcher");
    }
}
