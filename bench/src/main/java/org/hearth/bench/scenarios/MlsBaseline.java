package org.hearth.bench.scenarios;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.mls.TreeKEM.LeafIndex;
import org.bouncycastle.mls.TreeKEM.LeafNode;
import org.bouncycastle.mls.TreeKEM.LifeTime;
import org.bouncycastle.mls.TreeKEM.TreeKEMPublicKey;
import org.bouncycastle.mls.codec.Capabilities;
import org.bouncycastle.mls.codec.Credential;
import org.bouncycastle.mls.codec.Extension;
import org.bouncycastle.mls.codec.KeyPackage;
import org.bouncycastle.mls.codec.MLSInputStream;
import org.bouncycastle.mls.codec.MLSMessage;
import org.bouncycastle.mls.codec.MLSOutputStream;
import org.bouncycastle.mls.codec.Proposal;
import org.bouncycastle.mls.codec.Welcome;
import org.bouncycastle.mls.codec.WireFormat;
import org.bouncycastle.mls.crypto.MlsCipherSuite;
import org.bouncycastle.mls.crypto.Secret;
import org.bouncycastle.mls.protocol.Group;

/**
 * P1's baseline: BouncyCastle's MLS (RFC 9420, {@code bcmls-jdk18on}) with one committer, the "manager". A group of
 * N is built with one commit that adds N-1 key packages; a sample of members really joins from the Welcome (their
 * own key package secrets, the ratchet tree passed out of band). Then the committer removes one member (a commit
 * with its update path), timed, and every sampled member processes that commit ({@code Group.handle}), each
 * timed. Cipher suite MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519: X25519, Ed25519 and SHA-256 as in Hearth.
 */
final class MlsBaseline {
    static final short SUITE = MlsCipherSuite.MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519;

    /** Times of one group size: each remove commit, and each sampled member's processing of each commit. */
    record Result(int n, double[] commitMs, double[] commitCpuMs, double[] memberMs, double[] memberCpuMs) {
        double commitMedian() {
            return Kit.median(commitMs);
        }

        double memberMedian() {
            return Kit.median(memberMs);
        }
    }

    private record Joiner(KeyPackage kp, AsymmetricCipherKeyPair init, AsymmetricCipherKeyPair enc,
            AsymmetricCipherKeyPair sig) {
    }

    private final MlsCipherSuite suite;
    private final SecureRandom random = new SecureRandom();
    private final Group.MessageOptions plain = new Group.MessageOptions(false, new byte[0], 0);

    MlsBaseline() throws Exception {
        suite = MlsCipherSuite.getSuite(SUITE);
    }

