package io.streamvec.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.avro.TextEvent;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class TextEventDeserializerTest {

    private final SchemaRegistry registry = EmbeddedSchemaRegistry.bundled();
    private final TextEventDeserializer deserializer = new TextEventDeserializer(registry);

    @Test
    void plainUtf8BecomesAnEventWithoutIdOrTimestamp() {
        TextEvent event = deserializer.deserialize("text-events", "Grüße 🚀".getBytes(StandardCharsets.UTF_8));
        assertEquals("Grüße 🚀", event.getText());
        assertNull(event.getId());
        assertNull(event.getTimestampMs());
    }

    @Test
    void avroEventsAreReadWhole() {
        TextEvent sent = TextEvent.newBuilder().setId("e-1").setText("hello").setTimestampMs(5L).build();
        byte[] bytes = new AvroSerde<>(TextEvent.class, registry).serialize("text-events", sent);
        assertEquals(sent, deserializer.deserialize("text-events", bytes));
    }

    @Test
    void invalidUtf8IsAnErrorNotAReplacementCharacter() {
        byte[] invalid = {'a', (byte) 0xC3, (byte) 0x28, 'b'};
        SerializationException e = assertThrows(SerializationException.class,
                () -> deserializer.deserialize("text-events", invalid));
        assertTrue(e.getMessage().contains("text-events") && e.getMessage().contains("UTF-8"), e.getMessage());
    }

    @Test
    void aFramedValueThatIsNotATextEventIsAnError() {
        assertThrows(SerializationException.class, () -> deserializer.deserialize("text-events", new byte[] {0, 1}));
    }

    @Test
    void binaryLookingTextIsAnErrorButWhitespaceControlsAreText() {
        byte[] wrongMagic = new AvroSerde<>(TextEvent.class, EmbeddedSchemaRegistry.bundled())
                .serialize("text-events", TextEvent.newBuilder().setText("hi").build());
        wrongMagic[0] = 1;
        assertThrows(SerializationException.class, () -> deserializer.deserialize("text-events", wrongMagic));
        SerializationException e = assertThrows(SerializationException.class, () -> deserializer.deserialize(
                "text-events", "hello\u0001world".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("U+0001 at 5"), e.getMessage());
        assertEquals("tab\tand\nlines\r\n", deserializer.deserialize("text-events",
                "tab\tand\nlines\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)).getText());
    }
}
