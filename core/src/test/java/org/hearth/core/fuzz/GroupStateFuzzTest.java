package org.hearth.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import org.hearth.core.group.GroupChain;
import org.hearth.core.group.GroupState;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.GroupStateProto;

/**
 * Jazzer target for {@link GroupState#fromProto}: the snapshot a joiner receives in GroupSync and the state in
 * a genesis update's create change. Only {@link MalformedMessageException} may refuse it; a state that decodes
 * has one canonical encoding (re-encoding gives the same digest) and respects its own limits.
 *
 * <p>Regression inputs: {@code src/test/resources/org/hearth/core/fuzz/GroupStateFuzzTestInputs/<method>/};
 * fuzzing: see {@link GroupUpdateFuzzTest} and docs/reliability.md.
 */
class GroupStateFuzzTest {

    @FuzzTest
    void fromProto_fuzzedBytes_stateOrMalformed(byte[] data) {
        GroupStateProto proto;
        try {
            proto = GroupStateProto.parseFrom(data);
        } catch (InvalidProtocolBufferException refused) {
            return;
        }
        GroupState state;
        try {
            state = GroupState.fromProto(proto);
        } catch (MalformedMessageException refused) {
            return;
        }
        assertThat(state.members()).hasSizeLessThanOrEqualTo(GroupState.MAX_MEMBERS);
        assertThat(state.hosts()).hasSizeLessThanOrEqualTo(GroupState.MAX_HOSTS);
        GroupState again;
        try {
            again = GroupState.fromProto(GroupStateProto.parseFrom(state.toProto().toByteArray()));
        } catch (MalformedMessageException | InvalidProtocolBufferException e) {
            throw new AssertionError("a decoded state does not decode again from its own encoding", e);
        }
        assertThat(again.digest()).isEqualTo(state.digest());
        assertThat(again.canonical()).isEqualTo(state.canonical());
        // a snapshot offered on join is checked against the head; never an exception, whatever it holds
        GroupChain.Verdict v = GroupChain.adopt(state, FuzzFixture.head().update(), FuzzFixture.group(),
                FuzzFixture.MANAGER.address());
        if (v instanceof GroupChain.Accepted a) {
            assertThat(a.head().state().digest()).isEqualTo(FuzzFixture.head().state().digest());
        }
    }
}
