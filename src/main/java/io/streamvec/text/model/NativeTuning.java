package io.streamvec.text.model;

import ai.djl.engine.Engine;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process-wide native settings for DJL's PyTorch engine on the CPU, applied once per JVM before the engine's
 * first matrix product (the first call to {@link #pytorch} decides; {@code embedding.native.tuning=false}
 * leaves the process as it is):
 * <ul>
 *   <li><b>glibc malloc keeps freed memory.</b> Every batch allocates and frees activations of a few MB; with
 *       glibc's defaults they go back to the OS and come back as page faults on the next batch (up to half
 *       the time in the kernel, measured). {@code mallopt} raises the mmap threshold to its maximum (32 MiB)
 *       and the trim threshold to 1 GiB, like {@code GLIBC_TUNABLES} would.</li>
 *   <li><b>oneMKL's AVX-512 kernels on AMD CPUs.</b> libtorch multiplies fp32 matrices with the MKL linked
 *       into it, which picks AVX2 code on any non-Intel CPU, even one with AVX-512 (Zen 4, Zen 5): half the
 *       speed there. On such a CPU the MKL dispatch shim ({@code src/main/native/mkl_dispatch.c}, built into
 *       the jar when a C compiler is present) is loaded with {@code RTLD_GLOBAL}, so that MKL chooses its
 *       kernels from the CPU's feature flags. The exactness test against ONNX Runtime runs with it.</li>
 * </ul>
 */
public final class NativeTuning {

    private static final Logger LOG = LoggerFactory.getLogger(NativeTuning.class);

    static final String SHIM_RESOURCE = "/native/linux-x86_64/libstreamvec-mkl-dispatch.so";
    /** glibc's largest mmap threshold on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX). */
    static final int MMAP_THRESHOLD = 32 << 20;
    static final int TRIM_THRESHOLD = 1 << 30;
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_MMAP_THRESHOLD = -3;
    private static final int RTLD_LAZY = 0x1;
    private static final int RTLD_NOW = 0x2;
    private static final int RTLD_NOLOAD = 0x4;
    private static final int RTLD_GLOBAL = 0x100;
    private static final Set<String> AVX512 = Set.of("avx512f", "avx512bw", "avx512dq", "avx512vl");

    /** What {@link #pytorch} did to this process. */
    public record Status(boolean mallocTuned, boolean mklShimLoaded, String summary) {}

    private static Status status;
    /** Held so that the shim stays loaded for the life of the JVM. */
    private static NativeLibrary shim;

    private NativeTuning() {}

    /** DJL's PyTorch engine, with the tuning applied first when {@code enabled} (only the JVM's first call counts). */
    public static synchronized Engine pytorch(boolean enabled) {
        if (status == null) {
            status = enabled ? apply() : new Status(false, false, "off (embedding.native.tuning=false)");
            LOG.info("native tuning: {}", status.summary());
        }
        return Engine.getEngine("PyTorch");
    }

    /** What the first {@link #pytorch} call did, if there was one. */
    public static synchronized Optional<Status> status() {
        return Optional.ofNullable(status);
    }

    /**
     * The instruction set oneMKL inside libtorch chose its kernels for, e.g. "Intel(R) Advanced Vector Extensions
     * 512 (Intel(R) AVX-512) ...", or "Intel(R) Architecture processors" for its generic (AVX2 on AMD) path.
     * Empty when the engine is not loaded yet or its libtorch has no MKL.
     */
    public static Optional<String> mklProcessor() {
        return libtorchCpu().flatMap(path -> {
            try {
                MklVersion version = new MklVersion();
                // the loaded library itself, as it is: no reload, and its symbols stay local
                NativeLibrary.getInstance(path.toString(), Map.of(Library.OPTION_OPEN_FLAGS, RTLD_LAZY | RTLD_NOLOAD))
                        .getFunction("mkl_serv_get_version")
                        .invokeVoid(new Object[] {version});
                version.read();
                return Optional.ofNullable(version.Processor).map(p -> p.getString(0, "US-ASCII").trim());
            } catch (UnsatisfiedLinkError e) {
                return Optional.empty();
            }
        });
    }

    /** MKL's {@code MKLVersion} (mkl_types.h). */
    @Structure.FieldOrder({"MajorVersion", "MinorVersion", "UpdateVersion", "PatchVersion", "ProductStatus", "Build",
        "Processor", "Platform"})
    public static final class MklVersion extends Structure {
        public int MajorVersion;
        public int MinorVersion;
        public int UpdateVersion;
        public int PatchVersion;
        public Pointer ProductStatus;
        public Pointer Build;
        public Pointer Processor;
        public Pointer Platform;
    }

    /** True when this is an x86-64 Linux AMD CPU with AVX-512 F/BW/DQ/VL, the CPUs the shim is for. */
    public static boolean amdWithAvx512() {
        if (!isLinuxX86_64()) {
            return false;
        }
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            List<String> head = lines.limit(64).toList();
            boolean amd = head.stream().anyMatch(l -> l.startsWith("vendor_id") && l.contains("AuthenticAMD"));
            Set<String> flags = head.stream().filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> Set.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))).orElse(Set.of());
            return amd && flags.containsAll(AVX512);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Status apply() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return new Status(false, false, "nothing to do on " + System.getProperty("os.name"));
        }
        boolean malloc = tuneMalloc();
        String mallocNote = malloc
                ? "glibc malloc keeps freed tensor memory (mmap threshold 32 MiB, trim threshold 1 GiB)"
                : "malloc left as it is (mallopt refused or absent)";
        if (!amdWithAvx512()) {
            return new Status(malloc, false, mallocNote + "; MKL chooses its own kernels (not an x86-64 AMD CPU with "
                    + "AVX-512)");
        }
        String shimNote = loadShim();
        return new Status(malloc, shimNote == null, mallocNote + "; "
                + (shimNote == null ? "MKL dispatch shim loaded: oneMKL may use its AVX-512 kernels on this AMD CPU"
                        : shimNote));
    }

    private interface LibC extends Library {
        int mallopt(int param, int value);
    }

    private static boolean tuneMalloc() {
        try {
            LibC libc = Native.load("c", LibC.class);
            return libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
                    && libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    /** Null when loaded, else why not. */
    private static String loadShim() {
        try (InputStream in = NativeTuning.class.getResourceAsStream(SHIM_RESOURCE)) {
            if (in == null) {
                return "MKL keeps its AVX2 kernels on this AMD CPU: the MKL dispatch shim is not in this build "
                        + "(no C compiler when it was built)";
            }
            Path file = Files.createTempFile("streamvec-mkl-dispatch", ".so");
            try {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                shim = NativeLibrary.getInstance(file.toString(),
                        Map.of(Library.OPTION_OPEN_FLAGS, RTLD_NOW | RTLD_GLOBAL));
                shim.getFunction("mkl_serv_intel_cpu"); // fails here, not in MKL, if the file is not the shim
            } finally {
                Files.deleteIfExists(file); // the mapping outlives the file
            }
            return null;
        } catch (IOException | UnsatisfiedLinkError e) {
            return "MKL keeps its AVX2 kernels on this AMD CPU: the MKL dispatch shim did not load (" + e.getMessage()
                    + ")";
        }
    }

    private static Optional<Path> libtorchCpu() {
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            return maps.map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(p -> p.endsWith("/libtorch_cpu.so"))
                    .findFirst()
                    .map(Path::of);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean isLinuxX86_64() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        return os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }
}
