package org.hearth.core.group;

import org.hearth.core.crypto.CryptoException;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.SignedUpdate;

/**
 * Two different updates for the same (group, epoch), both signed by the manager: proof that the manager
 * showed different members different states. Anyone with the two signed updates can check it.
 */
public record EquivocationProof(Address manager, GroupUpdate first, GroupUpdate second) {

    /** Checks the proof from its parts alone; throws with the reason when it proves nothing. */
    public static EquivocationProof verify(Address manager, SignedUpdate a, SignedUpdate b)
            throws MalformedMessageException, CryptoException {
        GroupUpdate ua = GroupUpdate.parse(a);
        GroupUpdate ub = GroupUpdate.parse(b);
        if (!ua.groupId().equals(ub.groupId()) || ua.epoch() != ub.epoch()) {
            throw new MalformedMessageException("the updates are for different groups or epochs");
        }
        if (ua.hash().equals(ub.hash())) {
            throw new MalformedMessageException("the two updates are the same update");
        }
        ua.verifySignature(manager);
        ub.verifySignature(manager);
        return new EquivocationProof(manager, ua, ub);
    }

    public GroupId groupId() {
        return first.groupId();
    }

    public long epoch() {
        return first.epoch();
    }
}
