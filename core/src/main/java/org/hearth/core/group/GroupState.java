package org.hearth.core.group;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.crypto.Hash;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.InvalidAddressException;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.GroupStateProto;
import org.hearth.core.wire.proto.MemberChange;

/**
 * The full state of a group at one epoch: members and permissions, hosts, policy, the manager and its rights.
 * Immutable; {@link #digest()} is over a canonical encoding (docs/protocol.md §5.1) so every member computes
 * the same bytes.
 */
public final class GroupState {
    public static final String DIGEST_LABEL = "hearth/group-state/v1";
    /**
     * About 38 bytes a member on the wire: a 5000-member state is 190 KB, sent on join in 4 sync parts
     * (protocol.md §6.1), and the state stored per epoch stays modest. Reasons for the figure: docs/architecture.md.
     */
    public static final int MAX_MEMBERS = 5000;
    public static final int MAX_HOSTS = 8;
    public static final int MAX_NAME_BYTES = 64;
    /** Members ordered by identity key bytes: the canonical order. */
    static final Comparator<Address> BY_KEY = Comparator.comparing(Address::publicKey);

    private final GroupId id;
    private final String name;
    private final Address manager;
    private final ManagerRights rights;
    private final SortedMap<Address, Permission> members;
    private final List<Endpoint> hosts;
    private final GroupPolicy policy;
    private Bytes digest;
    /** Built on first use and kept: immutable, and a member stores it twice for every epoch. */
    private GroupStateProto proto;
    private byte[] encoded;

    public GroupState(GroupId id, String name, Address manager, ManagerRights rights, Map<Address, Permission> members,
            List<Endpoint> hosts, GroupPolicy policy) {
        this(id, name, manager, rights, sortedCopy(members), hosts, policy);
    }

    private static TreeMap<Address, Permission> sortedCopy(Map<Address, Permission> members) {
        TreeMap<Address, Permission> m = new TreeMap<>(BY_KEY);
        m.putAll(members);
        return m;
    }

    /**
     * Takes ownership of {@code m} (sorted {@link #BY_KEY}, not modified by the caller afterwards): a member
     * applying an update builds the new map once and does not copy it again.
     */
    static GroupState owning(GroupId id, String name, Address manager, ManagerRights rights,
            TreeMap<Address, Permission> m, List<Endpoint> hosts, GroupPolicy policy) {
        return new GroupState(id, name, manager, rights, m, hosts, policy);
    }

    private GroupState(GroupId id, String name, Address manager, ManagerRights rights, TreeMap<Address, Permission> m,
            List<Endpoint> hosts, GroupPolicy policy) {
        checkName(name);
        if (m.comparator() != BY_KEY) {
            throw new IllegalArgumentException("members must be ordered by key");
        }
        if (m.size() > MAX_MEMBERS || hosts.size() > MAX_HOSTS) {
            throw new IllegalArgumentException("too many members or hosts");
        }
        List<Endpoint> h = new ArrayList<>(hosts);
        h.sort(Comparator.comparing(Endpoint::toString));
        this.id = id;
        this.name = name;
        this.manager = manager;
        this.rights = rights;
        this.members = Collections.unmodifiableSortedMap(m);
        this.hosts = List.copyOf(h);
        this.policy = policy;
    }

