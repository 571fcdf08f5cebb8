package io.streamvec.kafka;

import io.micrometer.core.instrument.Metrics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * What streamvec adds to Kafka Streams' dead-letter records. Kafka Streams already sets the
 * {@code __streams.errors.*} headers (source topic, partition, offset, exception class, message and
 * stack trace); streamvec adds {@value #REASON_HEADER}: {@code unreadable} (could not be deserialized),
 * {@code invalid} (read, but rejected by streamvec's checks) or {@code error} (processing failed).
 */
public final class DeadLetters {

    public static final String REASON_HEADER = "streamvec.errors.reason";

    private DeadLetters() {}

    /** Adds the reason header to the records Kafka Streams built and counts them. */
    static void mark(List<ProducerRecord<byte[], byte[]>> records, String reason, ErrorHandlerContext context) {
        byte[] value = reason.getBytes(StandardCharsets.UTF_8);
        for (ProducerRecord<byte[], byte[]> record : records) {
            record.headers().add(REASON_HEADER, value);
        }
        // a punctuator's failure has no source record (and no topic)
        Metrics.counter("streamvec.dlq.records", "reason", reason, "topic",
                context.topic() == null ? "none" : context.topic()).increment();
    }
}
