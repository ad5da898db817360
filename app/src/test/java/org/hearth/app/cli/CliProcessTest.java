package org.hearth.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Identity;
import org.hearth.node.NodeHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands that read the passphrase ({@code init}, {@code run}), each in a child JVM with its own
 * {@code HEARTH_PASSPHRASE}, as a user or a script would run them. Ten child JVMs in all.
 */
class CliProcessTest {
    @TempDir
    Path dir;

    @Test
    void init_twiceOnSameHome_secondExits1AlreadyExistsAndKeepsTheIdentity() throws Exception {
        Path home = dir.resolve("node");

        HearthProcess.Result first = HearthProcess.run(HearthProcess.PASSPHRASE, "init", "--home", home.toString(),
                "--name", "carol");
        HearthProcess.Result second = HearthProcess.run(HearthProcess.PASSPHRASE, "init", "--home", home.toString());

        assertThat(first.exit()).as("stderr: %s", first.err()).isZero();
        String address = first.out().trim();
        assertThat(address).hasSize(56);
        assertThat(second.exit()).isEqualTo(1);
        assertOneCleanErrorLine(second);
        assertThat(second.err()).contains("already exists");
        try (OpenedHome opened = open(home, HearthProcess.PASSPHRASE)) {
            assertThat(opened.home().identity().address().text()).isEqualTo(address);
            assertThat(opened.home().name()).isEqualTo("carol");
        }
    }

    @Test
    void run_wrongPassphrase_exits1WithoutStackTraceAndLeavesStoreUsable() throws Exception {
        Path home = dir.resolve("node");
        Identity id = NodeHome.init(home, HearthProcess.PASSPHRASE.toCharArray(), "dave", RandomSource.secure(),
                PassphraseKdf.FAST);
        Map<String, String> before = fingerprint(home);

        HearthProcess.Result r = HearthProcess.run("not the passphrase", "run", "--home", home.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains("wrong passphrase");
        assertThat(r.out()).doesNotContain("listening");
        // every file is as it was (a lock file may be new: that is not the store)
        assertThat(fingerprint(home)).as("files in the home").containsAllEntriesOf(before);
        try (OpenedHome opened = open(home, HearthProcess.PASSPHRASE)) {
            assertThat(opened.home().identity().address()).isEqualTo(id.address());
        }
    }

    @Test
    void run_listenOnAllInterfacesWithoutAdvertise_exits1SayingWhatToAdd() throws Exception {
        HearthProcess.Result r = HearthProcess.run(HearthProcess.PASSPHRASE, "run", "--home",
                dir.resolve("none").toString(), "--listen", "0.0.0.0:0");

        assertThat(r.exit()).isEqualTo(1);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains("--advertise");
    }

    @Test
    void run_malformedListen_exits1NamingTheOption() throws Exception {
        HearthProcess.Result r = HearthProcess.run(HearthProcess.PASSPHRASE, "run", "--home",
                dir.resolve("none").toString(), "--listen", "localhost");

        assertThat(r.exit()).isEqualTo(1);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).startsWith("hearth: --listen: ");
    }

    @Test
    void run_emptyPassphraseVariable_exits1SayingSo() throws Exception {
        HearthProcess.Result r = HearthProcess.run("", "run", "--home", dir.resolve("none").toString());

        assertThat(r.exit()).isEqualTo(1);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains("HEARTH_PASSPHRASE").contains("empty");
    }

    @Test
    void init_noPassphraseAndNoTerminal_exits1PointingToTheVariable() throws Exception {
        Path home = dir.resolve("node");

        HearthProcess.Result r = HearthProcess.run(null, "init", "--home", home.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains("HEARTH_PASSPHRASE");
        assertThat(NodeHome.exists(home)).isFalse();
    }

    @Test
    void run_rightPassphrase_servesClientCommandsAndCleansUpOnSigterm() throws Exception {
        Path home = dir.resolve("node");
        Identity id = NodeHome.init(home, HearthProcess.PASSPHRASE.toCharArray(), "erin", RandomSource.secure(),
                PassphraseKdf.FAST);

        try (HearthProcess node = HearthProcess.start(HearthProcess.PASSPHRASE, "run", "--home", home.toString())) {
            String first = node.readLine();
            assertThat(first).as("stderr: %s", first == null ? node.stderr() : "").startsWith("listening ");
            String endpoint = first.substring("listening ".length());
            assertThat(endpoint).startsWith(id.address().text() + "@127.0.0.1:");

            Cli.Result whoami = Cli.run("whoami", "--home", home.toString());
            assertThat(whoami.exit()).isZero();
            assertThat(whoami.out().trim()).isEqualTo(endpoint);

            node.terminate();
            assertThat(home.resolve("api.port")).doesNotExist();
            assertThat(home.resolve("api.token")).doesNotExist();
            assertThat(node.stderr()).doesNotContain("Exception");
        }
        Cli.Result after = Cli.run("whoami", "--home", home.toString());
        assertThat(after.exit()).isEqualTo(1);
        assertThat(after.err()).contains("no running node");
    }

    @Test
    void run_homeAlreadyRunning_secondExits1AndFirstKeepsItsApi() throws Exception {
        Path home = dir.resolve("node");
        NodeHome.init(home, HearthProcess.PASSPHRASE.toCharArray(), "frank", RandomSource.secure(), PassphraseKdf.FAST);

        try (HearthProcess first = HearthProcess.start(HearthProcess.PASSPHRASE, "run", "--home", home.toString())) {
            String endpoint = first.readLine().substring("listening ".length());
            String port = Files.readString(home.resolve("api.port"));
            String token = Files.readString(home.resolve("api.token"));

            try (HearthProcess second = HearthProcess.start(HearthProcess.PASSPHRASE, "run", "--home",
                    home.toString())) {
                String line = second.readLine();
                if (line != null) {
                    second.terminate();
                }
                assertThat(line).as("a second node started on a home that is in use; its stderr: %s", second.stderr())
                        .isNull();
                assertThat(second.awaitExit()).isEqualTo(1);
                assertThat(second.stderr().lines().filter(l -> !l.isBlank()).toList()).hasSize(1);
                assertThat(second.stderr()).startsWith("hearth: ").contains("running").doesNotContain("Exception");
            }
            assertThat(Files.readString(home.resolve("api.port"))).isEqualTo(port);
            assertThat(Files.readString(home.resolve("api.token"))).isEqualTo(token);
            assertThat(Cli.run("whoami", "--home", home.toString()).out().trim()).isEqualTo(endpoint);
        }
    }

    // ---- helpers ----

    private static void assertOneCleanErrorLine(HearthProcess.Result r) {
        assertThat(r.errLines()).as("stderr: %s", r.err()).hasSize(1);
        assertThat(r.err()).startsWith("hearth: ").doesNotContain("Exception").doesNotContain("\tat ");
    }

    private record OpenedHome(NodeHome.Opened home) implements AutoCloseable {
        @Override
        public void close() {
            home.db().close();
        }
    }

    private static OpenedHome open(Path home, String passphrase) throws Exception {
        return new OpenedHome(NodeHome.open(home, passphrase.toCharArray()));
    }

    /** Name and SHA-256 of every file in the home. */
    private static Map<String, String> fingerprint(Path home) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(home)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                try {
                    out.put(home.relativize(f).toString(), HexFormat.of().formatHex(
                            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }
}
