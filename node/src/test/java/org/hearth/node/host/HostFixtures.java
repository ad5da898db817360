package org.hearth.node.host;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.proto.FetchRequest;
import org.hearth.core.wire.proto.FetchResponse;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.RelayRequest;
import org.hearth.node.store.Database;
import org.hearth.node.store.WrongPassphraseException;

/** Envelopes, callers and stores for host tests. */
final class HostFixtures {
    private HostFixtures() {
    }

    static Database openStore(Path dir) {
        try {
            return Database.open(dir, "pw".toCharArray(), PassphraseKdf.FAST);
        } catch (WrongPassphraseException e) {
            throw new AssertionError(e);
        }
    }

    /** A distinct caller per {@code n} (only the key's bytes matter to the host). */
    static Address caller(int n) {
        byte[] key = new byte[32];
        ByteBuffer.wrap(key).putInt(n);
        key[31] = 0x42;
        return Address.of(Bytes.wrap(key));
    }

    static ByteString tag(int n) {
        byte[] t = new byte[HostLimits.TAG_BYTES];
        Arrays.fill(t, (byte) n);
        t[0] = (byte) (n >>> 8);
        return ByteString.copyFrom(t);
    }

    /** A well-formed envelope, distinct per {@code seed}, with {@code ciphertextBytes} of ciphertext. */
    static GroupEnvelope envelope(ByteString tag, long seed, int ciphertextBytes) {
        byte[] nonce = new byte[HostLimits.NONCE_BYTES];
        ByteBuffer.wrap(nonce).putLong(seed);
        byte[] ciphertext = new byte[ciphertextBytes];
        Arrays.fill(ciphertext, (byte) 0xC3);
        ByteBuffer.wrap(ciphertext).putLong(seed);
        return GroupEnvelope.newBuilder().setTag(tag).setNonce(ByteString.copyFrom(nonce))
                .setCiphertext(ByteString.copyFrom(ciphertext)).build();
    }

    static GroupEnvelope envelope(ByteString tag, long seed) {
        return envelope(tag, seed, 48);
    }

    static RelayRequest relay(long requestId, GroupEnvelope envelope) {
        return RelayRequest.newBuilder().setRequestId(requestId).setEnvelope(envelope).build();
    }

    static FetchRequest.Builder fetch(ByteString... tags) {
        return FetchRequest.newBuilder().setRequestId(7).addAllTags(Arrays.asList(tags));
    }

    static Set<EnvelopeId> ids(FetchResponse response) {
        return response.getEnvelopesList().stream().map(h -> EnvelopeId.of(h.getEnvelope()))
                .collect(Collectors.toSet());
    }
}
