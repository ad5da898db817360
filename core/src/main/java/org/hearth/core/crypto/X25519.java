package org.hearth.core.crypto;

import java.util.function.Consumer;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;

/** X25519 Diffie-Hellman (RFC 7748). */
public final class X25519 {
    public static final int KEY_LENGTH = 32;

    private X25519() {
    }

    public record KeyPair(SecretBytes privateKey, Bytes publicKey) {
    }

    public static KeyPair generate(Consumer<byte[]> random) {
        byte[] priv = new byte[KEY_LENGTH];
        random.accept(priv);
        return fromPrivate(priv);
    }

    public static KeyPair fromPrivate(byte[] priv) {
        if (priv.length != KEY_LENGTH) {
            throw new IllegalArgumentException("X25519 private key must be 32 bytes");
        }
        byte[] pub = new byte[KEY_LENGTH];
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(priv, 0, pub, 0);
        return new KeyPair(SecretBytes.copyOf(priv), Bytes.wrap(pub));
    }

    /**
     * The shared secret. Throws when it is all zeros (a low-order public key), which RFC 7748 §6.1 allows
     * a protocol to refuse; Hearth refuses it.
     */
    public static byte[] agree(SecretBytes privateKey, byte[] peerPublic) throws CryptoException {
        if (peerPublic.length != KEY_LENGTH) {
            throw new CryptoException("X25519 public key must be 32 bytes");
        }
        byte[] priv = privateKey.reveal();
        byte[] shared = new byte[KEY_LENGTH];
        boolean ok = org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(priv, 0, peerPublic, 0, shared, 0);
        java.util.Arrays.fill(priv, (byte) 0);
        if (!ok) {
            throw new CryptoException("X25519 produced the all-zero shared secret");
        }
        return shared;
    }

}
