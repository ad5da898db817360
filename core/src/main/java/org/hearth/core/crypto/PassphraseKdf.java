package org.hearth.core.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.hearth.core.bytes.SecretBytes;

/** Argon2id (RFC 9106) from a passphrase to a 32-byte key. Parameters are stored next to the salt. */
public final class PassphraseKdf {
    /** RFC 9106 §4 second recommended option (64 MiB), with 3 passes. */
    public static final Params DEFAULT = new Params(64 * 1024, 3, 1);
    /** Cheap parameters for tests and the demo's throw-away homes. */
    public static final Params FAST = new Params(1024, 1, 1);

    public record Params(int memoryKib, int iterations, int parallelism) {
        public Params {
            if (memoryKib < 8 || memoryKib > 4 * 1024 * 1024 || iterations < 1 || iterations > 100
                    || parallelism < 1 || parallelism > 16) {
                throw new IllegalArgumentException("Argon2 parameters out of range");
            }
        }
    }

    private PassphraseKdf() {
    }

    public static SecretBytes derive(char[] passphrase, byte[] salt, Params p) {
        if (salt.length < 16) {
            throw new IllegalArgumentException("salt must be at least 16 bytes");
        }
        // Only the encoded bytes between position and limit: the buffer's backing array may be longer.
        java.nio.ByteBuffer encoded = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(passphrase));
        byte[] pw = new byte[encoded.remaining()];
        encoded.get(pw);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        Argon2BytesGenerator g = new Argon2BytesGenerator();
        g.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(p.memoryKib())
                .withIterations(p.iterations())
                .withParallelism(p.parallelism())
                .withSalt(salt)
                .build());
        byte[] out = new byte[32];
        try {
            g.generateBytes(pw, out);
            return SecretBytes.adopt(out);
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }
}
