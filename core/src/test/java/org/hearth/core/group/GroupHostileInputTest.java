package org.hearth.core.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hearth.core.group.GroupFixture.T0;
import static org.hearth.core.group.GroupFixture.bs;
import static org.hearth.core.group.GroupFixture.identity;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.crypto.Aead;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.Labels;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.Identity;
import org.hearth.core.testkit.Property;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.GroupInvite;
import org.hearth.core.wire.proto.GroupMessageBody;
import org.hearth.core.wire.proto.GroupStateProto;
import org.hearth.core.wire.proto.SignedGroupMessage;
import org.hearth.core.wire.proto.SignedUpdate;
import org.junit.jupiter.api.Test;

/**
 * Remote bytes are hostile (conventions §9), even when validly signed: a manager or member that signs garbage
 * must get a refusal or one of the two checked exceptions, never an unchecked one. Seeded; a failure prints
 * the replay seed.
 */
class GroupHostileInputTest {
    private final Identity manager = identity(1);
    private final Identity alice = identity(2);
    private final Identity mallory = identity(3);
    private final GroupFixture.Group g = new GroupFixture.Group(manager,
            GroupFixture.members(alice.address(), Permission.WRITE, mallory.address(), Permission.WRITE), 71);

    {
        g.next(ManagerEngine.add(identity(4).address(), Permission.READ),
                ManagerEngine.setHosts(List.of(new Endpoint(identity(5).address(), "h.example", 1))));
        g.next(ManagerEngine.setPolicy(GroupPolicy.DEFAULT), ManagerEngine.remove(identity(4).address()));
    }

    @Test
    void applyAndGenesis_managerSignedMutatedBodies_returnAVerdict() {
        Property.forAll(300, r -> {
            long epoch = r.nextInt(3);
            byte[] body = mutate(r, g.update(epoch).signed().getBody().toByteArray());
            SignedUpdate s = SignedUpdate.newBuilder().setBody(ByteString.copyFrom(body))
                    .setSignature(bs(manager.sign(GroupUpdate.SIGNATURE_LABEL, body))).build();
            GroupUpdate u;
            try {
                u = GroupUpdate.parse(s);
            } catch (MalformedMessageException expected) {
                return;
            }
            assertThat(GroupChain.genesis(u, manager.address())).isNotNull();
            assertThat(GroupChain.apply(g.headAt(epoch == 0 ? 0 : epoch - 1), u, g::acceptedAt)).isNotNull();
            assertThat(GroupChain.apply(g.head(), u, g::acceptedAt)).isNotNull();
        });
    }

    @Test
    void open_memberSignedMutatedBodies_onlyCheckedExceptions() {
        EpochKey key = g.key(2);
        GroupEnvelope genuine = GroupMessages.seal(mallory, key, T0, List.of(Bytes.wrap(new byte[32])),
                ChatOverlay.text("a perfectly normal message"), Optional.of(g.update(2).signed()), GroupFixture.seeded(1));
        byte[] body;
        try {
            body = SignedGroupMessage.parseFrom(GroupMessages.unpad(Aead.xchacha20Poly1305().open(key.messageKey(),
                    genuine.getNonce().toByteArray(), ad(key), genuine.getCiphertext().toByteArray()))).getBody()
                    .toByteArray();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        Property.forAll(300, r -> {
            byte[] m = mutate(r, body);
            if (r.nextBoolean()) {
                try { // keep the sender mallory, so the mutation reaches past the signature check
                    m = GroupMessageBody.parseFrom(m).toBuilder().setSender(bs(mallory.publicKey())).build().toByteArray();
                } catch (InvalidProtocolBufferException ignored) {
                    // sealed as mutated
                }
            }
            byte[] signed = SignedGroupMessage.newBuilder().setBody(ByteString.copyFrom(m))
                    .setSignature(bs(mallory.sign(GroupMessages.SIGNATURE_LABEL, m))).build().toByteArray();
            byte[] nonce = new byte[24];
            r.nextBytes(nonce);
            GroupEnvelope e = GroupEnvelope.newBuilder().setTag(bs(key.tag())).setNonce(ByteString.copyFrom(nonce))
                    .setCiphertext(ByteString.copyFrom(Aead.xchacha20Poly1305().seal(key.messageKey(), nonce, ad(key),
                            GroupMessages.pad(signed)))).build();
            try {
                GroupMessages.Opened o = GroupMessages.open(e, key);
                assertThat(o.sender()).isEqualTo(mallory.address());
            } catch (CryptoException | MalformedMessageException expected) {
                // refused, as it should be
            }
        });
    }

    @Test
    void decoders_randomBytes_onlyMalformedOrCryptoException() {
        Property.forAll(500, r -> {
            byte[] b = Property.bytes(r, 300);
            try {
                GroupUpdate.parse(SignedUpdate.parseFrom(b)).verifySignature(manager.address());
            } catch (InvalidProtocolBufferException | MalformedMessageException | CryptoException expected) {
                // refused
            }
            try {
                Invite.verify(GroupInvite.parseFrom(b), alice.address());
            } catch (InvalidProtocolBufferException | MalformedMessageException | CryptoException expected) {
                // refused
            }
            try {
                GroupState.fromProto(GroupStateProto.parseFrom(b));
            } catch (InvalidProtocolBufferException | MalformedMessageException expected) {
                // refused
            }
            try {
                GroupMessages.open(GroupEnvelope.parseFrom(b), g.key(2));
            } catch (InvalidProtocolBufferException | MalformedMessageException | CryptoException expected) {
                // refused
            }
        });
    }

    @Test
    void fromProto_mutatedStates_onlyMalformed() {
        byte[] state = g.state(2).toProto().toByteArray();
        Property.forAll(300, r -> {
            try {
                GroupState s = GroupState.fromProto(GroupStateProto.parseFrom(mutate(r, state)));
                assertThat(GroupState.fromProto(s.toProto())).isEqualTo(s);
            } catch (InvalidProtocolBufferException | MalformedMessageException expected) {
                // refused
            }
        });
    }

    private static byte[] ad(EpochKey key) {
        return Labels.encode(GroupMessages.AD_LABEL, key.group().bytes().toByteArray(), EpochKey.u64(key.epoch()),
                key.tag().toByteArray());
    }

    /** One to four random edits: flip, overwrite, insert, delete, truncate. */
    static byte[] mutate(Random r, byte[] in) {
        byte[] b = in.clone();
        for (int n = 1 + r.nextInt(4); n > 0; n--) {
            if (b.length == 0) {
                return new byte[] {(byte) r.nextInt(256)};
            }
            int i = r.nextInt(b.length);
            switch (r.nextInt(5)) {
                case 0 -> b[i] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[i] = (byte) r.nextInt(256);
                case 2 -> {
                    byte[] c = new byte[b.length + 1];
                    System.arraycopy(b, 0, c, 0, i);
                    c[i] = (byte) r.nextInt(256);
                    System.arraycopy(b, i, c, i + 1, b.length - i);
                    b = c;
                }
                case 3 -> {
                    byte[] c = new byte[b.length - 1];
                    System.arraycopy(b, 0, c, 0, i);
                    System.arraycopy(b, i + 1, c, i, b.length - i - 1);
                    b = c;
                }
                default -> b = java.util.Arrays.copyOf(b, i);
            }
        }
        return b;
    }
}
