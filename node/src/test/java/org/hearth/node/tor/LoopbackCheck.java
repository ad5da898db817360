package org.hearth.node.tor;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Checks from /proc that every TCP and UDP socket of the given processes is on loopback: local address
 * 127.0.0.0/8 or ::1, and the remote one loopback too (or unset, for a listener). Linux only.
 */
final class LoopbackCheck {
    private LoopbackCheck() {
    }

    /** The non-loopback sockets of these processes, one description each; empty when all is well. */
    static List<String> violations(List<Long> pids) throws IOException {
        Map<String, String[]> byInode = new HashMap<>();
        for (String table : List.of("tcp", "tcp6", "udp", "udp6")) {
            Path p = Path.of("/proc/net", table);
            if (!Files.exists(p)) {
                continue;
            }
            List<String> lines = Files.readAllLines(p);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                byInode.put(f[9], new String[] {table, f[1], f[2], f[3]});
            }
        }
        List<String> bad = new ArrayList<>();
        for (long pid : pids) {
            for (String inode : socketInodes(pid)) {
                String[] s = byInode.get(inode);
                if (s == null) {
                    continue; // a unix socket, or one that closed meanwhile
                }
                InetAddress local = address(s[1]);
                InetAddress remote = address(s[2]);
                if (!local.isLoopbackAddress() || !(remote.isLoopbackAddress() || remote.isAnyLocalAddress())) {
                    bad.add("pid " + pid + " " + s[0] + " " + local.getHostAddress() + " -> " + remote.getHostAddress());
                }
            }
        }
        return bad;
    }

    private static List<String> socketInodes(long pid) throws IOException {
        Path fds = Path.of("/proc", Long.toString(pid), "fd");
        List<String> inodes = new ArrayList<>();
        if (!Files.isDirectory(fds)) {
            return inodes;
        }
        try (Stream<Path> s = Files.list(fds)) {
            for (Path fd : s.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException gone) {
                    // the descriptor closed while we looked
                }
            }
        }
        return inodes;
    }

    /** {@code 0100007F:1F90}: the address as 32-bit words in host (little-endian) order. */
    private static InetAddress address(String hexWithPort) throws IOException {
        byte[] raw = HexFormat.of().parseHex(hexWithPort.substring(0, hexWithPort.indexOf(':')));
        for (int w = 0; w < raw.length; w += 4) {
            for (int i = 0; i < 2; i++) {
                byte t = raw[w + i];
                raw[w + i] = raw[w + 3 - i];
                raw[w + 3 - i] = t;
            }
        }
        return InetAddress.getByAddress(raw);
    }
}
