package org.hearth.core.fuzz;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.LongFunction;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.crypto.Aead;
import org.hearth.core.crypto.Kdf;
import org.hearth.core.crypto.Labels;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.group.EpochKey;
import org.hearth.core.group.GroupChain;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupMessages;
import org.hearth.core.group.GroupPolicy;
import org.hearth.core.group.GroupUpdate;
import org.hearth.core.group.KeyCatchup;
import org.hearth.core.group.ManagerEngine;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.SignedUpdate;

/**
 * The fixed world every fuzz target runs against: identities from constant seeds and a small honest group at
 * epoch 2, built once and deterministically (seeded randomness, fixed clock), so a regression input means the
 * same thing on every run and every machine. The checked-in inputs were written from this fixture; changing it
 * changes what they exercise (they still replay, but may stop reaching deep code).
 */
final class FuzzFixture {
    static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    static final GroupPolicy EAGER = new GroupPolicy(Duration.ZERO, 0, Duration.ZERO, KeyCatchup.SINCE_JOIN,
            Duration.ofDays(7));

    static final Identity MANAGER = identity(1);
    static final Identity ALICE = identity(2);
    static final Identity BOB = identity(3);
    static final Identity CAROL = identity(4);
    static final Identity OUTSIDER = identity(5);

    /** The group's log: epochs 0 (alice writer, bob reader), 1 (carol added), 2 (bob made writer, a host set). */
    static final List<GroupUpdate> LOG;
    static final List<GroupChain.Head> HEADS;
    static final List<EpochKey> KEYS;

    static {
        RandomSource random = seeded(42);
        Map<Address, Permission> members = new LinkedHashMap<>();
        members.put(ALICE.address(), Permission.WRITE);
        members.put(BOB.address(), Permission.READ);
        GroupId id = new GroupId(bytes32(9));
        ManagerEngine.Step s0 = ManagerEngine.create(MANAGER, id, "fuzz", members, List.of(), EAGER, T0, random);
        ManagerEngine.Session session = ManagerEngine.propose(s0.session(), ManagerEngine.add(CAROL.address(),
                Permission.READ));
        ManagerEngine.Step s1 = ManagerEngine.tick(session, MANAGER, T0.plusSeconds(1), random);
        session = ManagerEngine.propose(s1.session(), ManagerEngine.setPermission(BOB.address(), Permission.WRITE));
        session = ManagerEngine.propose(session, ManagerEngine.setHosts(List.of(
                new Endpoint(OUTSIDER.address(), "127.0.0.1", 7000))));
        ManagerEngine.Step s2 = ManagerEngine.tick(session, MANAGER, T0.plusSeconds(2), random);
        List<ManagerEngine.Step> steps = List.of(s0, s1, s2);
        LOG = steps.stream().map(s -> s.issued().orElseThrow().update()).toList();
        HEADS = steps.stream().map(s -> s.session().head()).toList();
        KEYS = steps.stream().map(s -> new EpochKey(id, s.issued().orElseThrow().update().epoch(),
                s.issued().orElseThrow().update().hash(), s.issued().orElseThrow().key())).toList();
    }

    private FuzzFixture() {
    }

    static GroupChain.Head head() {
        return HEADS.getLast();
    }

    static GroupId group() {
        return head().state().id();
    }

    static EpochKey key() {
        return KEYS.getLast();
    }

    /** What a member that accepted the whole log answers for an older epoch. */
    static final LongFunction<Optional<GroupUpdate>> ACCEPTED_AT =
            e -> e >= 0 && e < LOG.size() ? Optional.of(LOG.get((int) e)) : Optional.empty();

    static RandomSource seeded(long seed) {
        Random r = new Random(seed);
        return r::nextBytes;
    }

    /** A fixed identity: the seed is 32 bytes of {@code n}. */
    static Identity identity(int n) {
        byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) n);
        return Identity.fromSeed(SecretBytes.copyOf(seed));
    }

    static Bytes bytes32(int n) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) n);
        return Bytes.wrap(b);
    }

    static ByteString bs(Bytes b) {
        return ByteString.copyFrom(b.toByteArray());
    }

    /** {@code body} signed as a group update by {@code signer}, however malformed the body is. */
    static SignedUpdate signUpdateBody(Identity signer, byte[] body) {
        return SignedUpdate.newBuilder().setBody(ByteString.copyFrom(body))
                .setSignature(bs(signer.sign(GroupUpdate.SIGNATURE_LABEL, body))).build();
    }

    /**
     * Seals {@code plaintext} (the padded signed message, as the receiver sees it after decryption) exactly as
     * {@link GroupMessages#seal} would for {@code key}, with a fixed nonce: the fuzzer then controls everything
     * behind the AEAD.
     */
    static GroupEnvelope sealRaw(EpochKey key, byte[] plaintext) {
        byte[] epoch = u64(key.epoch());
        SecretBytes mk = Kdf.derive(key.key(), EpochKey.MESSAGE_KEY_LABEL, 32, key.group().bytes().toByteArray(), epoch);
        byte[] nonce = new byte[24];
        byte[] tag = key.tag().toByteArray();
        byte[] ad = Labels.encode(GroupMessages.AD_LABEL, key.group().bytes().toByteArray(), epoch, tag);
        try {
            byte[] ct = Aead.xchacha20Poly1305().seal(mk, nonce, ad, plaintext);
            return GroupEnvelope.newBuilder().setTag(ByteString.copyFrom(tag)).setNonce(ByteString.copyFrom(nonce))
                    .setCiphertext(ByteString.copyFrom(ct)).build();
        } finally {
            mk.destroy();
        }
    }

    /** The padding of docs/protocol.md §7.2, without rounding up to a bucket: {@code u32 len ‖ bytes}. */
    static byte[] lengthPrefixed(byte[] m) {
        byte[] out = new byte[m.length + 4];
        out[0] = (byte) (m.length >>> 24);
        out[1] = (byte) (m.length >>> 16);
        out[2] = (byte) (m.length >>> 8);
        out[3] = (byte) m.length;
        System.arraycopy(m, 0, out, 4, m.length);
        return out;
    }

    static byte[] u64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (56 - 8 * i));
        }
        return b;
    }

    /**
     * Splits fuzz input into {@code n} parts: each but the last is {@code u16 length ‖ bytes} (a short input
     * yields empty trailing parts). Lets a plain {@code byte[]} target take several fields while its
     * regression inputs stay easy to write by hand.
     */
    static byte[][] split(byte[] data, int n) {
        byte[][] parts = new byte[n][];
        int at = 0;
        for (int i = 0; i < n - 1; i++) {
            if (at + 2 > data.length) {
                parts[i] = new byte[0];
                continue;
            }
            int len = ((data[at] & 0xFF) << 8) | (data[at + 1] & 0xFF);
            at += 2;
            len = Math.min(len, data.length - at);
            parts[i] = Arrays.copyOfRange(data, at, at + len);
            at += len;
        }
        parts[n - 1] = at >= data.length ? new byte[0] : Arrays.copyOfRange(data, at, data.length);
        return parts;
    }

    /** The inverse of {@link #split}, for writing regression inputs. */
    static byte[] join(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < parts.length; i++) {
            if (i < parts.length - 1) {
                out.write(parts[i].length >>> 8);
                out.write(parts[i].length);
            }
            out.writeBytes(parts[i]);
        }
        return out.toByteArray();
    }
}
