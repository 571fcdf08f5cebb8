package io.streamvec.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * An in-process KRaft cluster of several brokers and one controller of its own (so that stopping brokers
 * leaves the quorum up), set up the way a production cluster is: every topic, the consumer offsets and the
 * transaction log with replication factor 3 (the broker count, at most) and {@code min.insync.replicas=2}.
 * Brokers can be stopped and started again on their data ({@link #stopBroker}, {@link #startBroker}); the
 * bootstrap address lists every broker, so clients reach whichever are up.
 */
public final class KafkaCluster implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    private KafkaCluster(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static KafkaCluster start(int brokers) throws Exception {
        String replicas = String.valueOf(Math.min(3, brokers));
        String minIsr = String.valueOf(Math.min(2, brokers));
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(false)
                .setNumBrokerNodes(brokers)
                .setNumControllerNodes(1)
                .build();
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("default.replication.factor", replicas)
                .setConfigProp("min.insync.replicas", minIsr)
                .setConfigProp("offsets.topic.replication.factor", replicas)
                .setConfigProp("offsets.topic.num.partitions", "4")
                .setConfigProp("transaction.state.log.replication.factor", replicas)
                .setConfigProp("transaction.state.log.min.isr", minIsr)
                .setConfigProp("transaction.state.log.num.partitions", "4")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                // a stopped broker's replicas rejoin the ISR quickly once it is back
                .setConfigProp("replica.lag.time.max.ms", "5000")
                .setDeleteOnClose(true)
                .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return new KafkaCluster(cluster);
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public Set<Integer> brokerIds() {
        return new TreeSet<>(cluster.brokers().keySet());
    }

    /** An admin client of this cluster (the caller closes it). */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }

    /** Stops a broker in an orderly way (its leaderships move to the others), and waits until it is down. */
    public void stopBroker(int id) {
        BrokerServer broker = broker(id);
        broker.shutdown();
        broker.awaitShutdown();
    }

    /** Starts a stopped broker again on its log directories, at the address it had. */
    public void startBroker(int id) {
        broker(id).startup();
    }

    public boolean isRunning(int id) {
        return !broker(id).isShutdown();
    }

    private BrokerServer broker(int id) {
        BrokerServer broker = cluster.brokers().get(id);
        if (broker == null) {
            throw new IllegalArgumentException("no broker " + id + " in " + brokerIds());
        }
        return broker;
    }

    /**
     * The broker that leads the most partitions of {@code topics} (ties: the lowest id): the busiest one, whose
     * loss moves the most leaderships.
     */
    public int busiestLeader(Admin admin, List<String> topics) throws Exception {
        Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
        Map<Integer, Integer> led = new java.util.TreeMap<>();
        for (TopicDescription topic : described.values()) {
            for (TopicPartitionInfo partition : topic.partitions()) {
                Node leader = partition.leader();
                if (leader != null) {
                    led.merge(leader.id(), 1, Integer::sum);
                }
            }
        }
        return led.entrySet().stream().max(Map.Entry.<Integer, Integer>comparingByValue()
                        .thenComparing(Map.Entry.comparingByKey(java.util.Comparator.reverseOrder())))
                .orElseThrow(() -> new IllegalStateException("no leader of " + topics)).getKey();
    }

    /** Waits until every partition of {@code topics} has all its replicas in sync again (after a restart). */
    public void awaitFullyReplicated(Admin admin, List<String> topics, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean full = true;
            for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
                for (TopicPartitionInfo partition : topic.partitions()) {
                    full &= partition.isr().size() == partition.replicas().size();
                }
            }
            if (full) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("partitions of " + topics + " not fully replicated within " + timeout);
            }
            Thread.sleep(200);
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
