package io.streamvec.kafka;

import io.streamvec.InvalidEventException;
import io.streamvec.song2vec.stream.FailedEvents;
import io.streamvec.text.stream.EmbedProcessor;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records whose processing failed to the dead-letter queue and continues, counting them by reason:
 * {@code invalid} for events streamvec rejects ({@link InvalidEventException}, logged in one line),
 * {@code error} otherwise (logged with the stack trace). A failing embedding model fails the task
 * instead: the buffered texts are retried after the restart; and so does a playlist event that failed after
 * it had changed the song model (see {@link FailedEvents}).
 */
public class DeadLetterProcessingHandler implements ProcessingExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);

    private String deadLetterQueueTopic;

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetterQueueTopic = DeadLetters.topic(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (exception instanceof EmbedProcessor.EmbeddingFailedException) {
            return Response.fail(); // the model failed, not the record: retry the task rather than dead-letter
        }
        if (exception instanceof FailedEvents.ModelChangedException) {
            // The event changed the song model before it failed: dead-lettering it would leave that change
            // behind. Failing the task aborts the transaction; if the event fails again it is refused before
            // it changes anything (FailedEvents.RepeatedFailureException) and dead-lettered below.
            return Response.fail();
        }
        String reason;
        if (exception instanceof InvalidEventException) {
            reason = "invalid";
            LOG.warn("dead-lettering invalid event {}-{}@{} at {}: {}", context.topic(), context.partition(),
                    context.offset(), context.processorNodeId(), exception.getMessage());
        } else {
            reason = "error";
            LOG.warn("dead-lettering {}-{}@{}: processing failed at {} (task {})", context.topic(), context.partition(),
                    context.offset(), context.processorNodeId(), context.taskId(), exception);
        }
        return Response.resume(DeadLetters.records(deadLetterQueueTopic, context, exception, reason));
    }
}
