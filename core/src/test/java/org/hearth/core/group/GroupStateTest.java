package org.hearth.core.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hearth.core.group.GroupFixture.groupId;
import static org.hearth.core.group.GroupFixture.identity;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.testkit.Property;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.GroupStateProto;
import org.hearth.core.wire.proto.MemberChange;
import org.junit.jupiter.api.Test;

class GroupStateTest {
    private static final Address MANAGER = identity(1).address();
    private static final Address ALICE = identity(2).address();
    private static final Address BOB = identity(3).address();
    private static final Address CAROL = identity(4).address();

    private static GroupState base() {
        return new GroupState(groupId(9), "book club", MANAGER, ManagerRights.ALL,
                GroupFixture.members(ALICE, Permission.WRITE, BOB, Permission.READ),
                List.of(new Endpoint(CAROL, "host.example", 7000)), GroupPolicy.DEFAULT);
    }

    @Test
    void fromProto_toProtoOfAnyState_sameStateDigestAndCanonicalBytes() {
        Property.forAll(100, r -> {
            GroupState s = randomState(r);
            GroupState back;
            try {
                back = GroupState.fromProto(GroupStateProto.parseFrom(s.toProto().toByteArray()));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            assertThat(back).isEqualTo(s);
            assertThat(back.digest()).isEqualTo(s.digest());
            assertThat(back.canonical()).isEqualTo(s.canonical());
            assertThat(back.members()).isEqualTo(s.members());
            assertThat(back.hosts()).isEqualTo(s.hosts());
            assertThat(back.policy()).isEqualTo(s.policy());
            assertThat(back.rights()).isEqualTo(s.rights());
            assertThat(back.name()).isEqualTo(s.name());
            assertThat(back.manager()).isEqualTo(s.manager());
        });
    }

    @Test
    void encoded_anyState_isTheProtoBytesAndACopyEachTime() {
        Property.forAll(50, r -> {
            GroupState s = randomState(r);
            byte[] first = s.encoded();
            assertThat(first).isEqualTo(s.toProto().toByteArray());
            first[0] ^= 1;
            assertThat(s.encoded()).isEqualTo(s.toProto().toByteArray()).isNotSameAs(first);
        });
    }

    @Test
    void applyChanges_removeAndAdd_leavesTheEarlierStateAsItWas() throws MalformedMessageException {
        GroupState before = base();
        Bytes digest = before.digest();
        GroupState after = GroupChain.applyChanges(before, List.of(
                org.hearth.core.wire.proto.Change.newBuilder().setRemove(ByteString.copyFrom(BOB.publicKey().toByteArray()))
                        .build(),
                org.hearth.core.wire.proto.Change.newBuilder().setAdd(MemberChange.newBuilder()
                        .setMember(ByteString.copyFrom(CAROL.publicKey().toByteArray()))
                        .setPermission(Permission.WRITE.toProto())).build()));

        assertThat(after.members()).containsOnlyKeys(ALICE, CAROL);
        assertThat(before.members()).containsOnlyKeys(ALICE, BOB);
        assertThat(before.digest()).isEqualTo(digest);
        assertThat(GroupState.fromProto(before.toProto()).digest()).isEqualTo(digest);
        assertThat(after.digest()).isEqualTo(new GroupState(after.id(), after.name(), after.manager(), after.rights(),
                Map.of(ALICE, Permission.WRITE, CAROL, Permission.WRITE), after.hosts(), after.policy()).digest());
    }

    @Test
    void digest_membersAndHostsInAnyInsertionOrder_sameDigest() {
        Property.forAll(100, r -> {
            GroupState s = randomState(r);
            List<Map.Entry<Address, Permission>> entries = new ArrayList<>(s.members().entrySet());
            Collections.shuffle(entries, r);
            Map<Address, Permission> shuffled = new LinkedHashMap<>();
            entries.forEach(e -> shuffled.put(e.getKey(), e.getValue()));
            List<Endpoint> hosts = new ArrayList<>(s.hosts());
            Collections.shuffle(hosts, r);
            GroupState t = new GroupState(s.id(), s.name(), s.manager(), s.rights(), shuffled, hosts, s.policy());
            assertThat(t.digest()).isEqualTo(s.digest());
            assertThat(t.canonical()).isEqualTo(s.canonical());
        });
    }

    @Test
    void digest_sameState_isStableAcrossInstances() {
        assertThat(base().digest()).isEqualTo(base().digest()).hasToString(base().digest().toString());
        assertThat(base().digest().length()).isEqualTo(32);
    }

    @Test
    void digest_anyFieldChanged_differs() {
        GroupState s = base();
        Map<String, UnaryOperator<GroupState>> edits = new LinkedHashMap<>();
        edits.put("id", g -> new GroupState(groupId(10), g.name(), g.manager(), g.rights(), g.members(), g.hosts(),
                g.policy()));
        edits.put("name", g -> new GroupState(g.id(), "book club!", g.manager(), g.rights(), g.members(), g.hosts(),
                g.policy()));
        edits.put("manager", g -> new GroupState(g.id(), g.name(), CAROL, g.rights(), g.members(), g.hosts(),
                g.policy()));
        edits.put("rights", g -> new GroupState(g.id(), g.name(), g.manager(), new ManagerRights(true, true, false),
                g.members(), g.hosts(), g.policy()));
        edits.put("member added", g -> g.withMembers(with(g.members(), CAROL, Permission.READ)));
        edits.put("member removed", g -> g.withMembers(GroupFixture.members(ALICE, Permission.WRITE)));
        edits.put("permission", g -> g.withMembers(with(g.members(), BOB, Permission.WRITE)));
        edits.put("host added", g -> g.withHosts(List.of(g.hosts().get(0), new Endpoint(CAROL, "other.example", 7000))));
        edits.put("host port", g -> g.withHosts(List.of(new Endpoint(CAROL, "host.example", 7001))));
        edits.put("hosts cleared", g -> g.withHosts(List.of()));
        GroupPolicy p = GroupPolicy.DEFAULT;
        edits.put("rotate every", g -> g.withPolicy(new GroupPolicy(p.rotateEvery().plusSeconds(1),
                p.rotateAfterMessages(), p.minRotationInterval(), p.keyCatchup(), p.keyRetention())));
        edits.put("rotate after", g -> g.withPolicy(new GroupPolicy(p.rotateEvery(), p.rotateAfterMessages() + 1,
                p.minRotationInterval(), p.keyCatchup(), p.keyRetention())));
        edits.put("min interval", g -> g.withPolicy(new GroupPolicy(p.rotateEvery(), p.rotateAfterMessages(),
                p.minRotationInterval().plusSeconds(1), p.keyCatchup(), p.keyRetention())));
        edits.put("catch-up", g -> g.withPolicy(new GroupPolicy(p.rotateEvery(), p.rotateAfterMessages(),
                p.minRotationInterval(), KeyCatchup.LATEST, p.keyRetention())));
        edits.put("retention", g -> g.withPolicy(new GroupPolicy(p.rotateEvery(), p.rotateAfterMessages(),
                p.minRotationInterval(), p.keyCatchup(), p.keyRetention().plusSeconds(1))));

        List<Bytes> digests = new ArrayList<>();
        digests.add(s.digest());
        edits.forEach((what, edit) -> {
            GroupState changed = edit.apply(s);
            assertThat(changed.digest()).as(what).isNotEqualTo(s.digest());
            assertThat(changed).as(what).isNotEqualTo(s);
            digests.add(changed.digest());
        });
        assertThat(digests).as("every edit gives its own digest").doesNotHaveDuplicates();
    }

    @Test
    void fromProto_memberListedTwice_throwsMalformed() {
        GroupStateProto p = base().toProto().toBuilder().addMembers(base().toProto().getMembers(0)).build();
        assertThatThrownBy(() -> GroupState.fromProto(p)).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void fromProto_badFields_throwMalformed() {
        GroupStateProto ok = base().toProto();
        List<GroupStateProto> bad = List.of(
                ok.toBuilder().setGroupId(ByteString.copyFrom(new byte[31])).build(),
                ok.toBuilder().setManager(ByteString.copyFrom(new byte[33])).build(),
                ok.toBuilder().setManagerRights(8).build(),
                ok.toBuilder().setName("x".repeat(65)).build(),
                ok.toBuilder().setName("bell\u0007").build(),
                ok.toBuilder().addHosts("not an endpoint").build(),
                ok.toBuilder().addMembers(MemberChange.newBuilder().setMember(ByteString.copyFrom(new byte[32]))).build(),
                ok.toBuilder().setPolicy(ok.getPolicy().toBuilder().setRotateEveryS(-1)).build(),
                ok.toBuilder().setPolicy(ok.getPolicy().toBuilder().clearKeyCatchup()).build());
        for (GroupStateProto p : bad) {
            assertThatThrownBy(() -> GroupState.fromProto(p)).as(p.toString()).isInstanceOf(MalformedMessageException.class);
        }
    }

    @Test
    void constructor_tooManyHosts_throwsIllegalArgument() {
        List<Endpoint> hosts = new ArrayList<>();
        for (int i = 0; i <= GroupState.MAX_HOSTS; i++) {
            hosts.add(new Endpoint(CAROL, "h" + i + ".example", 7000));
        }
        assertThatThrownBy(() -> base().withHosts(hosts)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toString_anyState_showsNoMemberAddress() {
        assertThat(base().toString()).doesNotContain(ALICE.text()).doesNotContain(BOB.text()).contains("2 members");
    }

    private static Map<Address, Permission> with(Map<Address, Permission> m, Address a, Permission p) {
        Map<Address, Permission> out = new LinkedHashMap<>(m);
        out.put(a, p);
        return out;
    }

    static GroupState randomState(Random r) {
        byte[] id = new byte[32];
        r.nextBytes(id);
        Map<Address, Permission> members = new LinkedHashMap<>();
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
            members.put(identity(10 + r.nextInt(200)).address(), r.nextBoolean() ? Permission.READ : Permission.WRITE);
        }
        List<Endpoint> hosts = new ArrayList<>();
        int h = r.nextInt(GroupState.MAX_HOSTS + 1);
        for (int i = 0; i < h; i++) {
            hosts.add(new Endpoint(identity(10 + r.nextInt(200)).address(),
                    r.nextBoolean() ? Property.alpha(r, 1, 20) + ".example" : "::" + (1 + r.nextInt(1000)),
                    1 + r.nextInt(65535)));
        }
        GroupPolicy policy = new GroupPolicy(Duration.ofSeconds(r.nextInt(100_000)), r.nextInt(10_000),
                Duration.ofSeconds(r.nextInt(600)), KeyCatchup.values()[r.nextInt(3)],
                Duration.ofSeconds(r.nextInt(1_000_000)));
        return new GroupState(new GroupId(Bytes.wrap(id)), Property.alpha(r, 0, 64), identity(1 + r.nextInt(9)).address(),
                ManagerRights.fromBits(r.nextInt(8)), members, hosts, policy);
    }
}
