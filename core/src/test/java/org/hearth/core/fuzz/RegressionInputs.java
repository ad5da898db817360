package org.hearth.core.fuzz;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.crypto.X25519;
import org.hearth.core.group.GroupChain;
import org.hearth.core.group.GroupMessages;
import org.hearth.core.group.GroupPolicy;
import org.hearth.core.group.GroupState;
import org.hearth.core.group.Invite;
import org.hearth.core.group.KeyCatchup;
import org.hearth.core.group.ManagerEngine;
import org.hearth.core.group.Permission;
import org.hearth.core.channel.ChannelHandshake;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.proto.Change;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.GroupMessageBody;
import org.hearth.core.wire.proto.GroupStateProto;
import org.hearth.core.wire.proto.GroupUpdateBody;
import org.hearth.core.wire.proto.HandshakePayload;
import org.hearth.core.wire.proto.HostList;
import org.hearth.core.wire.proto.InviteBody;
import org.hearth.core.wire.proto.MemberChange;
import org.hearth.core.wire.proto.PolicyProto;
import org.hearth.core.wire.proto.SignedGroupMessage;
import org.hearth.core.wire.proto.SignedUpdate;

/**
 * Writes the hand-made regression inputs of the fuzz targets in this package from {@link FuzzFixture}. Not a
 * test: run it after changing the fixture or a target's input layout, then review and commit the files.
 * <pre>
 * ./mvnw -q -pl core test-compile &amp;&amp; java -cp "core/target/test-classes:core/target/classes:$(cat cp.txt)" \
 *   org.hearth.core.fuzz.RegressionInputs core/src/test/resources/org/hearth/core/fuzz
 * </pre>
 * (with {@code cp.txt} from {@code ./mvnw -q -pl core dependency:build-classpath -Dmdep.outputFile=cp.txt}).
 * Inputs crashing the fuzzer are added by Jazzer itself, next to these, under {@code crash-<sha1>} names.
 */
public final class RegressionInputs {
    private static final String NESTED_BRACKET_HOST = FuzzFixture.OUTSIDER.address() + "@[a[b]:80";

    private final Path root;

    private RegressionInputs(Path root) {
        this.root = root;
    }

    public static void main(String[] args) throws Exception {
        RegressionInputs r = new RegressionInputs(Path.of(args[0]));
        if (args.length > 1 && args[1].equals("sync-parts")) {
            r.syncParts(); // one target's inputs only
        } else {
            r.writeAll();
        }
    }

    private void writeAll() throws Exception {
        groupUpdate();
        groupState();
        storedRecords();
        invite();
        equivocation();
        messages();
        handshake();
        syncParts();
    }

    // ---- large syncs in parts ----

    private void syncParts() throws Exception {
        String offer = "GroupSyncPartsFuzzTestInputs/offer_fuzzedParts_keptCompleteOrRefused/";
        org.hearth.core.wire.proto.GroupSync whole = GroupSyncPartsFuzzTest.genuineLargeSync();
        int[] n = {1};
        List<org.hearth.core.wire.proto.GroupSyncPart> parts = org.hearth.core.group.GroupSyncParts.split(whole,
                () -> new org.hearth.core.wire.MessageId(Bytes.copyOf(FuzzFixture.bytes32(n[0]++).toByteArray(), 0, 16)));
        write(offer + "genuine_in_order", frames(parts.toArray(org.hearth.core.wire.proto.GroupSyncPart[]::new)));
        write(offer + "genuine_reversed_with_resend", frames(parts.get(1), parts.get(1), parts.get(0)));
        byte[] altered = parts.get(1).getChunk().toByteArray();
        altered[altered.length - 1] ^= 1;
        write(offer + "last_chunk_altered", frames(parts.get(0), parts.get(1).toBuilder()
                .setChunk(ByteString.copyFrom(altered)).build()));
        write(offer + "part_index_equals_parts", frames(parts.get(1).toBuilder().setPart(2).build()));
        write(offer + "first_part_short", frames(parts.get(0).toBuilder().setChunk(parts.get(0).getChunk()
                .substring(1)).build()));
        write(offer + "other_sync_then_rest", frames(parts.get(0), parts.get(1).toBuilder()
                .setSyncDigest(FuzzFixture.bs(FuzzFixture.bytes32(3))).build(), parts.get(1)));

        String decode = "GroupSyncPartsFuzzTestInputs/decodeWhole_fuzzedBytes_syncOrMalformed/";
        write(decode + "genuine_whole", whole);
        write(decode + "whole_truncated", java.util.Arrays.copyOf(whole.toByteArray(), 4000));
        write(decode + "small_whole_without_id", whole.toBuilder().clearId().clearKeys().build());
    }

