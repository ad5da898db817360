package org.hearth.core.crypto;

import java.security.SecureRandom;
import java.util.function.Consumer;

/** Injected randomness: production uses the OS CSPRNG; tests may pass a seeded source. */
public interface RandomSource extends Consumer<byte[]> {
    void nextBytes(byte[] out);

    @Override
    default void accept(byte[] out) {
        nextBytes(out);
    }

    default byte[] bytes(int n) {
        byte[] b = new byte[n];
        nextBytes(b);
        return b;
    }

    static RandomSource secure() {
        SecureRandom r = new SecureRandom();
        return r::nextBytes;
    }
}
