package io.streamvec.kafka;

import io.streamvec.serde.SchemaRegistryException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records that cannot be deserialized to the dead-letter queue and continues, except when the
 * schema registry is unreachable: then the record is not at fault, so the stream thread fails (and is
 * replaced) rather than dead-lettering good data.
 */
public class DeadLetterDeserializationHandler extends LogAndContinueExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);

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
        Response response = super.handleError(context, record, exception);
        DeadLetters.mark(response.deadLetterQueueRecords(), "unreadable", context);
        return response;
    }
}
