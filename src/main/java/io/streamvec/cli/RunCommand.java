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
        StreamvecConfig config = StreamvecConfig.load(configFile);
        CountDownLatch stopped = new CountDownLatch(1);
        StreamvecApp app = new StreamvecApp(config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "streamvec-shutdown"));
        app.start();
        stopped.await();
        return 0;
    }
}
