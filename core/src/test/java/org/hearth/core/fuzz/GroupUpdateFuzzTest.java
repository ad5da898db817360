package org.hearth.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import org.hearth.core.group.GroupChain;
import org.hearth.core.group.GroupState;
import org.hearth.core.group.GroupUpdate;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.SignedUpdate;

/**
 * Jazzer targets for the group log (docs/protocol.md §5): {@link GroupUpdate#parse} and the member's rules
 * {@link GroupChain#apply} / {@link GroupChain#genesis} on the fixed head of {@link FuzzFixture}. Parsing may
 * refuse only with {@link MalformedMessageException}; the rules never throw, they return a verdict.
 *
 * <p>{@code mvn test} replays the inputs under
 * {@code src/test/resources/org/hearth/core/fuzz/GroupUpdateFuzzTestInputs/<method>/}. To fuzz one target for a
 * minute (see docs/reliability.md; without {@code JAZZER_INSTRUMENT} protobuf gets no coverage feedback):
 * <pre>
 * JAZZER_FUZZ=1 JAZZER_MAX_DURATION=60s JAZZER_INSTRUMENT='org.hearth.**,com.google.protobuf.**' \
 *   ./mvnw -pl core test -Dtest='GroupUpdateFuzzTest#apply_fuzzedBodySignedByManager_verdictNeverThrows'
 * </pre>
 */
class GroupUpdateFuzzTest {

    /** Raw bytes as a member receives them in an EpochDelivery: nearly always refused as forged. */
    @FuzzTest
    void parse_fuzzedSignedUpdate_updateOrMalformed(byte[] data) {
        SignedUpdate signed;
        try {
            signed = SignedUpdate.parseFrom(data);
        } catch (InvalidProtocolBufferException refused) {
            return;
        }
        GroupUpdate update;
        try {
            update = GroupUpdate.parse(signed);
        } catch (MalformedMessageException refused) {
            return;
        }
        checkParsed(update);
        checkVerdicts(update);
    }

    /**
     * The body is the fuzzer's, the signature the real manager's: this reaches the chain and change rules a
     * forger never could, i.e. it asks what a buggy or hostile manager can do to its members.
     */
    @FuzzTest
    void apply_fuzzedBodySignedByManager_verdictNeverThrows(byte[] body) {
        GroupUpdate update;
        try {
            update = GroupUpdate.parse(FuzzFixture.signUpdateBody(FuzzFixture.MANAGER, body));
        } catch (MalformedMessageException refused) {
            return;
        }
        checkParsed(update);
        checkVerdicts(update);
    }

    private static void checkParsed(GroupUpdate update) {
        assertThat(update.prevHash().length()).isEqualTo(32);
        assertThat(update.stateDigest().length()).isEqualTo(32);
        assertThat(update.changes()).isNotEmpty();
        try {
            // the hash is over the bytes received: parsing what we hold again gives the same update
            assertThat(GroupUpdate.parse(SignedUpdate.parseFrom(update.signed().toByteArray())).hash())
                    .isEqualTo(update.hash());
        } catch (MalformedMessageException | InvalidProtocolBufferException e) {
            throw new AssertionError("a parsed update no longer parses from its own bytes", e);
        }
    }

    private static void checkVerdicts(GroupUpdate update) {
        GroupChain.Head head = FuzzFixture.head();
        GroupChain.Verdict v = GroupChain.apply(head, update, FuzzFixture.ACCEPTED_AT);
        if (v instanceof GroupChain.Accepted a) {
            assertThat(update.epoch()).isEqualTo(head.epoch() + 1);
            assertThat(update.prevHash()).isEqualTo(head.update().hash());
            checkState(a.head().state(), update);
        } else if (v instanceof GroupChain.Equivocated e) {
            assertThat(e.proof().epoch()).isLessThanOrEqualTo(head.epoch());
            assertThat(e.proof().first().hash()).isNotEqualTo(e.proof().second().hash());
        }
        GroupChain.Verdict g = GroupChain.genesis(update, FuzzFixture.MANAGER.address());
        if (g instanceof GroupChain.Accepted a) {
            assertThat(update.epoch()).isZero();
            assertThat(a.head().state().manager()).isEqualTo(FuzzFixture.MANAGER.address());
            checkState(a.head().state(), update);
        } else {
            assertThat(g).isInstanceOf(GroupChain.Refused.class);
        }
    }

    /** An accepted state is what the manager signed, and survives the store's round trip unchanged. */
    private static void checkState(GroupState state, GroupUpdate update) {
        assertThat(state.digest()).isEqualTo(update.stateDigest());
        try {
            assertThat(GroupState.fromProto(state.toProto()).digest()).isEqualTo(state.digest());
        } catch (MalformedMessageException e) {
            throw new AssertionError("an accepted state does not survive toProto/fromProto", e);
        }
    }
}
