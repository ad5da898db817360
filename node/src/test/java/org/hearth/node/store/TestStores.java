package org.hearth.node.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;

/** Shared fixtures: a passphrase, cheap KDF parameters, deterministic salts and file snapshots. */
final class TestStores {
    static final String PASSPHRASE = "correct horse battery staple";
    static final String WRONG_PASSPHRASE = "correct horse battery stapler";

    private TestStores() {
    }

    static RandomSource fixedRandom() {
        return out -> Arrays.fill(out, (byte) 0x5A);
    }

    static Database open(Path dir) throws WrongPassphraseException {
        return open(dir, PASSPHRASE);
    }

    static Database open(Path dir, String passphrase) throws WrongPassphraseException {
        return Database.open(dir, passphrase.toCharArray(), PassphraseKdf.FAST, fixedRandom());
    }

    static SqliteDatabase openWith(Path dir, List<Migration> migrations) throws WrongPassphraseException {
        return SqliteDatabase.open(dir, PASSPHRASE.toCharArray(), PassphraseKdf.FAST, fixedRandom(), migrations);
    }

    /** Every file in {@code dir} by name, for before/after comparisons. */
    static Map<String, String> snapshot(Path dir) {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path f : (Iterable<Path>) list::iterator) {
                files.put(f.getFileName().toString(), HexFormat.of().formatHex(Files.readAllBytes(f)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
