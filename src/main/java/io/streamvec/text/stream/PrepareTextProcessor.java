package io.streamvec.text.stream;

import io.streamvec.EventChecks;
import io.streamvec.InvalidEventException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.streamvec.avro.TextEvent;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Validates a text event and fills in what the rest of the text path relies on: its source id (the
 * event's id, else the record key, else {@code topic-partition-offset}) and its event time (the event's,
 * else the record's). Forwards the completed event keyed by source id. Invalid events (null value,
 * empty or whitespace-only text, a negative or far-future timestamp, an id over 256 characters or with
 * control characters) throw {@link InvalidEventException}, which dead-letters them once, before the path
 * branches.
 */
public final class PrepareTextProcessor extends ContextualProcessor<String, TextEvent, String, TextEvent> {

    private final Counter received;

    public PrepareTextProcessor(MeterRegistry metrics) {
        this.received = Counter.builder("streamvec.records.in").tag("path", "text")
                .description("Records read per path").register(metrics);
    }

    @Override
    public void process(Record<String, TextEvent> record) {
        received.increment();
        TextEvent event = record.value();
        if (event == null) {
            throw new InvalidEventException("null value: a text event needs text");
        }
        if (event.getText().isBlank()) {
            throw new InvalidEventException("text is empty or whitespace only");
        }
        if (event.getTimestampMs() != null) {
            EventChecks.checkTimestamp(event.getTimestampMs(), System.currentTimeMillis());
        }
        String sourceId = sourceId(event, record.key(), context().recordMetadata().orElse(null));
        long eventTime = event.getTimestampMs() != null ? event.getTimestampMs() : record.timestamp();
        TextEvent prepared = TextEvent.newBuilder(event).setId(sourceId).setTimestampMs(eventTime).build();
        context().forward(record.withKey(sourceId).withValue(prepared).withTimestamp(eventTime));
    }

    static String sourceId(TextEvent event, String key, RecordMetadata metadata) {
        if (event.getId() != null && !event.getId().isBlank()) {
            return checkedId(event.getId(), "event id");
        }
        if (key != null && !key.isBlank()) {
            return checkedId(key, "record key");
        }
        if (metadata == null) {
            throw new InvalidEventException("text event has no id, no key and no source offset");
        }
        return metadata.topic() + "-" + metadata.partition() + "-" + metadata.offset();
    }

    private static String checkedId(String id, String what) {
        if (id.length() > EventChecks.MAX_ID_LENGTH || id.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidEventException("invalid " + what + " (longer than " + EventChecks.MAX_ID_LENGTH
                    + " characters, or with control characters): it becomes the output key");
        }
        return id;
    }
}
