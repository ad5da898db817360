package org.hearth.core.identity;

import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.crypto.Ed25519;
import org.hearth.core.crypto.RandomSource;

/** A node's Ed25519 identity key pair; its address is derived from the public key. */
public final class Identity {
    private final SecretBytes seed;
    private final Bytes publicKey;
    private final Address address;

    private Identity(SecretBytes seed) {
        if (seed.length() != Ed25519.SEED_LENGTH) {
            throw new IllegalArgumentException("identity seed must be 32 bytes");
        }
        this.seed = seed;
        this.publicKey = Ed25519.publicKey(seed);
        this.address = Address.of(publicKey);
    }

    public static Identity generate(RandomSource random) {
        return new Identity(Ed25519.generateSeed(random));
    }

    public static Identity fromSeed(SecretBytes seed) {
        return new Identity(seed);
    }

    public Address address() {
        return address;
    }

    public Bytes publicKey() {
        return publicKey;
    }

    /** The seed, for storing it encrypted; Tor's ADD_ONION also needs it (expanded). */
    public SecretBytes seed() {
        return seed;
    }

    public Bytes sign(String label, byte[] message) {
        return Ed25519.sign(seed, publicKey, label, message);
    }

    @Override
    public String toString() {
        return "Identity[" + address.scrubbed() + "]";
    }
}
