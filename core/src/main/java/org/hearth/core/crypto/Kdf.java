package org.hearth.core.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.hearth.core.bytes.SecretBytes;

/** HKDF-SHA256 (RFC 5869) and HMAC-SHA256 (RFC 2104). */
public final class Kdf {
    private Kdf() {
    }

    /** Derives a key for one purpose: HKDF(ikm = key, salt = none, info = Labels.encode(label, context)). */
    public static SecretBytes derive(SecretBytes key, String label, int length, byte[]... context) {
        byte[] ikm = key.reveal();
        try {
            return SecretBytes.adopt(hkdf(ikm, new byte[0], Labels.encode(label, context), length));
        } finally {
            Arrays.fill(ikm, (byte) 0);
        }
    }

    public static byte[] hkdf(byte[] ikm, byte[] salt, byte[] info, int length) {
        HKDFBytesGenerator g = new HKDFBytesGenerator(new SHA256Digest());
        g.init(new HKDFParameters(ikm, salt, info));
        byte[] out = new byte[length];
        g.generateBytes(out, 0, length);
        return out;
    }

    public static byte[] hmacSha256(byte[] key, byte[] data) {
        HMac mac = new HMac(new SHA256Digest());
        mac.init(new KeyParameter(key));
        mac.update(data, 0, data.length);
        byte[] out = new byte[mac.getMacSize()];
        mac.doFinal(out, 0);
        return out;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