    private static byte[] frames(org.hearth.core.wire.proto.GroupSyncPart... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (org.hearth.core.wire.proto.GroupSyncPart p : parts) {
            byte[] b = p.toByteArray();
            out.write(b.length >>> 8);
            out.write(b.length);
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    // ---- group log ----

    private static GroupUpdateBody.Builder next(List<Change> changes, GroupState after) {
        GroupChain.Head h = FuzzFixture.head();
        return GroupUpdateBody.newBuilder().setGroupId(FuzzFixture.bs(h.state().id().bytes())).setEpoch(h.epoch() + 1)
                .setPrevHash(FuzzFixture.bs(h.update().hash())).setStateDigest(FuzzFixture.bs(after.digest()))
                .addAllChanges(changes).setTimeMs(FuzzFixture.T0.plusSeconds(3).toEpochMilli());
    }

    private static GroupUpdateBody.Builder nextApplied(Change... changes) throws Exception {
        List<Change> c = List.of(changes);
        return next(c, GroupChain.applyChanges(FuzzFixture.head().state(), c));
    }

    private static Change rotate() {
        return Change.newBuilder().setRotate(true).build();
    }

    private static Change hosts(String... endpoints) {
        return Change.newBuilder().setSetHosts(HostList.newBuilder().addAllEndpoints(List.of(endpoints))).build();
    }

    /** Identity number {@code i} of many (seed: {@code i} big-endian, then 0x5a). */
    private static Identity distinct(int i) {
        byte[] seed = new byte[32];
        java.util.Arrays.fill(seed, (byte) 0x5a);
        seed[0] = (byte) (i >>> 8);
        seed[1] = (byte) i;
        return Identity.fromSeed(org.hearth.core.bytes.SecretBytes.copyOf(seed));
    }

    private static Identity dave() {
        return FuzzFixture.identity(6);
    }

    private void groupUpdate() throws Exception {
        String signed = "GroupUpdateFuzzTestInputs/parse_fuzzedSignedUpdate_updateOrMalformed/";
        GroupUpdateBody nextRotate = nextApplied(rotate()).build();
        write(signed + "next_rotate_accepted", FuzzFixture.signUpdateBody(FuzzFixture.MANAGER, nextRotate.toByteArray()));
        write(signed + "next_rotate_signed_by_outsider",
                FuzzFixture.signUpdateBody(FuzzFixture.OUTSIDER, nextRotate.toByteArray()));
        write(signed + "replay_epoch_1", FuzzFixture.LOG.get(1).signed());
        write(signed + "genesis", FuzzFixture.LOG.get(0).signed());
        write(signed + "equivocation_epoch_2", equivocating());
        write(signed + "signature_63_bytes", FuzzFixture.LOG.get(2).signed().toBuilder()
                .setSignature(ByteString.copyFrom(new byte[63])).build());
        write(signed + "body_not_protobuf", SignedUpdate.newBuilder().setBody(ByteString.copyFrom(new byte[] {(byte) 0xff,
                (byte) 0xff, (byte) 0xff})).setSignature(ByteString.copyFrom(new byte[64])).build());
        write(signed + "no_changes", FuzzFixture.signUpdateBody(FuzzFixture.MANAGER,
                nextRotate.toBuilder().clearChanges().build().toByteArray()));

        String body = "GroupUpdateFuzzTestInputs/apply_fuzzedBodySignedByManager_verdictNeverThrows/";
        write(body + "next_rotate_accepted", nextRotate);
        write(body + "next_add_dave_accepted", nextApplied(ManagerEngine.add(dave().address(), Permission.WRITE)).build());
        write(body + "next_remove_alice_accepted", nextApplied(ManagerEngine.remove(FuzzFixture.ALICE.address())).build());
        write(body + "next_set_policy_accepted", nextApplied(ManagerEngine.setPolicy(
                new GroupPolicy(Duration.ofHours(1), 10, Duration.ofSeconds(5), KeyCatchup.LATEST, Duration.ZERO)
                        .withMessageRetention(Duration.ofDays(1), 100))).build());
        write(body + "add_existing_member", next(List.of(ManagerEngine.add(FuzzFixture.ALICE.address(), Permission.READ)),
                FuzzFixture.head().state()).build());
        write(body + "remove_non_member", next(List.of(ManagerEngine.remove(dave().address())),
                FuzzFixture.head().state()).build());
        write(body + "set_hosts_not_an_endpoint", next(List.of(hosts("nowhere")), FuzzFixture.head().state()).build());
        write(body + "set_hosts_nine_hosts", next(List.of(hosts(java.util.stream.IntStream.range(0, 9)
                .mapToObj(i -> FuzzFixture.OUTSIDER.address() + "@h" + i + ":1").toArray(String[]::new))),
                FuzzFixture.head().state()).build());
        // accepted by the chain; the state it produces does not survive the store (see FuzzFindingsTest)
        write(body + "set_hosts_nested_brackets", nextApplied(hosts(NESTED_BRACKET_HOST)).build());
        write(body + "set_policy_eleven_years", next(List.of(Change.newBuilder().setSetPolicy(PolicyProto.newBuilder()
                .setRotateEveryS(11L * 365 * 24 * 3600).setKeyCatchup(org.hearth.core.wire.proto.KeyCatchup.NONE))
                .build()), FuzzFixture.head().state()).build());
        write(body + "set_policy_catchup_unspecified", next(List.of(Change.newBuilder()
                .setSetPolicy(PolicyProto.newBuilder()).build()), FuzzFixture.head().state()).build());
        write(body + "create_outside_genesis", next(List.of(Change.newBuilder()
                .setCreate(FuzzFixture.head().state().toProto()).build()), FuzzFixture.head().state()).build());
        write(body + "add_permission_unspecified", next(List.of(Change.newBuilder().setAdd(MemberChange.newBuilder()
                .setMember(FuzzFixture.bs(dave().publicKey()))).build()), FuzzFixture.head().state()).build());
        write(body + "add_member_key_31_bytes", next(List.of(Change.newBuilder().setAdd(MemberChange.newBuilder()
                .setMember(ByteString.copyFrom(new byte[31])).setPermission(org.hearth.core.wire.proto.Permission.READ))
                .build()), FuzzFixture.head().state()).build());
        write(body + "gap_epoch_5", nextRotate.toBuilder().setEpoch(5).build());
        write(body + "out_of_chain_prev_hash", nextRotate.toBuilder().setPrevHash(FuzzFixture.bs(FuzzFixture.bytes32(7))).build());
        write(body + "state_digest_lie", nextRotate.toBuilder().setStateDigest(FuzzFixture.bs(FuzzFixture.bytes32(8))).build());
        write(body + "epoch_uint64_max", nextRotate.toBuilder().setEpoch(-1L).build());
        write(body + "wrong_group", nextRotate.toBuilder().setGroupId(FuzzFixture.bs(FuzzFixture.bytes32(10))).build());
        write(body + "change_kind_not_set", next(List.of(Change.getDefaultInstance()), FuzzFixture.head().state()).build());
        write(body + "genesis_of_fixture", GroupUpdateBody.parseFrom(FuzzFixture.LOG.get(0).signed().getBody()));
        write(body + "equivocation_epoch_1", GroupUpdateBody.parseFrom(FuzzFixture.LOG.get(1).signed().getBody())
                .toBuilder().setTimeMs(7).build());
    }

    private void groupState() throws Exception {
        String dir = "GroupStateFuzzTestInputs/fromProto_fuzzedBytes_stateOrMalformed/";
        GroupStateProto s = FuzzFixture.head().state().toProto();
        write(dir + "fixture_head_state", s);
        write(dir + "member_listed_twice", s.toBuilder().addMembers(s.getMembers(0)).build());
        write(dir + "permission_unspecified", s.toBuilder().setMembers(0, s.getMembers(0).toBuilder()
                .setPermission(org.hearth.core.wire.proto.Permission.PERMISSION_UNSPECIFIED)).build());
        write(dir + "manager_key_31_bytes", s.toBuilder().setManager(ByteString.copyFrom(new byte[31])).build());
        write(dir + "group_id_33_bytes", s.toBuilder().setGroupId(ByteString.copyFrom(new byte[33])).build());
        GroupStateProto.Builder nine = s.toBuilder().clearHosts();
        for (int i = 0; i < 9; i++) {
            nine.addHosts(FuzzFixture.OUTSIDER.address() + "@h" + i + ":1");
        }
        write(dir + "nine_hosts", nine.build());
        write(dir + "name_control_char", s.toBuilder().setName("fu\u0007zz").build());
        write(dir + "name_65_bytes", s.toBuilder().setName("x".repeat(65)).build());
        write(dir + "rights_bit_3", s.toBuilder().setManagerRights(8).build());
        write(dir + "host_port_zero", s.toBuilder().setHosts(0, FuzzFixture.OUTSIDER.address() + "@h:0").build());
        write(dir + "host_ipv6", s.toBuilder().setHosts(0, FuzzFixture.OUTSIDER.address() + "@[::1]:80").build());
        write(dir + "host_nested_brackets", s.toBuilder().setHosts(0, NESTED_BRACKET_HOST).build());
        write(dir + "policy_eleven_years", s.toBuilder().setPolicy(s.getPolicy().toBuilder()
                .setKeyRetentionS(11L * 365 * 24 * 3600)).build());
        write(dir + "policy_max_messages_uint64_max", s.toBuilder().setPolicy(s.getPolicy().toBuilder()
                .setMaxMessages(-1L)).build());
    }

    private void storedRecords() throws Exception {
        String dir = "StoredRecordsFuzzTestInputs/groupRow_fuzzedColumns_recordOrCorrupt/";
        byte[] state = FuzzFixture.head().state().toProto().toByteArray();
        byte[] head = FuzzFixture.head().update().signed().toByteArray();
        write(dir + "manager_row_nothing_pending", FuzzFixture.join(state, head, new byte[0]));
        write(dir + "manager_row_add_pending", FuzzFixture.join(state, head, GroupUpdateBody.newBuilder()
                .addChanges(ManagerEngine.add(dave().address(), Permission.READ)).build().toByteArray()));
        write(dir + "pending_no_longer_applies", FuzzFixture.join(state, head, GroupUpdateBody.newBuilder()
                .addChanges(ManagerEngine.add(FuzzFixture.ALICE.address(), Permission.READ)).build().toByteArray()));
        write(dir + "state_not_protobuf", FuzzFixture.join(new byte[] {(byte) 0x80}, head, new byte[0]));
        write(dir + "head_signature_missing", FuzzFixture.join(state, FuzzFixture.head().update().signed().toBuilder()
                .clearSignature().build().toByteArray(), new byte[0]));
        // a manager may queue any number of changes between rotations; one update carries at most 1000
        GroupUpdateBody.Builder many = GroupUpdateBody.newBuilder();
        for (int i = 0; i < 1001; i++) {
            many.addChanges(ManagerEngine.add(distinct(i).address(), Permission.READ));
        }
        write(dir + "pending_1001_adds", FuzzFixture.join(state, head, many.build().toByteArray()));
        write(dir + "state_host_nested_brackets", FuzzFixture.join(FuzzFixture.head().state().toProto().toBuilder()
                .setHosts(0, NESTED_BRACKET_HOST).build().toByteArray(), head, new byte[0]));

        String upd = "StoredRecordsFuzzTestInputs/updateRow_fuzzedColumns_updateOrCorrupt/";
        for (int e = 0; e < FuzzFixture.LOG.size(); e++) {
            write(upd + "epoch_" + e, FuzzFixture.join(FuzzFixture.LOG.get(e).signed().toByteArray(),
                    FuzzFixture.HEADS.get(e).state().toProto().toByteArray()));
        }
        write(upd + "truncated_update", FuzzFixture.join(java.util.Arrays.copyOf(head, head.length / 2), state));

        String proof = "StoredRecordsFuzzTestInputs/proofRow_fuzzedColumns_proofOrRefused/";
        SignedUpdate other = equivocating();
        write(proof + "genuine_proof", FuzzFixture.join(FuzzFixture.LOG.get(2).signed().toByteArray(), other.toByteArray()));
        write(proof + "same_update_twice", FuzzFixture.join(head, head));
        write(proof + "different_epochs", FuzzFixture.join(FuzzFixture.LOG.get(1).signed().toByteArray(), head));
    }

    /** A second manager-signed update for epoch 2: what an equivocating manager shows another member. */
    private static SignedUpdate equivocating() throws Exception {
        GroupUpdateBody b = GroupUpdateBody.parseFrom(FuzzFixture.LOG.get(2).signed().getBody()).toBuilder()
                .setTimeMs(12345).build();
        return FuzzFixture.signUpdateBody(FuzzFixture.MANAGER, b.toByteArray());
    }

    // ---- invites and proofs ----

    private void invite() throws Exception {
        String dir = "InviteFuzzTestInputs/verify_fuzzedInvite_inviteOrRefused/";
        GroupState st = FuzzFixture.head().state();
        Bytes id = Bytes.wrap(new byte[16]);
        var valid = Invite.sign(FuzzFixture.MANAGER, st, FuzzFixture.ALICE.address(), Permission.WRITE, FuzzFixture.T0, id);
        write(dir + "valid_for_alice", valid);
        write(dir + "valid_for_bob", Invite.sign(FuzzFixture.MANAGER, st, FuzzFixture.BOB.address(), Permission.READ,
                FuzzFixture.T0, id));
        write(dir + "signature_truncated", valid.toBuilder().setSignature(valid.getSignature().substring(0, 63)).build());
        write(dir + "body_garbage", valid.toBuilder().setBody(ByteString.copyFromUtf8("\u00ff\u00ff")).build());
        write(dir + "signed_by_outsider", valid.toBuilder().setSignature(FuzzFixture.bs(FuzzFixture.OUTSIDER.sign(
                Invite.LABEL, valid.getBody().toByteArray()))).build());

        String body = "InviteFuzzTestInputs/verify_fuzzedBodySignedByManager_inviteOrMalformed/";
        InviteBody b = InviteBody.parseFrom(valid.getBody());
        write(body + "valid_unforced", prefixed(0, b.toByteArray()));
        write(body + "forced_empty_body", prefixed(3, new byte[0]));
        write(body + "forced_name_control_char", prefixed(3, b.toBuilder().setGroupName("a\nb").build().toByteArray()));
        write(body + "forced_rights_bit_3", prefixed(3, b.toBuilder().setManagerRights(9).build().toByteArray()));
        write(body + "forced_permission_unspecified", prefixed(3, b.toBuilder().clearPermission().build().toByteArray()));
        write(body + "manager_forced_invitee_bob", prefixed(1, b.toBuilder()
                .setInvitee(FuzzFixture.bs(FuzzFixture.BOB.publicKey())).build().toByteArray()));
        write(body + "forced_group_id_empty", prefixed(3, b.toBuilder().clearGroupId().build().toByteArray()));
    }

    private void equivocation() throws Exception {
        String dir = "EquivocationProofFuzzTestInputs/verify_fuzzedSignedUpdates_proofOrRefused/";
        byte[] real = FuzzFixture.LOG.get(2).signed().toByteArray();
        SignedUpdate other = equivocating();
        write(dir + "genuine_proof", FuzzFixture.join(real, other.toByteArray()));
        write(dir + "same_update_twice", FuzzFixture.join(real, real));
        write(dir + "different_epochs", FuzzFixture.join(FuzzFixture.LOG.get(1).signed().toByteArray(), real));
        write(dir + "second_signed_by_outsider", FuzzFixture.join(real, FuzzFixture.signUpdateBody(FuzzFixture.OUTSIDER,
                other.getBody().toByteArray()).toByteArray()));
        write(dir + "second_with_first_signature", FuzzFixture.join(real, other.toBuilder()
                .setSignature(FuzzFixture.LOG.get(2).signed().getSignature()).build().toByteArray()));

        String bodies = "EquivocationProofFuzzTestInputs/verify_fuzzedBodiesSignedByManager_proofOrMalformed/";
        byte[] b1 = FuzzFixture.LOG.get(2).signed().getBody().toByteArray();
        byte[] b2 = other.getBody().toByteArray();
        write(bodies + "genuine_proof", FuzzFixture.join(b1, b2));
        write(bodies + "same_body_twice", FuzzFixture.join(b1, b1));
        write(bodies + "different_groups", FuzzFixture.join(b1, GroupUpdateBody.parseFrom(b2).toBuilder()
                .setGroupId(FuzzFixture.bs(FuzzFixture.bytes32(10))).build().toByteArray()));
        write(bodies + "second_empty", FuzzFixture.join(b1, new byte[0]));
    }

    // ---- group messages ----

    private void messages() throws Exception {
        var key = FuzzFixture.key();
        RandomSource random = FuzzFixture.seeded(5);
        GroupEnvelope genuine = GroupMessages.seal(FuzzFixture.ALICE, key, FuzzFixture.T0, List.of(),
                ChatOverlay.text("hello"), Optional.of(FuzzFixture.head().update().signed()), random);
        String env = "GroupMessagesFuzzTestInputs/open_fuzzedEnvelope_openedOrRefused/";
        write(env + "genuine_from_alice", genuine);
        byte[] ct = genuine.getCiphertext().toByteArray();
        ct[ct.length / 2] ^= 1;
        write(env + "ciphertext_bit_flipped", genuine.toBuilder().setCiphertext(ByteString.copyFrom(ct)).build());
        write(env + "tag_of_another_epoch", genuine.toBuilder().setTag(FuzzFixture.bs(FuzzFixture.KEYS.get(1).tag())).build());
        write(env + "nonce_23_bytes", genuine.toBuilder().setNonce(genuine.getNonce().substring(1)).build());
        write(env + "ciphertext_empty", genuine.toBuilder().setCiphertext(ByteString.EMPTY).build());

        GroupMessageBody body = GroupMessageBody.newBuilder().setSender(FuzzFixture.bs(FuzzFixture.ALICE.publicKey()))
                .setGroupId(FuzzFixture.bs(key.group().bytes())).setEpoch(key.epoch())
                .setUpdateHash(FuzzFixture.bs(key.updateHash())).setSentAtMs(FuzzFixture.T0.toEpochMilli())
                .addParents(FuzzFixture.bs(FuzzFixture.bytes32(3)))
                .setOverlay(ByteString.copyFrom(ChatOverlay.text("hi").encode())).build();
        byte[] signed = SignedGroupMessage.newBuilder().setBody(body.toByteString())
                .setSignature(FuzzFixture.bs(FuzzFixture.ALICE.sign(GroupMessages.SIGNATURE_LABEL, body.toByteArray())))
                .build().toByteArray();
        String plain = "GroupMessagesFuzzTestInputs/open_fuzzedPlaintextUnderTheKey_openedOrRefused/";
        byte[] padded = java.util.Arrays.copyOf(FuzzFixture.lengthPrefixed(signed), 512);
        write(plain + "genuine_padded", padded);
        write(plain + "genuine_unpadded", FuzzFixture.lengthPrefixed(signed));
        byte[] longLen = padded.clone();
        longLen[0] = 0x7f;
        write(plain + "length_beyond_plaintext", longLen);
        byte[] negLen = padded.clone();
        negLen[0] = (byte) 0x80;
        write(plain + "length_negative", negLen);
        write(plain + "three_bytes", new byte[] {0, 0, 0});
        write(plain + "empty_message", new byte[4]);

        String dir = "GroupMessagesFuzzTestInputs/open_fuzzedBodySignedByMember_openedOrRefused/";
        write(dir + "genuine_unforced", prefixed(0, body.toByteArray()));
        write(dir + "forced_empty_body", prefixed(3, new byte[0]));
        write(dir + "forced_overlay_unsupported", prefixed(3, GroupMessageBody.newBuilder()
                .setOverlay(ByteString.copyFromUtf8("{\"o\":7,\"d\":\"x\"}")).build().toByteArray()));
        write(dir + "forced_overlay_not_json", prefixed(3, GroupMessageBody.newBuilder()
                .setOverlay(ByteString.copyFromUtf8("{\"o\":")).build().toByteArray()));
        GroupMessageBody.Builder nine = body.toBuilder();
        for (int i = 0; i < 8; i++) {
            nine.addParents(FuzzFixture.bs(FuzzFixture.bytes32(i)));
        }
        write(dir + "nine_parents", prefixed(0, nine.build().toByteArray()));
        write(dir + "parent_31_bytes", prefixed(0, body.toBuilder().setParents(0, ByteString.copyFrom(new byte[31]))
                .build().toByteArray()));
        write(dir + "sender_bob_signed_by_alice", prefixed(0, body.toBuilder()
                .setSender(FuzzFixture.bs(FuzzFixture.BOB.publicKey())).build().toByteArray()));
        write(dir + "other_epoch", prefixed(1, body.toBuilder().setEpoch(1).build().toByteArray()));
        write(dir + "announced_update", prefixed(3, body.toBuilder()
                .setAnnouncedUpdate(equivocating()).build().toByteArray()));
        write(dir + "update_hash_empty", prefixed(1, body.toBuilder().clearUpdateHash().build().toByteArray()));
    }

    // ---- handshake ----

    private void handshake() throws Exception {
        byte[] prologue = ChannelHandshake.PROLOGUE.getBytes(StandardCharsets.UTF_8);
        String first = "HandshakeReadFuzzTestInputs/readFirst_fuzzedBytes_handshakeExceptionOrNextStep/";
        write(first + "genuine_ephemeral", ChannelHandshake.initiator(FuzzFixture.ALICE, FuzzFixture.BOB.address(),
                FuzzFixture.seeded(9)).writeFirst());
        write(first + "low_order_all_zero", new byte[32]);
        write(first + "31_bytes", new byte[31]);
        write(first + "33_bytes", new byte[33]);

        String second = "HandshakeReadFuzzTestInputs/readSecond_fuzzedBytes_handshakeException/";
        ChannelHandshake otherInitiator = ChannelHandshake.initiator(FuzzFixture.ALICE, FuzzFixture.BOB.address(),
                FuzzFixture.seeded(10));
        ChannelHandshake bob = ChannelHandshake.responder(FuzzFixture.BOB, FuzzFixture.seeded(11));
        bob.readFirst(otherInitiator.writeFirst());
        write(second + "bobs_message_2_for_another_initiator", bob.writeSecond());
        write(second + "empty", new byte[0]);
        write(second + "96_zero_bytes", new byte[96]);
        write(second + "1200_bytes", new byte[1200]);

        // the forger's static key in readSecond_fuzzedPayloadInValidNoise: replay the target's seeded draws
        RandomSource r3 = FuzzFixture.seeded(3);
        ChannelHandshake.initiator(FuzzFixture.ALICE, FuzzFixture.BOB.address(), r3);
        X25519.KeyPair forgerStatic = X25519.generate(r3);
        String payload2 = "HandshakeReadFuzzTestInputs/readSecond_fuzzedPayloadInValidNoise_handshakeException/";
        write(payload2 + "outsider_identity_valid_signature", payload(FuzzFixture.OUTSIDER, forgerStatic.publicKey(), 1));
        write(payload2 + "bob_identity_signature_over_another_key", payload(FuzzFixture.BOB, FuzzFixture.bytes32(4), 1));
        write(payload2 + "version_2", payload(FuzzFixture.BOB, forgerStatic.publicKey(), 2));
        write(payload2 + "identity_key_31_bytes", payload(FuzzFixture.BOB, forgerStatic.publicKey(), 1).toBuilder()
                .setIdentityKey(ByteString.copyFrom(new byte[31])).build());
        write(payload2 + "empty", new byte[0]);

        RandomSource r4 = FuzzFixture.seeded(4);
        ChannelHandshake.responder(FuzzFixture.BOB, r4);
        X25519.KeyPair diallerStatic = X25519.generate(r4);
        String payload3 = "HandshakeReadFuzzTestInputs/readThird_fuzzedPayloadInValidNoise_handshakeExceptionOrPeer/";
        write(payload3 + "outsider_identity_valid_signature", payload(FuzzFixture.OUTSIDER, diallerStatic.publicKey(), 1));
        write(payload3 + "signature_over_another_key", payload(FuzzFixture.OUTSIDER, FuzzFixture.bytes32(4), 1));
        write(payload3 + "version_0", payload(FuzzFixture.OUTSIDER, diallerStatic.publicKey(), 0));
        write(payload3 + "empty", new byte[0]);
    }

    private static HandshakePayload payload(Identity who, Bytes staticKey, int version) {
        return HandshakePayload.newBuilder().setVersion(version).setIdentityKey(FuzzFixture.bs(who.publicKey()))
                .setStaticSignature(FuzzFixture.bs(who.sign("hearth/noise-static/v1", staticKey.toByteArray()))).build();
    }

    // ---- files ----

    private static byte[] prefixed(int flags, byte[] body) {
        byte[] out = new byte[body.length + 1];
        out[0] = (byte) flags;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    private void write(String name, com.google.protobuf.MessageLite m) throws IOException {
        write(name, m.toByteArray());
    }

    private void write(String name, byte[] bytes) throws IOException {
        Path p = root.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
    }
}
