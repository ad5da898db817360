package org.hearth.app.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where a running node tells local clients how to reach its API: {@code api.port} and {@code api.token}
 * (mode 0600, so only the node's user can act on it).
 */
public final class ApiFiles {
    static final String PORT = "api.port";
    static final String TOKEN = "api.token";

    private ApiFiles() {
    }

    static void write(Path home, int port, String token) throws IOException {
        Path tokenTmp = home.resolve(TOKEN + ".tmp");
        Files.deleteIfExists(tokenTmp);
        Files.createFile(tokenTmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tokenTmp, token, StandardCharsets.US_ASCII);
        Files.move(tokenTmp, home.resolve(TOKEN), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Path portTmp = home.resolve(PORT + ".tmp");
        Files.writeString(portTmp, Integer.toString(port), StandardCharsets.US_ASCII);
        Files.move(portTmp, home.resolve(PORT), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static void remove(Path home) {
        try {
            Files.deleteIfExists(home.resolve(PORT));
            Files.deleteIfExists(home.resolve(TOKEN));
        } catch (IOException ignored) {
            // a stale file only makes the CLI report that the node is not running
        }
    }

    record Access(int port, String token) {
    }

    static Access read(Path home) throws IOException {
        String port = Files.readString(home.resolve(PORT), StandardCharsets.US_ASCII).trim();
        String token = Files.readString(home.resolve(TOKEN), StandardCharsets.US_ASCII).trim();
        try {
            return new Access(Integer.parseInt(port), token);
        } catch (NumberFormatException e) {
            throw new IOException("api.port is corrupt");
        }
    }
}
