package org.hearth.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.group.EquivocationProof;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.SignedUpdate;

/**
 * Jazzer targets for {@link EquivocationProof#verify} (docs/protocol.md §7.3; {@code hearth verify-proof} runs it
 * on files anyone may hand over): may refuse only with {@link MalformedMessageException} or
 * {@link CryptoException}; a proof that verifies is two different manager-signed updates of one (group, epoch).
 *
 * <p>Input layout: {@code u16 len ‖ first ‖ second} ({@link FuzzFixture#split}). Regression inputs:
 * {@code src/test/resources/org/hearth/core/fuzz/EquivocationProofFuzzTestInputs/<method>/}.
 */
class EquivocationProofFuzzTest {

    /** Two SignedUpdates as exported to a proof file. */
    @FuzzTest
    void verify_fuzzedSignedUpdates_proofOrRefused(byte[] data) {
        byte[][] part = FuzzFixture.split(data, 2);
        SignedUpdate a;
        SignedUpdate b;
        try {
            a = SignedUpdate.parseFrom(part[0]);
            b = SignedUpdate.parseFrom(part[1]);
        } catch (InvalidProtocolBufferException refused) {
            return;
        }
        verify(a, b);
    }

    /** Two bodies of the fuzzer's, both signed by the manager: the checks behind the signatures. */
    @FuzzTest
    void verify_fuzzedBodiesSignedByManager_proofOrMalformed(byte[] data) {
        byte[][] part = FuzzFixture.split(data, 2);
        verify(FuzzFixture.signUpdateBody(FuzzFixture.MANAGER, part[0]),
                FuzzFixture.signUpdateBody(FuzzFixture.MANAGER, part[1]));
    }

    private static void verify(SignedUpdate a, SignedUpdate b) {
        EquivocationProof p;
        try {
            p = EquivocationProof.verify(FuzzFixture.MANAGER.address(), a, b);
        } catch (MalformedMessageException | CryptoException refused) {
            return;
        }
        assertThat(p.first().groupId()).isEqualTo(p.second().groupId());
        assertThat(p.first().epoch()).isEqualTo(p.second().epoch());
        assertThat(p.first().hash()).isNotEqualTo(p.second().hash());
        assertThat(p.manager()).isEqualTo(FuzzFixture.MANAGER.address());
    }
}
