package org.hearth.core.chat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.hearth.core.wire.MalformedMessageException;

/**
 * The chat payload, Cwtch-style overlay JSON: {@code {"o":1,"d":"text"}}. Overlay 1 is a text message;
 * other overlay numbers are parsed (so newer peers interoperate) and shown as unsupported by the caller.
 */
public record ChatOverlay(int overlay, String data) {
    public static final int TEXT = 1;
    public static final int MAX_BYTES = 16 * 1024;
    public static final int MAX_TEXT_CHARS = 4000;

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(4).maxStringLength(MAX_BYTES).maxNumberLength(12).build())
            .build());

    public ChatOverlay {
        if (data == null) {
            throw new IllegalArgumentException("overlay data is missing");
        }
    }

    public static ChatOverlay text(String text) {
        if (text.isEmpty() || text.length() > MAX_TEXT_CHARS) {
            throw new IllegalArgumentException("a message has 1 to " + MAX_TEXT_CHARS + " characters");
        }
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(text)) {
            throw new IllegalArgumentException("a message must be valid Unicode text");
        }
        ChatOverlay o = new ChatOverlay(TEXT, text);
        // the receiver refuses overlays over MAX_BYTES; never send one (control characters expand 6x in JSON)
        if (o.encode().length > MAX_BYTES) {
            throw new IllegalArgumentException("a message is at most " + MAX_BYTES + " bytes once encoded");
        }
        return o;
    }

    public byte[] encode() {
        ObjectNode n = JSON.createObjectNode();
        n.put("o", overlay);
        n.put("d", data);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses an overlay object. Streams through the JSON instead of building a tree (this runs once per message,
     * a catch-up opens thousands a second), with the tree parse's outcome: extra fields are allowed (and parsed,
     * under the same limits), a repeated field's last value counts, content after the object is ignored.
     */
    public static ChatOverlay parse(byte[] json) throws MalformedMessageException {
        if (json.length > MAX_BYTES) {
            throw new MalformedMessageException("overlay larger than " + MAX_BYTES + " bytes");
        }
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw notAnOverlay();
            }
            Integer overlay = null;
            String data = null;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("o")) {
                    overlay = value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT
                            ? Integer.valueOf(p.getIntValue()) : other(p);
                } else if (field.equals("d")) {
                    data = value == JsonToken.VALUE_STRING ? p.getText() : other(p);
                } else {
                    other(p);
                }
            }
            if (t != JsonToken.END_OBJECT || overlay == null || data == null) {
                throw notAnOverlay();
            }
            return new ChatOverlay(overlay, data);
        } catch (IOException e) {
            throw new MalformedMessageException("overlay is not JSON", e);
        }
    }

    /** Any other value: parsed whole (as the tree parse would), and of no use here. */
    private static <T> T other(JsonParser p) throws IOException {
        p.readValueAsTree();
        return null;
    }

    private static MalformedMessageException notAnOverlay() {
        return new MalformedMessageException("overlay must be {\"o\":int,\"d\":string}");
    }
}
