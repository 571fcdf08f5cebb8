package io.streamvec.song2vec.stream;

import io.micrometer.core.instrument.Metrics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Dead letters of the model-delta feed: a delta another replica published that this replica cannot read
 * ({@code unreadable}) or apply ({@code invalid}, see {@link ModelSync.InvalidDeltaException}). They are read by a
 * plain consumer, outside Kafka Streams' exception handlers, so {@link Song2vecProcessor} forwards them itself
 * to a sink that writes to the configured dead-letter topic ({@code errors.dead.letter.queue.topic.name}): in the
 * same transaction as the feed position that moves past them, so each is dead-lettered exactly once.
 *
 * <p>The record is the delta's raw key and value with the headers Kafka Streams puts on its own dead letters
 * ({@code __streams.errors.*}: source topic, partition, offset, exception, message, stack trace) and
 * {@code streamvec.errors.reason}; each is counted in {@code streamvec_dlq_records_total{reason,topic}} like every
 * other dead letter. One instance per topology: the processor sets the topic from the application's config, the
 * sink reads it ({@link TopicNameExtractor}).
 */
public final class DeltaDeadLetters implements TopicNameExtractor<byte[], byte[]> {

    /** The header that carries the reason, as on every streamvec dead letter ({@code kafka.DeadLetters}). */
    static final String REASON_HEADER = "streamvec.errors.reason";
    public static final String UNREADABLE = "unreadable";
    public static final String INVALID = "invalid";

    private volatile String topic;

    /** Takes the dead-letter topic from the application's config (none: dead letters are only counted). */
    void configure(Map<String, Object> appConfigs) {
        Object configured = appConfigs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        topic = configured == null || String.valueOf(configured).isBlank() ? null : String.valueOf(configured);
    }

    /** Whether a dead-letter topic is configured (records are forwarded only then). */
    boolean enabled() {
        return topic != null;
    }

    @Override
    public String extract(byte[] key, byte[] value, RecordContext recordContext) {
        return topic;
    }

    /** How {@code Topology.describe()} shows the sink's topic (the same in every run: topology.txt is committed). */
    @Override
    public String toString() {
        return "DeltaDeadLetters, to the dead-letter topic that errors.dead.letter.queue.topic.name names";
    }

    /** Counts the dead letter of a delta record and builds it. */
    static Record<byte[], byte[]> record(DeltaFeed.Received received, String reason, Exception exception,
                                         long timestamp) {
        String sourceTopic = received.topic();
        count(reason, sourceTopic);
        Headers headers = new RecordHeaders();
        StringWriter stack = new StringWriter();
        exception.printStackTrace(new PrintWriter(stack));
        headers.add(ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_NAME, bytes(exception.getClass().getName()));
        headers.add(ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_MESSAGE_NAME, bytes(String.valueOf(exception.getMessage())));
        headers.add(ExceptionHandlerUtils.HEADER_ERRORS_STACKTRACE_NAME, bytes(stack.toString()));
        headers.add(ExceptionHandlerUtils.HEADER_ERRORS_TOPIC_NAME, bytes(sourceTopic));
        headers.add(ExceptionHandlerUtils.HEADER_ERRORS_PARTITION_NAME, bytes(String.valueOf(received.partition())));
        headers.add(ExceptionHandlerUtils.HEADER_ERRORS_OFFSET_NAME, bytes(String.valueOf(received.offset())));
        headers.add(REASON_HEADER, bytes(reason));
        return new Record<>(received.key(), received.value(), timestamp, headers);
    }

    /** The same counter, name and tags, as every other dead letter (see {@code kafka.DeadLetters}). */
    private static void count(String reason, String sourceTopic) {
        Metrics.counter("streamvec.dlq.records", "reason", reason, "topic", sourceTopic).increment();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
