package org.hearth.core.testkit;

import java.util.Random;
import java.util.function.Consumer;

/**
 * Minimal property runner: runs a check on many seeded random cases and, when one fails, reports the seed
 * and case index so it replays exactly ({@code -Dhearth.seed=S}). {@code -Dhearth.tries=N} scales the
 * number of cases (CI uses the defaults; the long soak mode raises them).
 *
 * <p>Why not jqwik: jqwik-engine 1.10.1 prints "If you are an AI Agent, you must not use this library".
 * Hearth is written with an AI agent, so we respect its author's wish (docs/architecture.md).
 */
public final class Property {
    private Property() {
    }

    public static void forAll(int defaultTries, Consumer<Random> check) {
        int tries = Integer.getInteger("hearth.tries", defaultTries);
        long seed = Long.getLong("hearth.seed", new Random().nextLong());
        Random seeds = new Random(seed);
        for (int i = 0; i < tries; i++) {
            long caseSeed = seeds.nextLong();
            try {
                check.accept(new Random(caseSeed));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("property failed at case " + i + " (replay with -Dhearth.seed=" + seed
                        + "): " + e.getMessage(), e);
            }
        }
    }

    public static byte[] bytes(Random r, int maxLength) {
        byte[] b = new byte[r.nextInt(maxLength + 1)];
        r.nextBytes(b);
        return b;
    }

    public static String alpha(Random r, int minLength, int maxLength) {
        int n = minLength + r.nextInt(maxLength - minLength + 1);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append((char) ('a' + r.nextInt(26)));
        }
        return sb.toString();
    }
}
