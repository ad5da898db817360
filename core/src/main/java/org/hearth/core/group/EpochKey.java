package org.hearth.core.group;

import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.crypto.Kdf;
import org.hearth.core.crypto.RandomSource;

/**
 * The key of one epoch, bound to the update that started it. Message keys and routing tags are derived
 * from it, each with its own label, so the host sees tags that are unlinkable across epochs.
 */
public record EpochKey(GroupId group, long epoch, Bytes updateHash, SecretBytes key) {
    public static final String MESSAGE_KEY_LABEL = "hearth/group-message-key/v1";
    public static final String TAG_LABEL = "hearth/routing-tag/v1";
    public static final int TAG_LENGTH = 16;

    public EpochKey {
        if (key.length() != 32 || updateHash.length() != 32) {
            throw new IllegalArgumentException("epoch key and update hash are 32 bytes");
        }
    }

    public static SecretBytes fresh(RandomSource random) {
        return SecretBytes.adopt(random.bytes(32));
    }

    SecretBytes messageKey() {
        return Kdf.derive(key, MESSAGE_KEY_LABEL, 32, group.bytes().toByteArray(), u64(epoch));
    }

    /** The routing tag envelopes of this epoch are filed under at hosts. */
    public Bytes tag() {
        SecretBytes t = Kdf.derive(key, TAG_LABEL, TAG_LENGTH, group.bytes().toByteArray(), u64(epoch));
        Bytes out = Bytes.wrap(t.reveal());
        t.destroy();
        return out;
    }

    static byte[] u64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (56 - 8 * i));
        }
        return b;
    }

    @Override
    public String toString() {
        return "EpochKey[epoch " + epoch + "]";
    }
}
