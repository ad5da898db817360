package org.hearth.core.group;

import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Instant;
import java.util.List;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.Hash;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.Change;
import org.hearth.core.wire.proto.GroupUpdateBody;
import org.hearth.core.wire.proto.SignedUpdate;

/**
 * One entry of a group's log, as signed by the manager. Parsing checks structure only; whether the update
 * is acceptable (signer, chain, state) is {@link GroupChain}'s decision. The signature and the hash are over
 * the exact body bytes received, so no re-encoding is ever needed.
 */
public final class GroupUpdate {
    public static final String SIGNATURE_LABEL = "hearth/group-update/v1";
    public static final String HASH_LABEL = "hearth/group-update-hash/v1";
    public static final Bytes NO_PREVIOUS = Bytes.wrap(new byte[32]);
    static final int MAX_CHANGES = 1000;
    static final int MAX_BODY_BYTES = 48 * 1024;

    private final SignedUpdate signed;
    private final GroupUpdateBody body;
    private final GroupId groupId;
    private final Bytes hash;

    private GroupUpdate(SignedUpdate signed, GroupUpdateBody body, GroupId groupId) {
        this.signed = signed;
        this.body = body;
        this.groupId = groupId;
        this.hash = Hash.labelled(HASH_LABEL, signed.getBody().toByteArray());
    }

    public static GroupUpdate sign(Identity manager, GroupUpdateBody body) {
        byte[] b = body.toByteArray();
        SignedUpdate s = SignedUpdate.newBuilder().setBody(com.google.protobuf.ByteString.copyFrom(b))
                .setSignature(GroupState.bs(manager.sign(SIGNATURE_LABEL, b))).build();
        try {
            return parse(s);
        } catch (MalformedMessageException e) {
            throw new IllegalArgumentException("signing a malformed update: " + e.getMessage(), e);
        }
    }

    public static GroupUpdate parse(SignedUpdate s) throws MalformedMessageException {
        if (s.getBody().size() > MAX_BODY_BYTES || s.getSignature().size() != 64) {
            throw new MalformedMessageException("update body too large or signature not 64 bytes");
        }
        GroupUpdateBody body;
        try {
            body = GroupUpdateBody.parseFrom(s.getBody());
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedMessageException("update body does not parse", e);
        }
        GroupId id = GroupId.decode(body.getGroupId());
        if (body.getPrevHash().size() != 32 || body.getStateDigest().size() != 32) {
            throw new MalformedMessageException("update hashes must be 32 bytes");
        }
        if (body.getChangesCount() == 0 || body.getChangesCount() > MAX_CHANGES) {
            throw new MalformedMessageException("an update has 1 to " + MAX_CHANGES + " changes");
        }
        if (body.getEpoch() < 0 || body.getEpoch() > Long.MAX_VALUE / 2) {
            throw new MalformedMessageException("epoch out of range");
        }
        for (Change c : body.getChangesList()) {
            if (c.getKindCase() == Change.KindCase.KIND_NOT_SET) {
                throw new MalformedMessageException("change without a kind");
            }
        }
        return new GroupUpdate(s, body, id);
    }

    /** Throws unless the body is signed by {@code manager}. */
    public void verifySignature(Address manager) throws CryptoException {
        manager.verify(SIGNATURE_LABEL, signed.getBody().toByteArray(), Bytes.wrap(signed.getSignature().toByteArray()));
    }

    public SignedUpdate signed() {
        return signed;
    }

    public GroupId groupId() {
        return groupId;
    }

    public long epoch() {
        return body.getEpoch();
    }

    public Bytes hash() {
        return hash;
    }

    public Bytes prevHash() {
        return Bytes.wrap(body.getPrevHash().toByteArray());
    }

    public Bytes stateDigest() {
        return Bytes.wrap(body.getStateDigest().toByteArray());
    }

    public List<Change> changes() {
        return body.getChangesList();
    }

    public Instant time() {
        return Instant.ofEpochMilli(body.getTimeMs());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GroupUpdate u && u.hash.equals(hash);
    }

    @Override
    public int hashCode() {
        return hash.hashCode();
    }

    @Override
    public String toString() {
        return "GroupUpdate[epoch " + epoch() + ", " + hash + "]";
    }
}
