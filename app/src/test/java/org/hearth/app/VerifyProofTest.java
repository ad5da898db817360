package org.hearth.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.group.GroupUpdate;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.proto.Change;
import org.hearth.core.wire.proto.GroupUpdateBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `hearth verify-proof` checks exported equivocation proofs offline. */
class VerifyProofTest {
    private final Identity manager = Identity.generate(RandomSource.secure());
    private final byte[] group = RandomSource.secure().bytes(32);

    @TempDir
    Path dir;

    private GroupUpdate update(Identity signer, long time) {
        return GroupUpdate.sign(signer, GroupUpdateBody.newBuilder().setGroupId(ByteString.copyFrom(group)).setEpoch(3)
                .setPrevHash(ByteString.copyFrom(new byte[32])).setStateDigest(ByteString.copyFrom(new byte[32]))
                .addChanges(Change.newBuilder().setRotate(true)).setTimeMs(time).build());
    }

    private Path proofFile(GroupUpdate a, GroupUpdate b) throws Exception {
        Path f = dir.resolve("proofs.json");
        HexFormat hex = HexFormat.of();
        Files.writeString(f, "[{\"epoch\":3,\"manager\":\"" + manager.address() + "\",\"first\":\""
                + hex.formatHex(a.signed().toByteArray()) + "\",\"second\":\"" + hex.formatHex(b.signed().toByteArray())
                + "\"}]");
        return f;
    }

    @Test
    void verifyProof_twoManagerSignedUpdatesForOneEpoch_exitsZero() throws Exception {
        assertThat(Main.run("verify-proof", proofFile(update(manager, 1), update(manager, 2)).toString())).isZero();
    }

    @Test
    void verifyProof_secondUpdateSignedBySomeoneElse_exitsOne() throws Exception {
        Identity other = Identity.generate(RandomSource.secure());
        assertThat(Main.run("verify-proof", proofFile(update(manager, 1), update(other, 2)).toString())).isEqualTo(1);
    }

    @Test
    void verifyProof_sameUpdateTwice_exitsOne() throws Exception {
        GroupUpdate u = update(manager, 1);
        assertThat(Bytes.wrap(u.signed().toByteArray()).length()).isPositive();
        assertThat(Main.run("verify-proof", proofFile(u, u).toString())).isEqualTo(1);
    }
}
