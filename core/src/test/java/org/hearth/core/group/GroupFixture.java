package org.hearth.core.group;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.proto.Change;
import org.hearth.core.wire.proto.GroupUpdateBody;

/**
 * Shared test material for the group protocol: fixed identities, seeded randomness, hand-signed updates, and a
 * small honest group ({@link Group}) driven through {@link ManagerEngine} whose policy lets every tick rotate.
 */
final class GroupFixture {
    static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    /** No timed rotation, no minimum interval: a pending change or request rotates on the next tick. */
    static final GroupPolicy EAGER = new GroupPolicy(Duration.ZERO, 0, Duration.ZERO, KeyCatchup.SINCE_JOIN,
            Duration.ofDays(7));

    private GroupFixture() {
    }

    static RandomSource seeded(long seed) {
        Random r = new Random(seed);
        return r::nextBytes;
    }

    /** A fixed identity: the seed is 32 bytes of {@code n} (n in 1..255). */
    static Identity identity(int n) {
        byte[] seed = new byte[32];
        java.util.Arrays.fill(seed, (byte) n);
        return Identity.fromSeed(SecretBytes.copyOf(seed));
    }

    static GroupId groupId(int n) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) n);
        return new GroupId(Bytes.wrap(b));
    }

    static Bytes bytes32(int n) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) n);
        return Bytes.wrap(b);
    }

    static ByteString bs(Bytes b) {
        return ByteString.copyFrom(b.toByteArray());
    }

    /** Signs an arbitrary update body by hand, so tests can build any (mis)update. */
    static GroupUpdate signUpdate(Identity signer, GroupId group, long epoch, Bytes prevHash, Bytes stateDigest,
            List<Change> changes, Instant time) {
        return GroupUpdate.sign(signer, GroupUpdateBody.newBuilder().setGroupId(bs(group.bytes())).setEpoch(epoch)
                .setPrevHash(bs(prevHash)).setStateDigest(bs(stateDigest)).addAllChanges(changes)
                .setTimeMs(time.toEpochMilli()).build());
    }

    /** A genesis update for {@code state}, signed by {@code signer} (normally its manager). */
    static GroupUpdate genesisFor(Identity signer, GroupState state, Instant time) {
        return signUpdate(signer, state.id(), 0, GroupUpdate.NO_PREVIOUS, state.digest(),
                List.of(Change.newBuilder().setCreate(state.toProto()).build()), time);
    }

    static GroupChain.Head accepted(GroupChain.Verdict v) {
        assertThat(v).isInstanceOf(GroupChain.Accepted.class);
        return ((GroupChain.Accepted) v).head();
    }

    static GroupChain.Refusal refusal(GroupChain.Verdict v) {
        assertThat(v).isInstanceOf(GroupChain.Refused.class);
        return ((GroupChain.Refused) v).reason();
    }

    static Map<Address, Permission> members(Object... addressPermissionPairs) {
        Map<Address, Permission> m = new LinkedHashMap<>();
        for (int i = 0; i < addressPermissionPairs.length; i += 2) {
            m.put((Address) addressPermissionPairs[i], (Permission) addressPermissionPairs[i + 1]);
        }
        return m;
    }

    /**
     * An honest group: the manager's session, every update it issued, and every epoch key, so tests can play
     * any member (or ex-member) at any point of the log.
     */
    static final class Group {
        final Identity manager;
        final RandomSource random;
        ManagerEngine.Session session;
        final List<GroupUpdate> log = new ArrayList<>();
        final List<GroupState> states = new ArrayList<>();
        final Map<Long, EpochKey> keys = new HashMap<>();
        Instant now = T0;

        Group(Identity manager, Map<Address, Permission> members, long seed) {
            this.manager = manager;
            this.random = seeded(seed);
            ManagerEngine.Step s = ManagerEngine.create(manager, GroupId.random(random), "fixture", members, List.of(),
                    EAGER, now, random);
            record(s);
        }

        GroupId id() {
            return session.head().state().id();
        }

        GroupChain.Head head() {
            return session.head();
        }

        GroupUpdate update(long epoch) {
            return log.get((int) epoch);
        }

        GroupState state(long epoch) {
            return states.get((int) epoch);
        }

        EpochKey key(long epoch) {
            return keys.get(epoch);
        }

        GroupChain.Head headAt(long epoch) {
            return new GroupChain.Head(state(epoch), update(epoch));
        }

        /** Proposes the changes and ticks once (a second later): one new epoch with all of them. */
        GroupUpdate next(Change... changes) {
            for (Change c : changes) {
                session = ManagerEngine.propose(session, c);
            }
            if (changes.length == 0) {
                session = session.requestRotation();
            }
            now = now.plusSeconds(1);
            ManagerEngine.Step s = ManagerEngine.tick(session, manager, now, random);
            assertThat(s.issued()).as("the eager policy rotates on every tick with something to do").isPresent();
            return record(s);
        }

        private GroupUpdate record(ManagerEngine.Step s) {
            session = s.session();
            ManagerEngine.Issued issued = s.issued().orElseThrow();
            log.add(issued.update());
            states.add(session.head().state());
            keys.put(issued.update().epoch(), new EpochKey(session.head().state().id(), issued.update().epoch(),
                    issued.update().hash(), issued.key()));
            return issued.update();
        }

        /** What a member that accepted every update so far would answer for an older epoch. */
        Optional<GroupUpdate> acceptedAt(long epoch) {
            return epoch >= 0 && epoch < log.size() ? Optional.of(log.get((int) epoch)) : Optional.empty();
        }
    }
}
