package io.streamvec.serde;

import io.streamvec.avro.TextEvent;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads {@code text-events} values, which are either Avro {@link TextEvent}s in the Confluent wire
 * format (first byte 0) or plain UTF-8 text (anything else). Plain text becomes a {@code TextEvent}
 * with no id and no timestamp. Invalid UTF-8 is an error, never silently replaced, and so is "text" with
 * control characters other than whitespace (binary data, or a framed record with a wrong magic byte).
 */
public final class TextEventDeserializer implements Deserializer<TextEvent> {

    private final AvroSerde<TextEvent> avro;

    public TextEventDeserializer(SchemaRegistry registry) {
        this.avro = new AvroSerde<>(TextEvent.class, registry);
    }

    @Override
    public TextEvent deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (WireFormat.looksFramed(data)) {
            return avro.deserialize(topic, data);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SerializationException(WireFormat.problem(topic,
                    "value is neither an Avro TextEvent (magic byte 0) nor valid UTF-8 text: " + e), e);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) && !Character.isWhitespace(c)) {
                throw new SerializationException(WireFormat.problem(topic, String.format(
                        "value looks binary (control character U+%04X at %d): neither an Avro TextEvent (magic "
                                + "byte 0) nor text", (int) c, i)));
            }
        }
        return TextEvent.newBuilder().setText(text).build();
    }
}
