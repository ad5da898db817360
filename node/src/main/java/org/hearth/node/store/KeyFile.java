package org.hearth.node.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;

/**
 * The plain file next to the database that says how its key is derived: Argon2id parameters and salt.
 * It holds no secret. Layout (big-endian): magic {@code "HEARTHKF"} ‖ u16 format ‖ u8 kdf (1 = Argon2id
 * v1.3) ‖ u32 memoryKib ‖ u32 iterations ‖ u32 parallelism ‖ u8 salt length (16) ‖ salt.
 */
record KeyFile(PassphraseKdf.Params params, Bytes salt) {
    static final String NAME = "store.kdf";
    static final int SALT_LENGTH = 16;
    private static final byte[] MAGIC = "HEARTHKF".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT = 1;
    private static final int KDF_ARGON2ID = 1;
    private static final int LENGTH = MAGIC.length + 2 + 1 + 3 * 4 + 1 + SALT_LENGTH;

    KeyFile {
        if (params == null || salt == null || salt.length() != SALT_LENGTH) {
            throw new IllegalArgumentException("key file needs Argon2 parameters and a 16-byte salt");
        }
    }

    static KeyFile fresh(PassphraseKdf.Params params, RandomSource random) {
        return new KeyFile(params, Bytes.wrap(random.bytes(SALT_LENGTH)));
    }

    SecretBytes deriveKey(char[] passphrase) {
        return PassphraseKdf.derive(passphrase, salt.toByteArray(), params);
    }

    byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(LENGTH)
                .put(MAGIC)
                .putShort((short) FORMAT)
                .put((byte) KDF_ARGON2ID)
                .putInt(params.memoryKib())
                .putInt(params.iterations())
                .putInt(params.parallelism())
                .put((byte) SALT_LENGTH);
        salt.copyTo(out.array(), out.position());
        return out.array();
    }

    static KeyFile decode(byte[] data) {
        if (data.length != LENGTH || !Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new StoreException("not a Hearth store key file");
        }
        ByteBuffer in = ByteBuffer.wrap(data, MAGIC.length, LENGTH - MAGIC.length);
        int format = Short.toUnsignedInt(in.getShort());
        int kdf = Byte.toUnsignedInt(in.get());
        if (format != FORMAT || kdf != KDF_ARGON2ID) {
            throw new StoreException("unsupported store key file (format " + format + ", kdf " + kdf + ")");
        }
        PassphraseKdf.Params params;
        try {
            params = new PassphraseKdf.Params(in.getInt(), in.getInt(), in.getInt());
        } catch (IllegalArgumentException e) {
            throw new StoreException("store key file has invalid Argon2 parameters", e);
        }
        if (Byte.toUnsignedInt(in.get()) != SALT_LENGTH) {
            throw new StoreException("store key file has an invalid salt length");
        }
        return new KeyFile(params, Bytes.copyOf(data, in.position(), SALT_LENGTH));
    }

    static KeyFile read(Path file) {
        try {
            return decode(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new StoreException("cannot read " + file, e);
        }
    }

    /** Writes to a temporary file, syncs it, then renames it into place, so a crash leaves no half file. */
    void writeAtomically(Path file) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(encode()));
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(file.getParent());
        } catch (IOException e) {
            throw new StoreException("cannot write " + file, e);
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Best effort: some platforms (Windows) cannot open a directory to sync it.
        }
    }
}
