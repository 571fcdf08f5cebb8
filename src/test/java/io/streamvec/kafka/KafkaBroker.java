package io.streamvec.kafka;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The in-process KRaft broker ({@link EmbeddedKafka}) as a JUnit 5 extension. On a static field it runs one
 * broker for the whole class, started before the class's {@code @BeforeAll} methods and closed after its
 * {@code @AfterAll} methods:
 *
 * <pre>
 *   &#64;RegisterExtension
 *   static final KafkaBroker KAFKA = new KafkaBroker();
 * </pre>
 *
 * On an instance field it runs a fresh broker for each test, started before the {@code @BeforeEach} methods.
 */
public final class KafkaBroker implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {

    private final List<EmbeddedKafka.Listener> extra;
    private EmbeddedKafka kafka;
    /** Whether this broker belongs to the class (a static field) rather than to one test. */
    private boolean perClass;

    /** The plaintext broker. */
    public KafkaBroker() {
        this(new EmbeddedKafka.Listener[0]);
    }

    /** The broker with more client listeners (see {@link EmbeddedKafka#startWithListeners}). */
    public KafkaBroker(EmbeddedKafka.Listener... extra) {
        this.extra = List.of(extra);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            stop();
        }
    }

    private void start() {
        kafka = EmbeddedKafka.startWithListeners(extra);
    }

    private void stop() {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    /** The running broker. */
    public EmbeddedKafka kafka() {
        if (kafka == null) {
            throw new IllegalStateException("the broker runs only while the tests that registered it run");
        }
        return kafka;
    }

    /** The plaintext listener's address. */
    public String bootstrapServers() {
        return kafka().bootstrapServers();
    }

    /** The address of the listener named {@code listener}. */
    public String bootstrapServers(String listener) {
        return kafka().bootstrapServers(listener);
    }
}
