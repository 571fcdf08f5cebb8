package io.streamvec.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes one percent-encoded URL component (RFC 3986) as UTF-8. Unlike {@link java.net.URLDecoder} it
 * leaves '+' alone (a path segment is not a form), and it rejects malformed escapes and invalid UTF-8
 * instead of substituting characters.
 */
final class PercentDecoder {

    private PercentDecoder() {}

    /** The decoded text; {@link HttpError} 400 when {@code raw} is not valid percent-encoded UTF-8. */
    static String decode(String raw, String what) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); ) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw HttpError.badRequest(what + " has a malformed percent escape");
                }
                bytes.write((hi << 4) | lo);
                i += 3;
            } else {
                // Characters outside escapes are taken as they are (a raw URI holds ASCII; be lenient otherwise).
                int cp = raw.codePointAt(i);
                byte[] utf8 = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
                i += Character.charCount(cp);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw HttpError.badRequest(what + " is not valid UTF-8");
        }
    }
}