    /**
     * Builds a group of {@code n}, lets {@code sample} members join from the Welcome, then makes {@code removals}
     * remove commits in a row (each removing a member outside the sample), each processed by every sampled member.
     */
    Result run(int n, int sample, int removals) throws Exception {
        if (n < sample + removals + 1) {
            throw new IllegalArgumentException("group too small for the sample");
        }
        Joiner creator = joiner("member-0");
        Group committer = new Group(random(16), suite, creator.enc(), suite.serializeSignaturePrivateKey(
                creator.sig().getPrivate()), creator.kp().getLeafNode().copy(creator.kp().getLeafNode().getEncryptionKey()),
                new ArrayList<Extension>());
        List<Joiner> joiners = new ArrayList<>();
        List<Proposal> adds = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            Joiner j = joiner("member-" + i);
            joiners.add(j);
            adds.add(Proposal.add(j.kp()));
        }
        Group.GroupWithMessage added = committer.commit(secret(), new Group.CommitOptions(adds, false, true, null), plain,
                new Group.CommitParameters(Group.NORMAL_COMMIT_PARAMS));
        committer = added.group;
        added.message.wireFormat = WireFormat.mls_welcome;
        byte[] welcomeBytes = MLSOutputStream.encode(added.message);
        byte[] treeBytes = MLSOutputStream.encode(committer.getTree());
        // the sample: joiners spread evenly over the tree (leaves 1..n-1); the removed ones are never sampled
        List<Group> members = new ArrayList<>();
        List<Integer> sampledLeaves = new ArrayList<>();
        for (int s = 0; s < sample; s++) {
            int idx = (int) ((long) s * (joiners.size() - removals) / sample);
            Joiner j = joiners.get(idx);
            MLSMessage w = (MLSMessage) MLSInputStream.decode(welcomeBytes, MLSMessage.class);
            Welcome welcome = w.welcome;
            TreeKEMPublicKey tree = (TreeKEMPublicKey) MLSInputStream.decode(treeBytes, TreeKEMPublicKey.class);
            tree.setSuite(suite);
            members.add(new Group(suite.getHPKE().serializePrivateKey(j.init().getPrivate()), j.enc(),
                    suite.serializeSignaturePrivateKey(j.sig().getPrivate()), j.kp(), welcome, tree,
                    new HashMap<Secret, byte[]>(), new HashMap<Group.EpochRef, byte[]>()));
            sampledLeaves.add(idx + 1);
        }
        for (Group m : members) {
            if (!Arrays.equals(m.getEpochAuthenticator(), committer.getEpochAuthenticator())) {
                throw new IllegalStateException("a joined member disagrees with the committer's epoch");
            }
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        double[] commitMs = new double[removals];
        double[] commitCpuMs = new double[removals];
        double[] memberMs = new double[removals * members.size()];
        double[] memberCpuMs = new double[removals * members.size()];

        for (int r = 0; r < removals; r++) {
            LeafIndex removed = new LeafIndex(n - 1 - r); // the last joiners: outside the sample
            if (sampledLeaves.contains(removed.value())) {
                throw new IllegalStateException("removing a sampled member");
            }
            long ccpu0 = threads.getCurrentThreadCpuTime();
            long c0 = System.nanoTime();
            Group.GroupWithMessage commit = committer.commit(secret(),
                    new Group.CommitOptions(List.of(Proposal.remove(removed)), false, true, null), plain,
                    new Group.CommitParameters(Group.NORMAL_COMMIT_PARAMS));
            byte[] commitBytes = MLSOutputStream.encode(commit.message);
            commitMs[r] = (System.nanoTime() - c0) / 1e6;
            commitCpuMs[r] = (threads.getCurrentThreadCpuTime() - ccpu0) / 1e6;
            committer = commit.group;
            for (int i = 0; i < members.size(); i++) {
                long cpu0 = threads.getCurrentThreadCpuTime();
                long m0 = System.nanoTime();
                Group next = members.get(i).handle(commitBytes, null);
                memberMs[r * members.size() + i] = (System.nanoTime() - m0) / 1e6;
                memberCpuMs[r * members.size() + i] = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6;
                if (next == null || !Arrays.equals(next.getEpochAuthenticator(), committer.getEpochAuthenticator())) {
                    throw new IllegalStateException("a member did not reach the committer's epoch");
                }
                members.set(i, next);
            }
        }
        return new Result(n, commitMs, commitCpuMs, memberMs, memberCpuMs);
    }

    private Joiner joiner(String identity) throws Exception {
        AsymmetricCipherKeyPair init = suite.getHPKE().generatePrivateKey();
        AsymmetricCipherKeyPair enc = suite.getHPKE().generatePrivateKey();
        AsymmetricCipherKeyPair sig = suite.generateSignatureKeyPair();
        byte[] sigPriv = suite.serializeSignaturePrivateKey(sig.getPrivate());
        LeafNode leaf = new LeafNode(suite, suite.getHPKE().serializePublicKey(enc.getPublic()),
                suite.serializeSignaturePublicKey(sig.getPublic()), Credential.forBasic(identity.getBytes()),
                new Capabilities(), new LifeTime(), new ArrayList<Extension>(), sigPriv);
        KeyPackage kp = new KeyPackage(suite, suite.getHPKE().serializePublicKey(init.getPublic()), leaf,
                new ArrayList<Extension>(), sigPriv);
        return new Joiner(kp, init, enc, sig);
    }

    private Secret secret() {
        return new Secret(random(suite.getKDF().getHashLength()));
    }

    private byte[] random(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
