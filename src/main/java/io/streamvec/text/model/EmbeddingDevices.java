package io.streamvec.text.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the device for {@code embedding.device}, falling back from auto to the CPU with one clear log line. */
public final class EmbeddingDevices {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddingDevices.class);

    private EmbeddingDevices() {}

    public static Device choose(Engine engine, String setting) {
        switch (setting) {
            case "cpu":
                return Device.cpu();
            case "gpu": {
                String problem = cudaProblem(engine);
                if (problem != null) {
                    throw new IllegalStateException("embedding.device=gpu but CUDA cannot be used: " + problem);
                }
                return Device.gpu();
            }
            case "auto": {
                String problem = cudaProblem(engine);
                if (problem == null) {
                    return Device.gpu();
                }
                LOG.info("embedding.device=auto: embedding on the CPU because CUDA cannot be used ({})", problem);
                return Device.cpu();
            }
            default:
                throw new IllegalArgumentException("embedding.device must be auto, cpu or gpu, not " + setting);
        }
    }

    /** Null when a tensor round-trips through GPU 0, else why not. */
    static String cudaProblem(Engine engine) {
        int gpus;
        try {
            gpus = engine.getGpuCount();
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return "GPU detection failed: " + e.getMessage();
        }
        if (gpus <= 0) {
            return "no CUDA device visible to DJL's " + engine.getEngineName() + " engine";
        }
        try (NDManager probe = engine.newBaseManager(Device.gpu())) {
            NDArray x = probe.create(new float[] {1f, 2f, 3f});
            float[] back = x.mul(2f).toFloatArray();
            if (back.length != 3 || back[2] != 6f) {
                return "a probe tensor on the GPU came back wrong";
            }
            return null;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return "a probe tensor on the GPU failed: " + e.getMessage();
        }
    }
}
