package org.hearth.core.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Identity;
import org.hearth.core.testkit.Property;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.junit.jupiter.api.Test;

/**
 * Model-based test of the pure group protocol: one manager ({@link ManagerEngine}), an in-memory host (a list of
 * envelopes) and 3 to 8 members, each with its own head of the log, its keys by epoch and an inbox that it
 * drains only while online. Random sequences of membership changes, rotations, disconnections, clock jumps and
 * posts; then everyone reconnects and the properties are checked:
 * <ul>
 * <li>every current member holds the manager's epoch and state digest;</li>
 * <li>a member holds the key of an epoch if and only if it is a member in that epoch's state (so no removed
 * member ever holds a key of an epoch after its removal, and no reader misses one);</li>
 * <li>consecutive rotations are at least the minimum interval apart, and the manager rotates as soon as the
 * policy wants it and the interval allows;</li>
 * <li>every posted message opens, with its sender and text, for every member holding its epoch's key, and for
 * no one else.</li>
 * </ul>
 * {@code -Dhearth.tries=10000} for the long run; {@code -Dhearth.seed=S} replays a failure.
 */
class GroupModelTest {
    private static final Identity MANAGER = GroupFixture.identity(1);
    private static final Identity[] POOL = new Identity[8];

    static {
        for (int i = 0; i < POOL.length; i++) {
            POOL[i] = GroupFixture.identity(10 + i);
        }
    }

    @Test
    void managedGroup_randomOperationSequences_membersConvergeAndKeysReachExactlyTheReaders() {
        Property.forAll(200, r -> new Simulation(r).run());
    }

    /** An update on its way to one member: with the state snapshot for a joiner, with the key for a reader. */
    private record Delivery(GroupUpdate update, Optional<GroupState> snapshot, Optional<SecretBytes> key) {
    }

    private record Posted(GroupEnvelope envelope, long epoch, Address sender, String text) {
    }

    private static final class Member {
        final Identity id;
        boolean online = true;
        GroupChain.Head head;
        final Map<Long, EpochKey> keys = new HashMap<>();
        final Map<Long, GroupUpdate> accepted = new HashMap<>();
        final Deque<Delivery> inbox = new ArrayDeque<>();

        Member(Identity id) {
            this.id = id;
        }

        Address address() {
            return id.address();
        }

        void drain(Address manager, GroupId group, List<String> trace) {
            while (online && !inbox.isEmpty()) {
                Delivery d = inbox.poll();
                GroupUpdate u = d.update();
                GroupChain.Verdict v;
                if (head == null && d.snapshot().isEmpty()) {
                    v = GroupChain.genesis(u, manager);
                } else if (d.snapshot().isPresent() && (head == null || u.epoch() != head.epoch() + 1)) {
                    v = GroupChain.adopt(d.snapshot().get(), u, group, manager);
                } else {
                    v = GroupChain.apply(head, u, e -> Optional.ofNullable(accepted.get(e)));
                }
                if (!(v instanceof GroupChain.Accepted a)) {
                    throw new AssertionError("member " + address().scrubbed() + " did not accept epoch " + u.epoch()
                            + " of an honest manager: " + v + "\n" + String.join("\n", trace));
                }
                head = a.head();
                accepted.put(u.epoch(), u);
                d.key().ifPresent(k -> keys.put(u.epoch(),
                        new EpochKey(group, u.epoch(), u.hash(), SecretBytes.copyOf(k.reveal()))));
            }
        }
    }

    private static final class Simulation {
        final Random r;
        final RandomSource random;
        final GroupPolicy policy;
        final List<Member> members = new ArrayList<>();
        final List<GroupUpdate> issued = new ArrayList<>();
        final List<GroupState> states = new ArrayList<>();
        final Map<Long, EpochKey> managerKeys = new HashMap<>();
        final List<Posted> host = new ArrayList<>();
        final List<String> trace = new ArrayList<>();
        ManagerEngine.Session session;
        Instant now = GroupFixture.T0;
        int posts;

        Simulation(Random r) {
            this.r = r;
            this.random = r::nextBytes;
            this.policy = new GroupPolicy(
                    r.nextBoolean() ? Duration.ZERO : Duration.ofSeconds(60 + r.nextInt(241)),
                    r.nextBoolean() ? 0 : 3 + r.nextInt(8),
                    Duration.ofSeconds(r.nextInt(31)), KeyCatchup.values()[r.nextInt(3)], Duration.ofDays(7));
            int n = 3 + r.nextInt(6);
            for (int i = 0; i < n; i++) {
                members.add(new Member(POOL[i]));
            }
            trace.add("policy " + policy + ", " + n + " members");
        }

