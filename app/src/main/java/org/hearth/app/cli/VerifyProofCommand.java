package org.hearth.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.group.EquivocationProof;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.InvalidAddressException;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.SignedUpdate;
import org.hearth.node.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Checks proofs exported by `hearth group proofs` without any node: anyone can run it. */
@Command(name = "verify-proof", description = "Check proofs of manager equivocation (the JSON `group proofs` prints).")
final class VerifyProofCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE")
    Path file;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        JsonNode proofs;
        try {
            proofs = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UserError(UserError.Kind.INVALID, "cannot read " + file + ": " + e.getMessage());
        }
        if (proofs == null || !proofs.isArray() || proofs.isEmpty()) {
            throw new UserError(UserError.Kind.INVALID, "expected a JSON array of proofs");
        }
        for (JsonNode p : proofs) {
            try {
                EquivocationProof proof = EquivocationProof.verify(Address.parse(p.path("manager").asText()),
                        SignedUpdate.parseFrom(HexFormat.of().parseHex(p.path("first").asText())),
                        SignedUpdate.parseFrom(HexFormat.of().parseHex(p.path("second").asText())));
                spec.commandLine().getOut().printf("valid: manager %s signed two different updates for epoch %d"
                        + " of group %s%n", proof.manager(), proof.epoch(), proof.groupId());
            } catch (InvalidAddressException | MalformedMessageException | CryptoException
                    | com.google.protobuf.InvalidProtocolBufferException | IllegalArgumentException e) {
                throw new UserError(UserError.Kind.INVALID, "not a valid proof: " + e.getMessage());
            }
        }
        return 0;
    }
}
