package io.streamvec.kafka;

import io.streamvec.serde.SchemaRegistryException;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records that cannot be deserialized to the dead-letter queue and continues, except when the
 * schema registry is unreachable: then the record is not at fault, so the stream thread fails (and is
 * replaced) rather than dead-lettering good data. Each dead letter is logged in one line (the stack
 * trace travels in the dead letter's headers).
 */
public class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

    private String deadLetterQueueTopic;

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetterQueueTopic = DeadLetters.topic(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                Exception exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof SchemaRegistryException sre && sre.isTransient()) {
                LOG.error("schema registry unavailable while reading {}-{}@{}: failing the task to retry later: {}",
                        context.topic(), context.partition(), context.offset(), sre.getMessage());
                return Response.fail();
            }
        }
        LOG.warn("dead-lettering unreadable record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                exception.getMessage());
        return Response.resume(DeadLetters.records(deadLetterQueueTopic, context, exception, "unreadable"));
    }
}
