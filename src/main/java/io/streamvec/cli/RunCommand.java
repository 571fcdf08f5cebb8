package io.streamvec.cli;

import io.streamvec.StreamvecApp;
import io.streamvec.StreamvecConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs streamvec against an external Kafka cluster until the JVM is asked to stop. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run streamvec against a Kafka cluster, configured by a Kafka Streams properties file.")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "Kafka Streams properties file (bootstrap.servers, ...) with streamvec's own keys.")
    Path configFile;

    @Override
    public Integer call() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(); // let the app close (commit, leave the group) before the JVM exits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "streamvec-shutdown"));
        try {
            return runUntil(StreamvecConfig.load(configFile), stop);
        } finally {
            stopped.countDown();
        }
    }

    /** Starts streamvec with {@code config} and runs it until {@code stop} is released. */
    static int runUntil(StreamvecConfig config, CountDownLatch stop) throws InterruptedException {
        try (StreamvecApp app = new StreamvecApp(config).start()) {
            stop.await();
        }
        return 0;
    }
}
