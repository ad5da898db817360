package org.hearth.node.transport.tor;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import org.hearth.core.identity.Identity;

/**
 * The node's identity key in the form ADD_ONION takes ({@code ED25519-V3:<base64>}): tor stores Ed25519 keys
 * expanded, i.e. SHA-512(seed) with the scalar half clamped (RFC 8032 §5.1.5), all 64 bytes — not the seed.
 * So the onion service's address is the node's Hearth address.
 */
final class OnionKey {
    private OnionKey() {
    }

    /** The ADD_ONION key argument; a secret: never log it. */
    static String addOnionKey(Identity identity) {
        byte[] seed = identity.seed().reveal();
        byte[] h = null;
        try {
            h = MessageDigest.getInstance("SHA-512").digest(seed);
            h[0] &= (byte) 248;
            h[31] &= 127;
            h[31] |= 64;
            return "ED25519-V3:" + Base64.getEncoder().encodeToString(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is missing from this JDK", e);
        } finally {
            Arrays.fill(seed, (byte) 0);
            if (h != null) {
                Arrays.fill(h, (byte) 0);
            }
        }
    }
}
