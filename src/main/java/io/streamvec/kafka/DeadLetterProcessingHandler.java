package io.streamvec.kafka;

import io.streamvec.InvalidEventException;
import io.streamvec.text.EmbedProcessor;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Sends records whose processing failed to the dead-letter queue and continues, counting them by reason:
 * {@code invalid} for events streamvec rejects ({@link InvalidEventException}), {@code error} otherwise. A
 * failing embedding model fails the task instead: the buffered texts are retried after the restart.
 */
public class DeadLetterProcessingHandler extends LogAndContinueProcessingExceptionHandler {

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (exception instanceof EmbedProcessor.EmbeddingFailedException) {
            return Response.fail(); // the model failed, not the record: retry the task rather than dead-letter
        }
        String reason = exception instanceof InvalidEventException ? "invalid" : "error";
        Response response = super.handleError(context, record, exception);
        DeadLetters.mark(response.deadLetterQueueRecords(), reason, context);
        return response;
    }
}
