package io.streamvec.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.serde.SchemaRegistryException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler.Response;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler.Result;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class DeadLetterDeserializationHandlerTest {

    private final byte[] key = "k".getBytes(StandardCharsets.UTF_8);
    private final byte[] value = {0, 9, 9};
    private final ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(Topics.TEXT_EVENTS, 3, 42L, key, value);

    private DeadLetterDeserializationHandler handler() {
        DeadLetterDeserializationHandler handler = new DeadLetterDeserializationHandler();
        handler.configure(Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.DLQ));
        return handler;
    }

    @Test
    void corruptRecordsAreDeadLetteredWithTheirSourceAndReason() {
        Response response = handler().handleError(context(), record,
                new SerializationException("cannot deserialize a record from topic 'text-events': bad bytes"));
        assertEquals(Result.RESUME, response.result());
        assertEquals(1, response.deadLetterQueueRecords().size());
        ProducerRecord<byte[], byte[]> dead = response.deadLetterQueueRecords().get(0);
        assertEquals(Topics.DLQ, dead.topic());
        assertArrayEquals(key, dead.key());
        assertArrayEquals(value, dead.value());
        assertEquals(Topics.TEXT_EVENTS, header(dead.headers(), "__streams.errors.topic"));
        assertEquals("3", header(dead.headers(), "__streams.errors.partition"));
        assertEquals("42", header(dead.headers(), "__streams.errors.offset"));
        assertTrue(header(dead.headers(), "__streams.errors.message").contains("bad bytes"));
    }

    @Test
    void anUnreachableRegistryFailsTheTaskInsteadOfDeadLetteringGoodData() {
        Response response = handler().handleError(context(), record,
                new SerializationException("wrapped", new SchemaRegistryException("down", true, null)));
        assertEquals(Result.FAIL, response.result());
        assertTrue(response.deadLetterQueueRecords().isEmpty());
    }

    private static String header(Headers headers, String name) {
        return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private ErrorHandlerContext context() {
        return new ErrorHandlerContext() {
            public String topic() { return Topics.TEXT_EVENTS; }
            public int partition() { return 3; }
            public long offset() { return 42L; }
            public Headers headers() { return new RecordHeaders(); }
            public String processorNodeId() { return "text-events-source"; }
            public TaskId taskId() { return new TaskId(0, 3); }
            public long timestamp() { return 0L; }
            public byte[] sourceRawKey() { return key; }
            public byte[] sourceRawValue() { return value; }
        };
    }
}
