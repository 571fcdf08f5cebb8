package io.streamvec.kafka;

import io.micrometer.core.instrument.Metrics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;

/**
 * What streamvec adds to Kafka Streams' dead-letter records. Kafka Streams already sets the
 * {@code __streams.errors.*} headers (source topic, partition, offset, exception class, message and
 * stack trace); streamvec adds {@value #REASON_HEADER}: {@code unreadable} (could not be deserialized),
 * {@code invalid} (read, but rejected by streamvec's checks) or {@code error} (processing failed).
 */
public final class DeadLetters {

    public static final String REASON_HEADER = "streamvec.errors.reason";

    private DeadLetters() {}

    /** The dead-letter topic configured for Kafka Streams (null: none). */
    static String topic(Map<String, ?> configs) {
        Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        return topic == null ? null : String.valueOf(topic);
    }

    /**
     * The dead letters of the record being handled (none without a topic), as Kafka Streams builds them,
     * with the reason header added; counted by reason and source topic.
     */
    static List<ProducerRecord<byte[], byte[]>> records(String topic, ErrorHandlerContext context,
                                                          Exception exception, String reason) {
        List<ProducerRecord<byte[], byte[]>> records = ExceptionHandlerUtils.maybeBuildDeadLetterQueueRecords(
                topic, context.sourceRawKey(), context.sourceRawValue(), context, exception);
        mark(records, reason, context);
        return records;
    }

    /** Adds the reason header to the records Kafka Streams built and counts them. */
    private static void mark(List<ProducerRecord<byte[], byte[]>> records, String reason, ErrorHandlerContext context) {
        byte[] value = reason.getBytes(StandardCharsets.UTF_8);
        for (ProducerRecord<byte[], byte[]> record : records) {
            record.headers().add(REASON_HEADER, value);
        }
        // a punctuator's failure has no source record (and no topic)
        Metrics.counter("streamvec.dlq.records", "reason", reason, "topic",
                context.topic() == null ? "none" : context.topic()).increment();
    }
}
