package io.streamvec.text.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native tuning: the shim is built into the jar where a C compiler exists, and on an AMD CPU with AVX-512
 * it is what moves libtorch's MKL from its generic path to its AVX-512 kernels (checked against a child JVM
 * with the tuning off). Exactness with the tuning on is {@link BertSentenceEmbedderTest}'s ONNX Runtime test.
 */
class NativeTuningTest {

    @Test
    void theShimIsBuiltWhereACompilerExists() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/cc")), "no C compiler: the build leaves the shim out");
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux")
                && System.getProperty("os.arch").equals("amd64"), "the shim is built on x86-64 Linux only");
        assertNotNull(NativeTuning.class.getResource(NativeTuning.SHIM_RESOURCE), "shim resource in the build");
    }

    @Test
    void onAnAmdCpuWithAvx512MklRunsItsAvx512KernelsOnlyWithTheTuning(@TempDir Path logs) throws Exception {
        assumeTrue(NativeTuning.amdWithAvx512(), "not an AMD CPU with AVX-512");
        assumeTrue(NativeTuning.class.getResource(NativeTuning.SHIM_RESOURCE) != null, "shim not built");

        String tuned = mklProcessorInChild(true, logs.resolve("tuned.log"));
        String untuned = mklProcessorInChild(false, logs.resolve("untuned.log"));
        assertTrue(tuned.contains("AVX-512"), "with the tuning: " + tuned);
        assertFalse(untuned.contains("AVX-512"), "without the tuning: " + untuned);

        // and in this JVM, where every embedder goes through NativeTuning.pytorch(true)
        NativeTuning.pytorch(true);
        multiplyOnce();
        NativeTuning.Status status = NativeTuning.status().orElseThrow();
        assertTrue(status.mklShimLoaded(), status.summary());
        assertTrue(status.mallocTuned(), status.summary());
        assertTrue(NativeTuning.mklProcessor().orElseThrow().contains("AVX-512"));
    }

    /** Run by {@link #mklProcessorInChild}: tuning on or off, one matrix product, then MKL's processor line. */
    public static void main(String[] args) {
        NativeTuning.pytorch(Boolean.parseBoolean(args[0]));
        multiplyOnce();
        System.out.println("MKL-PROCESSOR=" + NativeTuning.mklProcessor().orElse("none"));
    }

    private static void multiplyOnce() {
        try (NDManager m = NativeTuning.pytorch(true).newBaseManager()) {
            NDArray a = m.ones(new Shape(64, 64));
            assertEquals(64f, a.matMul(a).getFloat(0, 0));
        }
    }

    private static String mklProcessorInChild(boolean tuning, Path log) throws IOException, InterruptedException {
        Process child = null;
        try {
            child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true",
                    NativeTuningTest.class.getName(), String.valueOf(tuning)))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            assertTrue(child.waitFor(120, TimeUnit.SECONDS), "child JVM finished");
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            assertEquals(0, child.exitValue(), String.join("\n", lines));
            return lines.stream().filter(l -> l.startsWith("MKL-PROCESSOR=")).findFirst()
                    .map(l -> l.substring("MKL-PROCESSOR=".length()))
                    .orElseThrow(() -> new AssertionError("no MKL line:\n" + String.join("\n", lines)));
        } finally {
            if (child != null) {
                child.destroyForcibly();
            }
        }
    }
}
