package io.streamvec.kafka;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A stock single-node Kafka (broker and controller combined, KRaft) in a process of its own, started the way
 * a small deployment runs it: {@code kafka.Kafka server.properties} on storage formatted by
 * {@code kafka.tools.StorageTool}, from the Kafka server jars that {@code target/streamvec.jar} names on its
 * class path (so an integration test, after {@code package}). It can be killed with SIGKILL and started again on
 * its data, at the same address.
 */
public final class StockBroker implements AutoCloseable {

    private final Path properties;
    private final Path log;
    private final int port;
    private Process process;

    private StockBroker(Path properties, Path log, int port) {
        this.properties = properties;
        this.log = log;
        this.port = port;
    }

    /** Formats storage under {@code dir} and starts the broker; returns once it answers. */
    public static StockBroker start(Path dir) throws Exception {
        int port = freePort();
        int controllerPort = freePort();
        Path properties = Files.writeString(dir.resolve("server.properties"), String.join("\n", List.of(
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=localhost:" + controllerPort,
                "listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners=PLAINTEXT://localhost:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=4",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false")) + "\n");
        Path log = dir.resolve("broker.log");
        Process format = java(List.of("kafka.tools.StorageTool", "format", "--cluster-id", Uuid.randomUuid().toString(),
                "--config", properties.toString(), "--standalone"), log).start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("formatting the broker's storage failed:\n" + Files.readString(log));
        }
        StockBroker broker = new StockBroker(properties, log, port);
        broker.startAgain();
        return broker;
    }

    private static ProcessBuilder java(List<String> arguments, Path log) {
        Path jar = Path.of("target", "streamvec.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the integration tests after `mvn package`");
        }
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", jar.toString()));
        command.addAll(arguments);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    /** Starts the broker process on its data (after {@link #kill}) and waits until it answers. */
    public void startAgain() throws Exception {
        process = java(List.of("kafka.Kafka", properties.toString()), log).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            while (true) {
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception notYet) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        throw new IllegalStateException("the broker did not start:\n" + Files.readString(log), notYet);
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    /** SIGKILL: no controlled shutdown, nothing flushed; waits until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
