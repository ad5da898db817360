package org.hearth.core.crypto;

import java.util.Arrays;
import java.util.function.Consumer;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;

/** Ed25519 (RFC 8032, pure) through BouncyCastle's rfc8032 implementation. */
public final class Ed25519 {
    public static final int PUBLIC_KEY_LENGTH = 32;
    public static final int SEED_LENGTH = 32;
    public static final int SIGNATURE_LENGTH = 64;

    private Ed25519() {
    }

    public static SecretBytes generateSeed(Consumer<byte[]> random) {
        byte[] seed = new byte[SEED_LENGTH];
        random.accept(seed);
        return SecretBytes.adopt(seed);
    }

    public static Bytes publicKey(SecretBytes seed) {
        byte[] s = seed.reveal();
        byte[] pk = new byte[PUBLIC_KEY_LENGTH];
        org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(s, 0, pk, 0);
        Arrays.fill(s, (byte) 0);
        return Bytes.wrap(pk);
    }

    public static byte[] signRaw(SecretBytes seed, Bytes publicKey, byte[] message) {
        byte[] s = seed.reveal();
        byte[] sig = new byte[SIGNATURE_LENGTH];
        org.bouncycastle.math.ec.rfc8032.Ed25519.sign(s, 0, publicKey.toByteArray(), 0, message, 0, message.length,
                sig, 0);
        Arrays.fill(s, (byte) 0);
        return sig;
    }

    /** Verifies a raw (unlabelled) signature; for vectors and the labelled API below. Throws when invalid. */
    public static void verifyRaw(byte[] publicKey, byte[] message, byte[] signature) throws CryptoException {
        if (publicKey.length != PUBLIC_KEY_LENGTH || signature.length != SIGNATURE_LENGTH) {
            throw new CryptoException("bad Ed25519 key or signature length");
        }
        boolean ok;
        try {
            ok = org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, publicKey, 0, message, 0,
                    message.length);
        } catch (RuntimeException e) {
            ok = false;
        }
        if (!ok) {
            throw new CryptoException("invalid Ed25519 signature");
        }
    }

    /**
     * A public key decoded once, for checking many signatures of one signer (a catch-up): BouncyCastle then skips
     * the point decompression per signature. It accepts and rejects exactly what {@link #verifyRaw} does with
     * the same key bytes (the Wycheproof vectors run through both); an invalid key rejects every signature.
     */
    public static final class Verifier {
        private final org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint point;

        private Verifier(org.bouncycastle.math.ec.rfc8032.Ed25519.PublicPoint point) {
            this.point = point;
        }

        /** As {@link Ed25519#verifyRaw} with this key. */
        public void verifyRaw(byte[] message, byte[] signature) throws CryptoException {
            if (point == null || signature.length != SIGNATURE_LENGTH) {
                throw new CryptoException(point == null ? "invalid Ed25519 public key"
                        : "bad Ed25519 key or signature length");
            }
            boolean ok;
            try {
                ok = org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, point, message, 0, message.length);
            } catch (RuntimeException e) {
                ok = false;
            }
            if (!ok) {
                throw new CryptoException("invalid Ed25519 signature");
            }
        }

        /** As {@link Ed25519#verify} with this key. */
        public void verify(String label, byte[] message, Bytes signature) throws CryptoException {
            verifyRaw(Labels.encode(label, message), signature.toByteArray());
        }
    }

    /** Decodes {@code publicKey} for {@link Verifier}; never throws: an invalid key gives a verifier that rejects. */
    public static Verifier verifier(byte[] publicKey) {
        if (publicKey.length != PUBLIC_KEY_LENGTH) {
            return new Verifier(null);
        }
        try {
            return new Verifier(org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyPartialExport(publicKey, 0));
        } catch (RuntimeException e) {
            return new Verifier(null);
        }
    }

    /** Signs {@code Labels.encode(label, message)}. */
    public static Bytes sign(SecretBytes seed, Bytes publicKey, String label, byte[] message) {
        return Bytes.wrap(signRaw(seed, publicKey, Labels.encode(label, message)));
    }

    public static void verify(Bytes publicKey, String label, byte[] message, Bytes signature) throws CryptoException {
        verifyRaw(publicKey.toByteArray(), Labels.encode(label, message), signature.toByteArray());
    }
}
