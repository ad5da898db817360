package org.hearth.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hearth.core.wire.WireSamples.ID;
import static org.hearth.core.wire.WireSamples.id;
import static org.hearth.core.wire.WireSamples.overlay;
import static org.hearth.core.wire.WireSamples.v1;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Stream;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.wire.proto.Ack;
import org.hearth.core.wire.proto.ChatMessage;
import org.hearth.core.wire.proto.ContactAccept;
import org.hearth.core.wire.proto.ContactRequest;
import org.hearth.core.wire.proto.FetchRequest;
import org.hearth.core.wire.proto.Hello;
import org.hearth.core.wire.proto.PeerMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class WireCodecTest {

    // --- round trips -------------------------------------------------------------------------------------

    static Stream<Arguments> everyBodyType() {
        return Arrays.stream(WireSamples.everyBodyType()).map(m -> Arguments.of(m.getBodyCase(), m));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyBodyType")
    void decode_encodedMessageOfEveryBodyType_equalsOriginal(PeerMessage.BodyCase body, PeerMessage m)
            throws Exception {
        assertThat(WireCodec.decode(WireCodec.encode(m))).isEqualTo(m);
    }

    @Test
    void decode_chatWithEmptyTextField_isAccepted() throws Exception {
        // ChatOverlay.parse does not apply text()'s 1-character minimum; the codec accepts what parse accepts.
        PeerMessage m = WireSamples.chatWithOverlay(overlay("{\"o\":1,\"d\":\"\"}"));
        assertThat(WireCodec.decode(WireCodec.encode(m))).isEqualTo(m);
    }

    @Test
    void decode_contactRequestWithEmptyNameAndHint_isAccepted() throws Exception {
        PeerMessage m = v1().setContactRequest(ContactRequest.newBuilder().setId(ID)).build();
        assertThat(WireCodec.decode(WireCodec.encode(m))).isEqualTo(m);
    }

    @Test
    void decode_chatSentAtZero_isAccepted() throws Exception {
        PeerMessage m = v1().setChat(WireSamples.chat().getChat().toBuilder().setSentAtMs(0)).build();
        assertThat(WireCodec.decode(WireCodec.encode(m))).isEqualTo(m);
    }

    // --- size ----------------------------------------------------------------------------------------------

    /** A valid hello padded with an unknown length-delimited field to exactly {@code size} encoded bytes. */
    private static PeerMessage helloOfSize(int size) {
        int base = WireSamples.hello().getSerializedSize();
        int fill = size - base - 2 - 3; // 2-byte tag for field 100, 3-byte varint length
        PeerMessage m = WireSamples.hello().toBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(100, UnknownFieldSet.Field.newBuilder()
                        .addLengthDelimited(ByteString.copyFrom(new byte[fill])).build())
                .build()).build();
        assertThat(m.getSerializedSize()).isEqualTo(size);
        return m;
    }

    @Test
    void decode_messageOfExactlyMaxSize_isAccepted() throws Exception {
        PeerMessage m = helloOfSize(WireCodec.MAX_MESSAGE_BYTES);
        assertThat(WireCodec.decode(m.toByteArray())).isEqualTo(m);
    }

    @Test
    void decode_messageOneByteOverMaxSize_throwsMalformed() {
        byte[] data = helloOfSize(WireCodec.MAX_MESSAGE_BYTES + 1).toByteArray();
        assertThatThrownBy(() -> WireCodec.decode(data)).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void decode_hugeGarbage_throwsMalformedBeforeParsing() {
        assertThatThrownBy(() -> WireCodec.decode(new byte[10 * WireCodec.MAX_MESSAGE_BYTES]))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("too large");
    }

    @Test
    void encode_messageOverMaxSize_throwsIllegalArgument() {
        PeerMessage m = helloOfSize(WireCodec.MAX_MESSAGE_BYTES + 1);
        assertThatThrownBy(() -> WireCodec.encode(m)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encode_messageOfExactlyMaxSize_isAccepted() {
        assertThat(WireCodec.encode(helloOfSize(WireCodec.MAX_MESSAGE_BYTES))).hasSize(WireCodec.MAX_MESSAGE_BYTES);
    }

    // --- version and body ---------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 255, Integer.MAX_VALUE, -1})
    void decode_wrongVersion_throwsMalformed(int version) {
        byte[] data = WireSamples.hello().toBuilder().setVersion(version).build().toByteArray();
        assertThatThrownBy(() -> WireCodec.decode(data))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("version");
    }

    @Test
    void decode_noBody_throwsMalformed() {
        byte[] data = v1().build().toByteArray();
        assertThatThrownBy(() -> WireCodec.decode(data))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("no body");
    }

    @Test
    void decode_emptyInput_throwsMalformed() {
        assertThatThrownBy(() -> WireCodec.decode(new byte[0])).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void decode_twoBodiesConcatenated_lastBodyWins() throws Exception {
        // Protobuf merges concatenated messages and a oneof keeps its last member; the codec inherits that.
        byte[] hello = WireSamples.hello().toByteArray();
        byte[] ack = WireSamples.ack().toByteArray();
        byte[] both = Arrays.copyOf(hello, hello.length + ack.length);
        System.arraycopy(ack, 0, both, hello.length, ack.length);
        assertThat(WireCodec.decode(both)).isEqualTo(WireSamples.ack());
    }

    // --- ids ----------------------------------------------------------------------------------------------

    static Stream<Arguments> bodiesWithIds() {
        Function<ByteString, PeerMessage> request = id -> v1()
                .setContactRequest(ContactRequest.newBuilder().setId(id).setName("a")).build();
        Function<ByteString, PeerMessage> accept = id -> v1()
                .setContactAccept(ContactAccept.newBuilder().setId(id).setName("a")).build();
        Function<ByteString, PeerMessage> chat = id -> v1().setChat(ChatMessage.newBuilder().setId(id)
                .setOverlay(overlay("{\"o\":1,\"d\":\"x\"}"))).build();
        Function<ByteString, PeerMessage> ack = id -> v1().setAck(Ack.newBuilder().setId(id)).build();
        return Stream.of(Arguments.of("contact request", request), Arguments.of("contact accept", accept),
                Arguments.of("chat", chat), Arguments.of("ack", ack));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodiesWithIds")
    void decode_idOf15Or17OrNoBytes_throwsMalformed(String body, Function<ByteString, PeerMessage> withId) {
        for (int length : new int[] {0, 1, 15, 17, 32}) {
            byte[] data = withId.apply(id(length)).toByteArray();
            assertThatThrownBy(() -> WireCodec.decode(data)).as("%s with %d-byte id", body, length)
                    .isInstanceOf(MalformedMessageException.class).hasMessageContaining("id");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodiesWithIds")
    void decode_idOf16Bytes_isAccepted(String body, Function<ByteString, PeerMessage> withId) throws Exception {
        PeerMessage m = withId.apply(id(16));
        assertThat(WireCodec.decode(m.toByteArray())).isEqualTo(m);
    }

    // --- names and hints ----------------------------------------------------------------------------------

    static Stream<Arguments> namesAtTheLimit() {
        return Stream.of(Arguments.of("a".repeat(64), true), Arguments.of("a".repeat(65), false),
                Arguments.of("é".repeat(32), true), Arguments.of("é".repeat(33), false),       // 2 bytes each
                Arguments.of("€".repeat(21), true), Arguments.of("€".repeat(22), false),       // 3 bytes each
                Arguments.of("😀".repeat(16), true), Arguments.of("😀".repeat(17), false));   // 4 bytes each
    }

    @ParameterizedTest(name = "{index}: accepted={1}")
    @MethodSource("namesAtTheLimit")
    void decode_nameNearLimitOf64Utf8Bytes_acceptedOnlyWithinLimit(String name, boolean accepted) throws Exception {
        PeerMessage request = WireSamples.contactRequestNamed(name);
        PeerMessage accept = v1().setContactAccept(ContactAccept.newBuilder().setId(ID).setName(name)).build();
        for (PeerMessage m : new PeerMessage[] {request, accept}) {
            if (accepted) {
                assertThat(WireCodec.decode(m.toByteArray())).isEqualTo(m);
            } else {
                assertThatThrownBy(() -> WireCodec.decode(m.toByteArray()))
                        .isInstanceOf(MalformedMessageException.class).hasMessageContaining("name");
            }
        }
    }

    static Stream<Arguments> hintBodies() {
        Function<String, PeerMessage> hello = h -> v1().setHello(Hello.newBuilder().setEndpointHint(h)).build();
        Function<String, PeerMessage> request = h -> v1()
                .setContactRequest(ContactRequest.newBuilder().setId(ID).setEndpointHint(h)).build();
        Function<String, PeerMessage> accept = h -> v1()
                .setContactAccept(ContactAccept.newBuilder().setId(ID).setEndpointHint(h)).build();
        return Stream.of(Arguments.of("hello", hello), Arguments.of("contact request", request),
                Arguments.of("contact accept", accept));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hintBodies")
    void decode_hintOf300Bytes_isAccepted(String body, Function<String, PeerMessage> withHint) throws Exception {
        PeerMessage m = withHint.apply("h".repeat(300));
        assertThat(WireCodec.decode(m.toByteArray())).isEqualTo(m);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hintBodies")
    void decode_hintOf301Bytes_throwsMalformed(String body, Function<String, PeerMessage> withHint) {
        for (String hint : new String[] {"h".repeat(301), "é".repeat(151)}) {
            byte[] data = withHint.apply(hint).toByteArray();
            assertThatThrownBy(() -> WireCodec.decode(data))
                    .isInstanceOf(MalformedMessageException.class).hasMessageContaining("hint");
        }
    }

    private static final String[] CONTROL_CHARACTERS = {"\u0000", "\t", "\n", "\r", "\u001b", "\u007f", "\u0085",
            "\u009f"};

    @ParameterizedTest(name = "{0}")
    @MethodSource("hintBodies")
    void decode_hintWithControlCharacter_throwsMalformed(String body, Function<String, PeerMessage> withHint) {
        for (String c : CONTROL_CHARACTERS) {
            byte[] data = withHint.apply("host" + c + ":1").toByteArray();
            assertThatThrownBy(() -> WireCodec.decode(data)).as("U+%04X", (int) c.charAt(0))
                    .isInstanceOf(MalformedMessageException.class).hasMessageContaining("control");
        }
    }

    @Test
    void decode_nameWithControlCharacter_throwsMalformed() {
        for (String c : CONTROL_CHARACTERS) {
            byte[] request = WireSamples.contactRequestNamed("Al" + c + "ice").toByteArray();
            byte[] accept = v1().setContactAccept(ContactAccept.newBuilder().setId(ID).setName(c)).build()
                    .toByteArray();
            for (byte[] data : new byte[][] {request, accept}) {
                assertThatThrownBy(() -> WireCodec.decode(data)).as("U+%04X", (int) c.charAt(0))
                        .isInstanceOf(MalformedMessageException.class).hasMessageContaining("control");
            }
        }
    }

    @Test
    void decode_nameWithBidiOverrideOrZeroWidthCharacter_isAccepted() throws Exception {
        // Only ISO control characters are refused; format characters such as U+202E (right-to-left override)
        // and U+200B pass, so a UI showing names must still isolate them.
        PeerMessage m = WireSamples.contactRequestNamed("Alice\u202Eecila\u200B");
        assertThat(WireCodec.decode(m.toByteArray())).isEqualTo(m);
    }

    @Test
    void decode_nameWithInvalidUtf8_throwsMalformed() {
        byte[] data = WireSamples.contactRequestNamed("ABCD").toByteArray();
        int at = indexOf(data, "ABCD".getBytes(StandardCharsets.US_ASCII));
        data[at] = (byte) 0xff;
        data[at + 1] = (byte) 0xfe;
        assertThatThrownBy(() -> WireCodec.decode(data)).isInstanceOf(MalformedMessageException.class);
    }

    // --- chat ---------------------------------------------------------------------------------------------

    @Test
    void decode_chatWithNegativeSentAt_throwsMalformed() {
        byte[] data = v1().setChat(WireSamples.chat().getChat().toBuilder().setSentAtMs(-1)).build().toByteArray();
        assertThatThrownBy(() -> WireCodec.decode(data)).isInstanceOf(MalformedMessageException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "{\"o\":1,\"d\":\"x\"", "{'o':1,'d':'x'}", "{\"o\":1,\"d\":\"x\",}"})
    void decode_chatOverlayNotJson_throwsMalformed(String json) {
        byte[] data = WireSamples.chatWithOverlay(overlay(json)).toByteArray();
        assertThatThrownBy(() -> WireCodec.decode(data)).isInstanceOf(MalformedMessageException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1,\"x\"]", "\"text\"", "1", "null", "true", "{}", "{\"o\":1}", "{\"d\":\"x\"}",
            "{\"o\":\"1\",\"d\":\"x\"}", "{\"o\":1,\"d\":2}"})
    void decode_chatOverlayNotAnOverlayObject_throwsMalformed(String json) {
        byte[] data = WireSamples.chatWithOverlay(overlay(json)).toByteArray();
        assertThatThrownBy(() -> WireCodec.decode(data)).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void decode_chatOverlayNestedTooDeeply_throwsMalformed() {
        String deep = "{\"o\":1,\"d\":\"x\",\"n\":" + "[".repeat(100) + "]".repeat(100) + "}";
        byte[] data = WireSamples.chatWithOverlay(overlay(deep)).toByteArray();
        assertThatThrownBy(() -> WireCodec.decode(data)).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void decode_chatOverlayLargerThanOverlayLimit_throwsMalformed() {
        String big = "{\"o\":1,\"d\":\"" + "x".repeat(ChatOverlay.MAX_BYTES) + "\"}";
        byte[] data = WireSamples.chatWithOverlay(overlay(big)).toByteArray();
        assertThat(data.length).isLessThan(WireCodec.MAX_MESSAGE_BYTES);
        assertThatThrownBy(() -> WireCodec.decode(data)).isInstanceOf(MalformedMessageException.class);
    }

    // --- framing, nesting, unknown fields -----------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyBodyType")
    void decode_everyStrictPrefixOfValidMessage_throwsMalformed(PeerMessage.BodyCase body, PeerMessage m) {
        byte[] full = m.toByteArray();
        for (int length = 0; length < full.length; length++) {
            byte[] prefix = Arrays.copyOf(full, length);
            assertThatThrownBy(() -> WireCodec.decode(prefix)).as("prefix of %d bytes", length)
                    .isInstanceOf(MalformedMessageException.class);
        }
    }

    @Test
    void decode_strayEndGroupTag_throwsMalformed() {
        byte[] hello = WireSamples.hello().toByteArray();
        byte[] data = Arrays.copyOf(hello, hello.length + 1);
        data[hello.length] = 0x0c; // field 1, wire type 4 (end group) with no group open
        assertThatThrownBy(() -> WireCodec.decode(data)).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void decode_unknownGroupsNestedBeyondRecursionLimit_throwsMalformed() {
        byte[] data = WireSamples.nestedUnknownGroups(9, WireSamples.hello().toByteArray());
        assertThatThrownBy(() -> WireCodec.decode(data)).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void decode_unknownGroupsNestedToRecursionLimit_areTolerated() throws Exception {
        byte[] data = WireSamples.nestedUnknownGroups(8, WireSamples.hello().toByteArray());
        assertThat(WireCodec.decode(data).getHello()).isEqualTo(WireSamples.hello().getHello());
    }

    @Test
    void decode_15000NestedUnknownGroups_throwsMalformedNotStackOverflow() {
        byte[] data = WireSamples.nestedUnknownGroups(15_000, WireSamples.hello().toByteArray());
        assertThat(data.length).isLessThanOrEqualTo(WireCodec.MAX_MESSAGE_BYTES);
        assertThatThrownBy(() -> WireCodec.decode(data)).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void decode_shallowlyNestedUnknownGroups_areToleratedAndKept() throws Exception {
        byte[] data = WireSamples.nestedUnknownGroups(3, WireSamples.hello().toByteArray());
        PeerMessage m = WireCodec.decode(data);
        assertThat(m.getHello()).isEqualTo(WireSamples.hello().getHello());
        assertThat(m.getUnknownFields().hasField(99)).isTrue();
    }

    @Test
    void decode_unknownTopLevelField_isToleratedAndKept() throws Exception {
        byte[] hello = WireSamples.hello().toByteArray();
        byte[] data = Arrays.copyOf(hello, hello.length + 3);
        data[hello.length] = (byte) 0x98; // field 99, varint
        data[hello.length + 1] = 0x06;
        data[hello.length + 2] = 0x2a;
        PeerMessage m = WireCodec.decode(data);
        assertThat(m.getHello()).isEqualTo(WireSamples.hello().getHello());
        assertThat(m.getUnknownFields().getField(99).getVarintList()).containsExactly(42L);
        assertThat(WireCodec.encode(m)).isEqualTo(data);
    }

    @Test
    void decode_unknownFieldInsideBody_isToleratedAndKept() throws Exception {
        Ack ack = Ack.newBuilder().setId(ID).setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(7, UnknownFieldSet.Field.newBuilder().addFixed64(1).build()).build()).build();
        PeerMessage m = v1().setAck(ack).build();
        assertThat(WireCodec.decode(m.toByteArray())).isEqualTo(m);
    }

    @Test
    void decode_versionWithWrongWireType_isTreatedAsUnknownAndRefused() {
        // version (field 1) sent length-delimited: protobuf keeps it as an unknown field, so the message has
        // version 0 and is refused for that reason.
        byte[] body = WireSamples.hello().toBuilder().clearVersion().build().toByteArray();
        byte[] data = new byte[3 + body.length];
        data[0] = 0x0a; // field 1, length-delimited
        data[1] = 0x01;
        data[2] = 0x01;
        System.arraycopy(body, 0, data, 3, body.length);
        assertThatThrownBy(() -> WireCodec.decode(data))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("version");
    }

    // --- host API ---------------------------------------------------------------------------------------------

    @Test
    void decode_fetchRequestWithinLimits_isAccepted() throws Exception {
        PeerMessage m = v1().setFetchRequest(FetchRequest.newBuilder().setRequestId(1)
                .setLimit(WireCodec.MAX_FETCH_LIMIT).setWaitMs(WireCodec.MAX_WAIT_MS)).build();
        assertThat(WireCodec.decode(m.toByteArray())).isEqualTo(m);
    }

    /**
     * BUG: {@code limit} and {@code wait_ms} are proto {@code uint32}, read in Java as signed {@code int}; a
     * value of 2^31 or more arrives negative and passes the {@code > MAX_FETCH_LIMIT} / {@code > MAX_WAIT_MS}
     * checks, so decode returns a fetch request whose limit or wait is outside the documented bounds
     * (e.g. limit 0xFFFFFFFF reads as -1, which SQLite's LIMIT treats as "no limit").
     */
    @ParameterizedTest
    @ValueSource(strings = {"limit", "wait"})
    void decode_fetchRequestWithLimitOrWaitOf2Pow31OrMore_throwsMalformed(String field) {
        FetchRequest.Builder f = FetchRequest.newBuilder().setRequestId(1);
        if (field.equals("limit")) {
            f.setLimit(-1); // uint32 0xFFFFFFFF on the wire
        } else {
            f.setWaitMs(Integer.MIN_VALUE); // uint32 2^31
        }
        byte[] data = v1().setFetchRequest(f).build().toByteArray();
        assertThatThrownBy(() -> WireCodec.decode(data)).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void decode_fetchRequestOverLimit_throwsMalformed() {
        byte[] data = v1().setFetchRequest(FetchRequest.newBuilder().setLimit(WireCodec.MAX_FETCH_LIMIT + 1))
                .build().toByteArray();
        assertThatThrownBy(() -> WireCodec.decode(data)).isInstanceOf(MalformedMessageException.class);
    }

    // --- fuzz seeds ---------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"valid_contact_request", "valid_contact_accept", "valid_chat", "valid_ack",
            "valid_hello", "valid_fetch_request", "valid_relay_request", "unknown_fields", "two_bodies"})
    void decode_checkedInValidFuzzSeed_isAccepted(String seed) throws Exception {
        // Keeps the Jazzer seeds meaningful: these must reach the end of validation, not just parse.
        String path = "WireFuzzTestInputs/decode_fuzzedBytes_messageOrMalformed/" + seed;
        try (var in = WireCodecTest.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            assertThat(WireCodec.decode(in.readAllBytes()).getVersion()).isEqualTo(WireCodec.VERSION);
        }
    }

    // --- helpers ------------------------------------------------------------------------------------------

    @Test
    void id_16Bytes_returnsMessageId() throws Exception {
        assertThat(WireCodec.id(ID).bytes().toByteArray()).isEqualTo(ID.toByteArray());
        assertThat(WireCodec.bytes(WireCodec.id(ID).bytes())).isEqualTo(ID);
    }

    @Test
    void id_15Bytes_throwsMalformed() {
        assertThatThrownBy(() -> WireCodec.id(id(15))).isInstanceOf(MalformedMessageException.class);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
