package org.hearth.core.channel;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.Ed25519;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.proto.HandshakePayload;

/**
 * Encodes and checks the identity payload of handshake messages 2 and 3: the sender's Ed25519 identity key
 * and its signature over the sender's Noise static key. Noise proves the peer holds the static key; the
 * signature proves the identity vouches for it, so together the channel is bound to the identity.
 */
final class HandshakePayloads {
    static final int VERSION = 1;
    static final String STATIC_SIGNATURE_LABEL = "hearth/noise-static/v1";
    /** Generous for 1 + 32 + 64 bytes of content plus tags, small enough that decoding is cheap. */
    static final int MAX_PAYLOAD_LENGTH = 1024;

    private HandshakePayloads() {
    }

    static byte[] encode(Identity me, Bytes ownNoiseStaticKey) {
        Bytes signature = me.sign(STATIC_SIGNATURE_LABEL, ownNoiseStaticKey.toByteArray());
        return HandshakePayload.newBuilder()
                .setVersion(VERSION)
                .setIdentityKey(ByteString.copyFrom(me.publicKey().toByteArray()))
                .setStaticSignature(ByteString.copyFrom(signature.toByteArray()))
                .build()
                .toByteArray();
    }

    /**
     * Parses {@code payload} and checks that its identity signed {@code remoteNoiseStaticKey}, the key Noise
     * authenticated; returns that identity's address.
     */
    static Address verify(byte[] payload, Bytes remoteNoiseStaticKey) throws HandshakeException {
        if (payload.length > MAX_PAYLOAD_LENGTH) {
            throw malformed("payload too long");
        }
        HandshakePayload p;
        try {
            p = HandshakePayload.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            throw malformed("payload does not parse");
        }
        if (p.getVersion() != VERSION) {
            throw new HandshakeException("peer speaks unsupported handshake version " + p.getVersion());
        }
        if (p.getIdentityKey().size() != Ed25519.PUBLIC_KEY_LENGTH) {
            throw malformed("identity key must be " + Ed25519.PUBLIC_KEY_LENGTH + " bytes");
        }
        if (p.getStaticSignature().size() != Ed25519.SIGNATURE_LENGTH) {
            throw malformed("signature must be " + Ed25519.SIGNATURE_LENGTH + " bytes");
        }
        Address peer = Address.of(Bytes.wrap(p.getIdentityKey().toByteArray()));
        try {
            peer.verify(STATIC_SIGNATURE_LABEL, remoteNoiseStaticKey.toByteArray(),
                    Bytes.wrap(p.getStaticSignature().toByteArray()));
        } catch (CryptoException e) {
            throw new HandshakeException("identity signature invalid", e);
        }
        return peer;
    }

    private static HandshakeException malformed(String detail) {
        return new HandshakeException("handshake message malformed: " + detail);
    }
}
