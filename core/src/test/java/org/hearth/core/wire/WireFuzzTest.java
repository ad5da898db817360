package org.hearth.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.hearth.core.channel.FramePadding;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.wire.proto.PeerMessage;

/**
 * Jazzer targets for every decoder of remote bytes. Each may refuse input only with
 * {@link MalformedMessageException}; any other throwable escapes and is a finding.
 *
 * <p>{@code mvn test} replays the checked-in inputs under
 * {@code src/test/resources/org/hearth/core/wire/WireFuzzTestInputs/<method>/} (regression mode). To fuzz one
 * target for a minute:
 * <pre>
 * JAZZER_FUZZ=1 JAZZER_MAX_DURATION=60s JAZZER_INSTRUMENT='org.hearth.**,com.google.protobuf.**,com.fasterxml.jackson.**' \
 *   ./mvnw -pl core test -Dtest='WireFuzzTest#decode_fuzzedBytes_messageOrMalformed'
 * </pre>
 * Without {@code JAZZER_INSTRUMENT} only classes from directories are instrumented, so the protobuf and Jackson
 * parsers give the fuzzer no coverage feedback. Crashing inputs are written to the inputs directory and become
 * regression inputs; the generated corpus goes to {@code core/.cifuzz-corpus/}.
 */
class WireFuzzTest {

    @FuzzTest
    void decode_fuzzedBytes_messageOrMalformed(byte[] data) {
        PeerMessage m;
        try {
            m = WireCodec.decode(data);
        } catch (MalformedMessageException refused) {
            return;
        }
        try {
            assertThat(WireCodec.decode(WireCodec.encode(m))).isEqualTo(m);
        } catch (MalformedMessageException e) {
            throw new AssertionError("re-encoding a decoded message made it malformed", e);
        }
    }

    @FuzzTest
    void unpad_fuzzedBytes_payloadOrMalformed(byte[] plain) {
        byte[] payload;
        try {
            payload = FramePadding.unpad(plain);
        } catch (MalformedMessageException refused) {
            return;
        }
        assertThat(payload.length).isLessThanOrEqualTo(plain.length - 2);
        try {
            assertThat(FramePadding.unpad(FramePadding.pad(payload))).isEqualTo(payload);
        } catch (MalformedMessageException e) {
            throw new AssertionError("re-padding an unpadded payload made it malformed", e);
        }
    }

    @FuzzTest
    void parseOverlay_fuzzedBytes_overlayOrMalformed(byte[] json) {
        ChatOverlay overlay;
        try {
            overlay = ChatOverlay.parse(json);
        } catch (MalformedMessageException refused) {
            return;
        }
        assertThat(overlay.data()).isNotNull();
    }
}