        void run() {
            Map<Address, Permission> initial = new LinkedHashMap<>();
            for (Member m : members) {
                if (initial.isEmpty() || r.nextInt(3) > 0) {
                    initial.put(m.address(), randomPermission());
                }
            }
            ManagerEngine.Step created = ManagerEngine.create(MANAGER, GroupId.random(random), "model", initial,
                    List.of(), policy, now, random);
            session = created.session();
            issue(created.issued().orElseThrow(), null);
            drainSome(1.0);

            int steps = 20 + r.nextInt(41);
            for (int i = 0; i < steps; i++) {
                step();
                tick();
                drainSome(0.7);
            }
            finish();
            check();
        }

        private void step() {
            GroupState pending = session.pendingState();
            switch (r.nextInt(10)) {
                case 0 -> pick(m -> !pending.members().containsKey(m.address())).ifPresent(m -> {
                    Permission p = randomPermission();
                    trace.add(now + " propose add " + name(m) + " " + p);
                    session = ManagerEngine.propose(session, ManagerEngine.add(m.address(), p));
                });
                case 1 -> pick(m -> pending.members().containsKey(m.address())).ifPresent(m -> {
                    trace.add(now + " propose remove " + name(m));
                    session = ManagerEngine.propose(session, ManagerEngine.remove(m.address()));
                });
                case 2 -> pick(m -> pending.members().containsKey(m.address())).ifPresent(m -> {
                    Permission p = pending.members().get(m.address()) == Permission.READ ? Permission.WRITE
                            : Permission.READ;
                    trace.add(now + " propose permission " + name(m) + " " + p);
                    session = ManagerEngine.propose(session, ManagerEngine.setPermission(m.address(), p));
                });
                case 3 -> {
                    trace.add(now + " request rotation");
                    session = session.requestRotation();
                }
                case 4 -> pick(m -> m.online).ifPresent(m -> {
                    trace.add(now + " offline " + name(m));
                    m.online = false;
                });
                case 5 -> pick(m -> !m.online).ifPresent(m -> {
                    trace.add(now + " reconnect " + name(m));
                    m.online = true;
                    m.drain(MANAGER.address(), session.head().state().id(), trace);
                });
                case 6 -> {
                    now = now.plusSeconds(1 + r.nextInt(r.nextBoolean() ? 30 : 400));
                    trace.add(now + " clock");
                }
                default -> pick(this::canPost).ifPresent(this::post);
            }
        }

        private boolean canPost(Member m) {
            return m.online && m.head != null && m.keys.containsKey(m.head.epoch())
                    && m.head.state().permissionOf(m.address()).map(Permission::canWrite).orElse(false);
        }

        private void post(Member m) {
            long epoch = m.head.epoch();
            String text = "m" + (posts++) + " " + Property.alpha(r, 1, 40);
            GroupEnvelope e = GroupMessages.seal(m.id, m.keys.get(epoch), now, List.of(), ChatOverlay.text(text),
                    Optional.empty(), random);
            host.add(new Posted(e, epoch, m.address(), text));
            trace.add(now + " post " + name(m) + " epoch " + epoch);
            // The manager watches the host: envelopes under the current epoch's tag count towards rotation.
            Bytes currentTag = managerKeys.get(session.head().epoch()).tag();
            if (Bytes.wrap(e.getTag().toByteArray()).equals(currentTag)) {
                session = session.withMessages(session.messagesInEpoch() + 1);
            }
        }

        private void tick() {
            ManagerEngine.Session before = session;
            ManagerEngine.Step s = ManagerEngine.tick(session, MANAGER, now, random);
            boolean ageDue = !policy.rotateEvery().isZero() && !now.isBefore(before.epochStartedAt().plus(policy.rotateEvery()));
            boolean wanted = !before.pending().isEmpty() || before.rotationRequested() || ageDue
                    || (policy.rotateAfterMessages() > 0 && before.messagesInEpoch() >= policy.rotateAfterMessages());
            boolean allowed = !now.isBefore(before.epochStartedAt().plus(policy.minRotationInterval()));
            assertThat(s.issued().isPresent()).as("rotation at %s (wanted %s, allowed %s)\n%s", now, wanted, allowed,
                    String.join("\n", trace)).isEqualTo(wanted && allowed);
            session = s.session();
            s.issued().ifPresent(i -> issue(i, before.head().state()));
        }

