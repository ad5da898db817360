package org.hearth.node.transport.tor;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A throw-away Tor network on 127.0.0.1 for tests and the demo: three directory authorities (keys from
 * {@code tor-gencert}) and three non-exit relays, every torrc with {@code TestingTorNetwork 1} and
 * {@code DirAuthority} lines naming only these authorities, so no tor ever contacts the public network.
 * {@link #start} returns once a consensus lists every relay; nodes then run their own tor with
 * {@link #torrcLinesForClients()} (bootstrap ~2 s). {@link #close()} stops every tor it started, by PID.
 * Timings and options follow the measured recipe (first consensus ~15 s).
 */
public final class PrivateTorNetwork implements Closeable {
    private static final int AUTHORITIES = 3;
    private static final int RELAYS = 3;
    /** Voting interval and vote/dist delays (s): the defaults would take minutes to the first consensus. */
    private static final int VOTING = 20;
    private static final int VOTE_DELAY = 4;
    private static final Duration CONSENSUS_TIMEOUT = Duration.ofMinutes(3);

    private final Path dir;
    private final List<String> dirAuthorities;
    private final List<Process> tors = new ArrayList<>();
    private Duration startup = Duration.ZERO;

    private PrivateTorNetwork(Path dir, List<String> dirAuthorities) {
        this.dir = dir;
        this.dirAuthorities = List.copyOf(dirAuthorities);
    }

    /** Starts the network in {@code dir} (created, mode 0700) and waits for a consensus listing every relay. */
    public static PrivateTorNetwork start(Path dir, Consumer<String> log) throws IOException, InterruptedException {
        Instant begun = Instant.now();
        Path tor = TorBinaries.tor(Optional.empty());
        Path gencert = TorBinaries.gencert(tor);
        makePrivateDir(dir);
        int[] ports = freePorts(2 * AUTHORITIES + RELAYS);
        List<String> authorityLines = new ArrayList<>();
        for (int i = 0; i < AUTHORITIES; i++) {
            authorityLines.add(createAuthority(tor, gencert, dir, "a" + i, ports[i], ports[AUTHORITIES + i]));
        }
        PrivateTorNetwork net = new PrivateTorNetwork(dir, authorityLines);
        try {
            // put the first vote ~6 s after launch (valid-after = multiples of the interval + this offset)
            long offset = (Instant.now().getEpochSecond() + 2 * VOTE_DELAY + 6) % VOTING;
            for (int i = 0; i < AUTHORITIES; i++) {
                List<String> torrc = new ArrayList<>(net.common("a" + i));
                torrc.addAll(relayLines("a" + i, ports[i]));
                torrc.addAll(authorityOptions(ports[AUTHORITIES + i], offset));
                net.launch("a" + i, torrc);
            }
            for (int i = 0; i < RELAYS; i++) {
                List<String> torrc = new ArrayList<>(net.common("r" + i));
                torrc.addAll(relayLines("r" + i, ports[2 * AUTHORITIES + i]));
                // not a directory cache: clients fetch from the authorities, which hold every microdescriptor
                torrc.add("DirCache 0");
                net.launch("r" + i, torrc);
            }
            log.accept("private Tor network: " + AUTHORITIES + " authorities and " + RELAYS
                    + " relays on 127.0.0.1, waiting for their first consensus...");
            net.awaitConsensus(AUTHORITIES + RELAYS);
            net.startup = Duration.between(begun, Instant.now());
            log.accept(String.format("private Tor network: consensus lists all %d relays after %.1f s",
                    AUTHORITIES + RELAYS, net.startup.toMillis() / 1000.0));
            return net;
        } catch (IOException | InterruptedException | RuntimeException e) {
            net.close();
            throw e;
        }
    }

    /** What a node's own tor needs to use this network (and only it): for {@link TorSettings#withTorrcLines}. */
    public List<String> torrcLinesForClients() {
        List<String> lines = new ArrayList<>();
        lines.add("TestingTorNetwork 1");
        lines.addAll(dirAuthorities);
        return lines;
    }

    /** The PIDs of the network's tor processes (to check that they only use loopback). */
    public List<Long> pids() {
        return tors.stream().map(Process::pid).toList();
    }

    /** From {@link #start} to the first complete consensus. */
    public Duration startupTime() {
        return startup;
    }

    /** Stops every tor this network started (SIGTERM, then SIGKILL after 5 s) and deletes its directory. */
    @Override
    public void close() {
        tors.forEach(Process::destroy);
        for (Process p : tors) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        tors.clear();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory; best effort
        }
    }

    private List<String> common(String nick) {
        Path d = dir.resolve(nick);
        List<String> lines = new ArrayList<>(List.of(
                "TestingTorNetwork 1",
                "DataDirectory " + KeyValues.quote(d.toString()),
                "Nickname " + nick,
                "Log notice file " + KeyValues.quote(d.resolve("notice.log").toString()),
                "ShutdownWaitLength 0",
                "__OwningControllerProcess " + ProcessHandle.current().pid(),
                "GeoIPFile /dev/null",
                "GeoIPv6File /dev/null",
                // publish descriptors at once, without a reachability self-test (that needs a consensus first)
                "AssumeReachable 1",
                // a fresh network has no guard-worthy uptime yet
                "TestingDirAuthVoteGuard *"));
        lines.addAll(dirAuthorities);
        return lines;
    }

    private static List<String> relayLines(String nick, int orPort) {
        return List.of("SocksPort 0", "ORPort 127.0.0.1:" + orPort, "Address 127.0.0.1", "ExitRelay 0",
                "ExitPolicy reject *:*", "ContactInfo " + nick + "@test.invalid");
    }

    private static List<String> authorityOptions(int dirPort, long votingOffset) {
        return List.of("DirPort 127.0.0.1:" + dirPort, "AuthoritativeDirectory 1", "V3AuthoritativeDirectory 1",
                "TestingV3AuthInitialVotingInterval " + VOTING, "TestingV3AuthInitialVoteDelay " + VOTE_DELAY,
                "TestingV3AuthInitialDistDelay " + VOTE_DELAY, "V3AuthVotingInterval " + VOTING,
                "V3AuthVoteDelay " + VOTE_DELAY, "V3AuthDistDelay " + VOTE_DELAY,
                // every running relay Stable from the first consensus (onion circuits need Stable relays)
                "AuthDirVoteStableGuaranteeMinUptime 0", "AuthDirVoteStableGuaranteeMTBF 0",
                "TestingV3AuthVotingStartOffset " + votingOffset);
    }

    /** tor-gencert keys and the relay fingerprint of one authority; returns its DirAuthority line. */
    private static String createAuthority(Path tor, Path gencert, Path dir, String nick, int orPort, int dirPort)
            throws IOException, InterruptedException {
        Path d = dir.resolve(nick);
        Path keys = d.resolve("keys");
        makePrivateDir(d);
        makePrivateDir(keys);
        run(List.of(gencert.toString(), "--create-identity-key", "--passphrase-fd", "0", "-m", "12",
                "-a", "127.0.0.1:" + dirPort, "-i", keys.resolve("authority_identity_key").toString(),
                "-s", keys.resolve("authority_signing_key").toString(),
                "-c", keys.resolve("authority_certificate").toString()), "\n", "tor-gencert");
        String v3 = Files.readAllLines(keys.resolve("authority_certificate")).stream()
                .filter(l -> l.startsWith("fingerprint ")).map(l -> l.substring(12).strip()).findFirst()
                .orElseThrow(() -> new TorException("tor-gencert wrote no fingerprint"));
        // key generation only: no network, and a placeholder loopback authority instead of the public ones
        Path keygen = d.resolve("torrc.keygen");
        Files.write(keygen, List.of("TestingTorNetwork 1", "DisableNetwork 1",
                "DataDirectory " + KeyValues.quote(d.toString()), "Nickname " + nick, "SocksPort 0",
                "ORPort 127.0.0.1:" + orPort, "Address 127.0.0.1", "Log err stderr",
                "DirAuthority placeholder orport=1 no-v2 v3ident=" + "0".repeat(40) + " 127.0.0.1:1 " + "0".repeat(40)));
        run(List.of(tor.toString(), "--list-fingerprint", "-f", keygen.toString(), "--defaults-torrc", "/dev/null"),
                "", "tor --list-fingerprint");
        String fp = Files.readString(d.resolve("fingerprint")).strip().split(" ")[1];
        return "DirAuthority " + nick + " orport=" + orPort + " no-v2 v3ident=" + v3 + " 127.0.0.1:" + dirPort + " "
                + fp;
    }

    private void launch(String nick, List<String> torrc) throws IOException {
        Path d = dir.resolve(nick);
        makePrivateDir(d);
        Path file = d.resolve("torrc");
        Files.write(file, torrc, StandardCharsets.UTF_8);
        tors.add(new ProcessBuilder(List.of(TorBinaries.tor(Optional.empty()).toString(), "-f", file.toString(),
                "--defaults-torrc", "/dev/null")).redirectErrorStream(true)
                .redirectOutput(d.resolve("stdout.log").toFile()).start());
    }

    /** Polls the first authority's cached consensus (a file tor writes) until it lists {@code relays} relays. */
    private void awaitConsensus(int relays) throws IOException, InterruptedException {
        Path consensus = dir.resolve("a0").resolve("cached-microdesc-consensus");
        long deadline = System.nanoTime() + CONSENSUS_TIMEOUT.toNanos();
        while (true) {
            if (Files.exists(consensus)) {
                long listed;
                try (Stream<String> lines = Files.lines(consensus, StandardCharsets.ISO_8859_1)) {
                    listed = lines.filter(l -> l.startsWith("r ")).count();
                }
                if (listed >= relays) {
                    return;
                }
            }
            for (int i = 0; i < tors.size(); i++) {
                if (!tors.get(i).isAlive()) {
                    throw new TorException("a tor of the private network exited: " + tail(i));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TorException("the private Tor network made no complete consensus within "
                        + CONSENSUS_TIMEOUT.toSeconds() + " s: " + tail(0));
            }
            Thread.sleep(200);
        }
    }

    private String tail(int index) {
        String nick = index < AUTHORITIES ? "a" + index : "r" + (index - AUTHORITIES);
        try {
            List<String> lines = Files.readAllLines(dir.resolve(nick).resolve("stdout.log"));
            return nick + ": " + (lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1));
        } catch (IOException e) {
            return nick + ": (no log)";
        }
    }

    private static void run(List<String> command, String input, String what) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new TorException(what + " failed: " + output.strip());
        }
    }

    private static void makePrivateDir(Path d) throws IOException {
        Files.createDirectories(d);
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
    }

    /** Free loopback ports, all held open until every one is chosen so none repeats. */
    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }
}
