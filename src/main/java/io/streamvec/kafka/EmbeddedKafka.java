package io.streamvec.kafka;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default: one in-process KRaft node (broker and controller combined) on a free loopback
 * port, with single-replica internal topics so that transactions (exactly-once) work. For tests of secured
 * clients, {@link #startWithListeners} adds more client listeners (SASL, SSL) beside the plaintext ones.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /**
     * One more client listener: its name, its security protocol, and the broker properties it needs (for
     * SASL: {@code sasl.enabled.mechanisms} and its {@code listener.name.<name>.<mechanism>.sasl.jaas.config};
     * for SSL: its {@code listener.name.<name>.ssl.*} keystore, truststore and {@code ssl.client.auth}).
     */
    public record Listener(String name, SecurityProtocol protocol, Map<String, String> brokerProperties) {

        public Listener {
            Objects.requireNonNull(name);
            Objects.requireNonNull(protocol);
            brokerProperties = Map.copyOf(brokerProperties);
        }
    }

    public static EmbeddedKafka start() {
        return start(List.of());
    }

    /** {@link #startWithListeners} with one extra listener. */
    public static EmbeddedKafka startWithListener(Listener extra) {
        return start(List.of(extra));
    }

    /**
     * The embedded broker with {@code extras} as further listeners, each on a free loopback port, beside the
     * plaintext broker (inter-broker) and controller listeners that {@link #bootstrapServers()} and the broker
     * itself use. Their addresses: {@link #bootstrapServers(String)}.
     */
    public static EmbeddedKafka startWithListeners(List<Listener> extras) {
        return start(List.copyOf(extras));
    }

    private static EmbeddedKafka start(List<Listener> extras) {
        long started = System.nanoTime();
        KafkaClusterTestKit cluster = null;
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            if (!extras.isEmpty()) {
                // The test kit's own listeners stay as they are (it pre-binds their ports); each extra one binds
                // a free port of its own when the broker starts.
                String broker = nodes.brokerListenerName().value();
                String controller = nodes.controllerListenerName().value();
                StringBuilder listeners = new StringBuilder(String.format("%s://localhost:0,%s://localhost:0",
                        broker, controller));
                StringBuilder protocols = new StringBuilder(String.format("%s:%s,%s:%s", broker,
                        nodes.brokerListenerProtocol().name, controller, nodes.controllerListenerProtocol().name));
                for (Listener extra : extras) {
                    listeners.append(',').append(extra.name()).append("://localhost:0");
                    protocols.append(',').append(extra.name()).append(':').append(extra.protocol().name);
                    extra.brokerProperties().forEach(builder::setConfigProp);
                }
                builder.setConfigProp("listeners", listeners.toString())
                        .setConfigProp("listener.security.protocol.map", protocols.toString());
            }
            cluster = builder
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    // One partition each: a single node has no load to spread, and every partition is one more
                    // log to create and one more leader to elect before the first commit or transaction.
                    .setConfigProp("offsets.topic.num.partitions", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "false")
                    .setDeleteOnClose(true)
                    .build();
            formatQuietly(cluster);
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            if (cluster != null) {
                try {
                    cluster.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot start the embedded Kafka broker: " + e.getMessage(), e);
        }
        EmbeddedKafka kafka = new EmbeddedKafka(cluster);
        LOG.info("embedded KRaft broker ready at {} in {} ms", kafka.bootstrapServers(),
                (System.nanoTime() - started) / 1_000_000);
        return kafka;
    }

    /** The test kit's formatter prints its progress to System.out; streamvec's stdout is for results. */
    private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        synchronized (System.class) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                cluster.format();
            } finally {
                System.setOut(stdout);
            }
        }
        LOG.debug("formatted the embedded broker's storage: {}", captured.toString(StandardCharsets.UTF_8));
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** The address of the listener named {@code listener}, e.g. one that {@link #startWithListeners} added. */
    public String bootstrapServers(String listener) {
        int port = cluster.brokers().values().iterator().next().boundPort(new ListenerName(listener));
        return "localhost:" + port;
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            LOG.warn("embedded broker did not close cleanly: {}", e.toString());
        }
    }
}