        private void issue(ManagerEngine.Issued i, GroupState previous) {
            GroupUpdate u = i.update();
            GroupState state = session.head().state();
            assertThat(u.epoch()).isEqualTo(issued.size());
            assertThat(u.stateDigest()).isEqualTo(state.digest());
            issued.add(u);
            states.add(state);
            managerKeys.put(u.epoch(), new EpochKey(state.id(), u.epoch(), u.hash(), i.key()));
            trace.add(now + " issued epoch " + u.epoch() + " with " + u.changes().size() + " changes, "
                    + state.members().size() + " members");
            for (Member m : members) {
                boolean isMember = state.members().containsKey(m.address());
                boolean wasMember = previous != null && previous.members().containsKey(m.address());
                if (isMember) {
                    Optional<GroupState> snapshot = previous != null && !wasMember ? Optional.of(state) : Optional.empty();
                    m.inbox.add(new Delivery(u, snapshot, Optional.of(i.key())));
                } else if (wasMember) {
                    m.inbox.add(new Delivery(u, Optional.empty(), Optional.empty()));
                }
            }
        }

        private void drainSome(double p) {
            for (Member m : members) {
                if (r.nextDouble() < p) {
                    m.drain(MANAGER.address(), session.head().state().id(), trace);
                }
            }
        }

        /** Everyone reconnects; pending changes go out once the interval allows; everyone drains. */
        private void finish() {
            members.forEach(m -> m.online = true);
            drainSome(1.0);
            now = now.plus(policy.minRotationInterval()).plusSeconds(1);
            tick();
            assertThat(session.pending()).isEmpty();
            drainSome(1.0);
        }

        private void check() {
            String why = String.join("\n", trace);
            GroupChain.Head managerHead = session.head();
            for (Member m : members) {
                boolean current = managerHead.state().members().containsKey(m.address());
                if (current) {
                    assertThat(m.head).as("head of current member %s\n%s", name(m), why).isNotNull();
                    assertThat(m.head.epoch()).as("epoch of %s\n%s", name(m), why).isEqualTo(managerHead.epoch());
                    assertThat(m.head.state().digest()).as("digest of %s\n%s", name(m), why)
                            .isEqualTo(managerHead.state().digest());
                } else if (m.head != null) {
                    assertThat(m.head.state().members()).as("%s learnt of its removal\n%s", name(m), why)
                            .doesNotContainKey(m.address());
                }
                for (long e = 0; e < states.size(); e++) {
                    boolean reader = states.get((int) e).members().containsKey(m.address());
                    assertThat(m.keys.containsKey(e)).as("%s holds the key of epoch %d iff a member then\n%s", name(m),
                            e, why).isEqualTo(reader);
                    if (reader) {
                        assertThat(m.keys.get(e).tag()).isEqualTo(managerKeys.get(e).tag());
                    }
                }
            }
            for (int i = 1; i < issued.size(); i++) {
                Duration gap = Duration.between(issued.get(i - 1).time(), issued.get(i).time());
                Duration min = states.get(i - 1).policy().minRotationInterval();
                assertThat(gap).as("rotation %d came %s after the previous one\n%s", i, gap, why)
                        .isGreaterThanOrEqualTo(min);
            }
            for (Posted p : host) {
                assertThat(states.get((int) p.epoch()).permissionOf(p.sender())).contains(Permission.WRITE);
                Bytes tag = Bytes.wrap(p.envelope().getTag().toByteArray());
                for (Member m : members) {
                    EpochKey k = m.keys.get(p.epoch());
                    if (k == null) {
                        assertThat(m.keys.values()).as("%s cannot even find message of epoch %d", name(m), p.epoch())
                                .noneMatch(other -> other.tag().equals(tag));
                        continue;
                    }
                    try {
                        GroupMessages.Opened o = GroupMessages.open(p.envelope(), k);
                        assertThat(o.sender()).isEqualTo(p.sender());
                        assertThat(o.overlay().data()).isEqualTo(p.text());
                        assertThat(o.epoch()).isEqualTo(p.epoch());
                    } catch (Exception e) {
                        fail(name(m) + " could not open a message of epoch " + p.epoch() + ": " + e + "\n" + why);
                    }
                }
            }
        }

        private Optional<Member> pick(java.util.function.Predicate<Member> p) {
            List<Member> c = members.stream().filter(p).toList();
            return c.isEmpty() ? Optional.empty() : Optional.of(c.get(r.nextInt(c.size())));
        }

        private Permission randomPermission() {
            return r.nextInt(3) == 0 ? Permission.READ : Permission.WRITE;
        }

        private String name(Member m) {
            return "member" + members.indexOf(m);
        }
    }
}
