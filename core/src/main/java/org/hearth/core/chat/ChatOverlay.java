package org.hearth.core.chat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
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

    public static ChatOverlay parse(byte[] json) throws MalformedMessageException {
        if (json.length > MAX_BYTES) {
            throw new MalformedMessageException("overlay larger than " + MAX_BYTES + " bytes");
        }
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (IOException e) {
            throw new MalformedMessageException("overlay is not JSON", e);
        }
        if (n == null || !n.isObject() || !n.path("o").isInt() || !n.path("d").isTextual()) {
            throw new MalformedMessageException("overlay must be {\"o\":int,\"d\":string}");
        }
        return new ChatOverlay(n.get("o").intValue(), n.get("d").textValue());
    }
}