    /** The one rule for group names, shared by states and invites. */
    public static void checkName(String name) {
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a group name has at most 64 bytes and no control characters");
        }
    }

    public GroupId id() {
        return id;
    }

    public String name() {
        return name;
    }

    public Address manager() {
        return manager;
    }

    public ManagerRights rights() {
        return rights;
    }

    public SortedMap<Address, Permission> members() {
        return members;
    }

    public Optional<Permission> permissionOf(Address a) {
        return Optional.ofNullable(members.get(a));
    }

    public List<Endpoint> hosts() {
        return hosts;
    }

    public GroupPolicy policy() {
        return policy;
    }

    GroupState withMembers(Map<Address, Permission> m) {
        return new GroupState(id, name, manager, rights, m, hosts, policy);
    }

    GroupState withHosts(List<Endpoint> h) {
        return new GroupState(id, name, manager, rights, members, h, policy);
    }

    GroupState withPolicy(GroupPolicy p) {
        return new GroupState(id, name, manager, rights, members, hosts, p);
    }

    /** Canonical encoding: the input of the state digest. */
    public byte[] canonical() {
        Canonical c = new Canonical(64 + 33 * members.size() + 256 * hosts.size()) // 33 bytes a member
                .u8(1).bytes(id.bytes()).str(name).bytes(manager.publicKey()).u8(rights.bits());
        c.u32(members.size());
        members.forEach((a, p) -> c.bytes(a.publicKey()).u8(p.ordinal() + 1));
        c.u32(hosts.size());
        hosts.forEach(h -> c.str(h.toString()));
        policy.writeCanonical(c);
        return c.toByteArray();
    }

    public Bytes digest() {
        Bytes d = digest;
        if (d == null) {
            d = Hash.labelled(DIGEST_LABEL, canonical());
            digest = d;
        }
        return d;
    }

    public GroupStateProto toProto() {
        GroupStateProto p = proto;
        if (p == null) {
            p = buildProto();
            proto = p;
        }
        return p;
    }

    /**
     * {@code toProto().toByteArray()}, serialized once and kept (a member stores the state twice for every epoch,
     * in the group row and in the log); each call returns a fresh copy.
     */
    public byte[] encoded() {
        byte[] e = encoded;
        if (e == null) {
            e = toProto().toByteArray();
            encoded = e;
        }
        return e.clone();
    }

    private GroupStateProto buildProto() {
        GroupStateProto.Builder b = GroupStateProto.newBuilder()
                .setGroupId(bs(id.bytes())).setName(name).setManager(bs(manager.publicKey()))
                .setManagerRights(rights.bits()).setPolicy(policy.toProto());
        members.forEach((a, p) -> b.addMembers(MemberChange.newBuilder().setMember(bs(a.publicKey()))
                .setPermission(p.toProto())));
        hosts.forEach(h -> b.addHosts(h.toString()));
        return b.build();
    }

    public static GroupState fromProto(GroupStateProto p) throws MalformedMessageException {
        if (p.getMembersCount() > MAX_MEMBERS || p.getHostsCount() > MAX_HOSTS) {
            throw new MalformedMessageException("too many members or hosts");
        }
        TreeMap<Address, Permission> members = new TreeMap<>(BY_KEY);
        for (MemberChange m : p.getMembersList()) {
            if (members.put(member(m.getMember()), Permission.fromProto(m.getPermission())) != null) {
                throw new MalformedMessageException("member listed twice");
            }
        }
        List<Endpoint> hosts = new ArrayList<>();
        for (String h : p.getHostsList()) {
            hosts.add(endpoint(h));
        }
        try {
            return owning(GroupId.decode(p.getGroupId()), p.getName(), member(p.getManager()),
                    ManagerRights.fromBits(p.getManagerRights()), members, hosts, GroupPolicy.fromProto(p.getPolicy()));
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("bad group state: " + e.getMessage());
        }
    }

    static Address member(ByteString key) throws MalformedMessageException {
        if (key.size() != 32) {
            throw new MalformedMessageException("identity key must be 32 bytes");
        }
        return Address.of(Bytes.wrap(key.toByteArray()));
    }

    static Endpoint endpoint(String s) throws MalformedMessageException {
        try {
            return Endpoint.parse(s);
        } catch (InvalidAddressException | IllegalArgumentException e) {
            throw new MalformedMessageException("bad host endpoint: " + e.getMessage());
        }
    }

    static ByteString bs(Bytes b) {
        return ByteString.copyFrom(b.toByteArray());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GroupState s && s.digest().equals(digest());
    }

    @Override
    public int hashCode() {
        return digest().hashCode();
    }

    @Override
    public String toString() {
        return "GroupState[" + members.size() + " members, digest " + digest() + "]";
    }
}
