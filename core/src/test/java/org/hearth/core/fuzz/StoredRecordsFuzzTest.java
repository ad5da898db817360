package org.hearth.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.List;
import org.hearth.core.group.EquivocationProof;
import org.hearth.core.group.GroupChain;
import org.hearth.core.group.GroupState;
import org.hearth.core.group.GroupUpdate;
import org.hearth.core.group.ManagerEngine;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.Change;
import org.hearth.core.wire.proto.GroupStateProto;
import org.hearth.core.wire.proto.GroupUpdateBody;
import org.hearth.core.wire.proto.SignedUpdate;

/**
 * Jazzer targets for the records a node reads back from its store, through the same public parse functions
 * {@code node.group.GroupRepository} uses: a {@code groups} row (state, head, the manager's pending changes), a
 * {@code group_updates} row (signed update, state of that epoch) and a {@code group_proofs} row. The store is
 * encrypted and written only by the node, so a bad row means a bug or a damaged disk; what matters is that
 * reading it fails with the declared errors (the repository maps them to {@code SQLException}: "corrupt row"),
 * and that what the node wrote it reads back identically.
 *
 * <p>Input layout: {@code u16 len ‖ column ‖ … ‖ last column} ({@link FuzzFixture#split}). Regression inputs:
 * {@code src/test/resources/org/hearth/core/fuzz/StoredRecordsFuzzTestInputs/<method>/}.
 */
class StoredRecordsFuzzTest {

    /** {@code groups} row: state, head, pending (as {@code GroupRepository.read}), then the manager's session. */
    @FuzzTest
    void groupRow_fuzzedColumns_recordOrCorrupt(byte[] data) {
        byte[][] col = FuzzFixture.split(data, 3);
        GroupState state;
        GroupUpdate head;
        List<Change> pending;
        try {
            state = GroupState.fromProto(GroupStateProto.parseFrom(col[0]));
            head = GroupUpdate.parse(SignedUpdate.parseFrom(col[1]));
            pending = GroupUpdateBody.parseFrom(col[2]).getChangesList();
        } catch (InvalidProtocolBufferException | MalformedMessageException corrupt) {
            return;
        }
        roundTrip(state);
        // ManagerRole.session(): the pending changes are re-applied to the head state
        GroupState pendingState;
        try {
            pendingState = GroupChain.applyChanges(state, pending);
        } catch (MalformedMessageException corrupt) {
            return;
        }
        roundTrip(pendingState);
        ManagerEngine.Session session = new ManagerEngine.Session(new GroupChain.Head(state, head), pending,
                pendingState, FuzzFixture.T0, 0, true);
        // the next tick issues an update for everything pending; the update it signs must be one members parse
        ManagerEngine.Step step = ManagerEngine.tick(session, FuzzFixture.MANAGER, FuzzFixture.T0.plusSeconds(60),
                FuzzFixture.seeded(1));
        GroupUpdate issued = step.issued().orElseThrow().update();
        assertThat(issued.epoch()).isEqualTo(head.epoch() + 1);
        assertThat(issued.stateDigest()).isEqualTo(step.session().head().state().digest());
        // more pending than one update carries (a session stored by older code): the rest waits for the next epoch
        assertThat(step.session().pendingState().digest()).isEqualTo(pendingState.digest());
        if (step.session().pending().isEmpty()) {
            assertThat(issued.stateDigest()).isEqualTo(pendingState.digest());
        }
    }

    /** {@code group_updates} row: the signed update and the state it produced (read per epoch by the host). */
    @FuzzTest
    void updateRow_fuzzedColumns_updateOrCorrupt(byte[] data) {
        byte[][] col = FuzzFixture.split(data, 2);
        GroupUpdate update;
        GroupState state;
        try {
            update = GroupUpdate.parse(SignedUpdate.parseFrom(col[0]));
            state = GroupState.fromProto(GroupStateProto.parseFrom(col[1]));
        } catch (InvalidProtocolBufferException | MalformedMessageException corrupt) {
            return;
        }
        try {
            // the hash (the chain link) is over the stored body bytes: reading the row again gives the same link
            assertThat(GroupUpdate.parse(SignedUpdate.parseFrom(update.signed().toByteArray())).hash())
                    .isEqualTo(update.hash());
        } catch (InvalidProtocolBufferException | MalformedMessageException e) {
            throw new AssertionError("a stored update cannot be read back", e);
        }
        roundTrip(state);
    }

    /** {@code group_proofs} row: two signed updates, checked again when exported ({@code hearth verify-proof}). */
    @FuzzTest
    void proofRow_fuzzedColumns_proofOrRefused(byte[] data) {
        byte[][] col = FuzzFixture.split(data, 2);
        try {
            EquivocationProof p = EquivocationProof.verify(FuzzFixture.MANAGER.address(), SignedUpdate.parseFrom(col[0]),
                    SignedUpdate.parseFrom(col[1]));
            assertThat(p.first().epoch()).isEqualTo(p.second().epoch());
        } catch (InvalidProtocolBufferException | MalformedMessageException | CryptoException refused) {
            // a damaged proof proves nothing, and says so
        }
    }

    private static void roundTrip(GroupState state) {
        GroupState again;
        try {
            again = GroupState.fromProto(GroupStateProto.parseFrom(state.toProto().toByteArray()));
        } catch (MalformedMessageException | InvalidProtocolBufferException e) {
            throw new AssertionError("a state the node would store cannot be read back: " + e.getMessage(), e);
        }
        assertThat(again.digest()).as("digest of a state read back from the store").isEqualTo(state.digest());
    }
}
