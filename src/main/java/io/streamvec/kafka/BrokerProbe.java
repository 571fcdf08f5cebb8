package io.streamvec.kafka;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the Kafka cluster answers, for {@code /health/ready}. Kafka Streams stays {@code RUNNING} while every
 * broker is down (its threads retry until {@code task.timeout.ms}), so its state alone would report an instance
 * that cannot process anything as ready. Every {@value #EVERY_MS} ms this asks the cluster for its brokers
 * ({@code describeCluster}, with the application's client settings); the cluster counts as reachable while the
 * last answer is at most {@value #STALE_MS} ms old. One daemon thread and one admin client.
 */
public final class BrokerProbe implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerProbe.class);
    static final long EVERY_MS = 2_000;
    static final long STALE_MS = 10_000;

    private final Admin admin;
    private final ScheduledExecutorService timer;
    private volatile long lastAnswerNanos;
    private volatile int brokers;
    private volatile boolean wasReachable = true;

    /** Probes with the client settings among {@code streamsProperties} (bootstrap servers, security). */
    public BrokerProbe(Properties streamsProperties) {
        Properties config = new Properties();
        config.putAll(KafkaDeltaFeed.consumerConfig(streamsProperties)); // the connection settings, not Streams' keys
        config.keySet().removeIf(key -> !AdminClientConfig.configNames().contains(String.valueOf(key)));
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "streamvec-broker-probe");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) EVERY_MS * 2);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) EVERY_MS * 2);
        this.admin = Admin.create(config);
        this.lastAnswerNanos = System.nanoTime(); // reachable until it has had the time to find out otherwise
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "streamvec-broker-probe");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::probe, 0, EVERY_MS, TimeUnit.MILLISECONDS);
    }

    private void probe() {
        try {
            int seen = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) EVERY_MS * 2)).nodes()
                    .get(EVERY_MS * 2, TimeUnit.MILLISECONDS).size();
            brokers = seen;
            lastAnswerNanos = System.nanoTime();
            if (!wasReachable) {
                LOG.info("the Kafka cluster answers again ({} brokers)", seen);
                wasReachable = true;
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return;
            }
            if (wasReachable && !reachable()) {
                LOG.warn("the Kafka cluster has not answered for {} ms: not ready ({})", STALE_MS, e.toString());
                wasReachable = false;
            }
        }
    }

    /** Whether the cluster answered within the last {@value #STALE_MS} ms. */
    public boolean reachable() {
        return System.nanoTime() - lastAnswerNanos <= TimeUnit.MILLISECONDS.toNanos(STALE_MS);
    }

    /** The brokers the cluster named in its last answer (0 before the first). */
    public int brokers() {
        return brokers;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
