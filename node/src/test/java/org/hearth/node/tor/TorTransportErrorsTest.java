package org.hearth.node.tor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Identity;
import org.hearth.node.transport.tor.TorBinaries;
import org.hearth.node.transport.tor.TorException;
import org.hearth.node.transport.tor.TorSettings;
import org.hearth.node.transport.tor.TorTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the user is told when tor cannot be used. Nothing here leaves 127.0.0.1. */
class TorTransportErrorsTest {
    private static final String ZEROS = "0".repeat(40);
    @TempDir
    Path home;

    @Test
    void start_torBinaryMissing_saysSo() {
        Identity id = Identity.generate(RandomSource.secure());
        TorSettings s = TorSettings.defaults().withBinary(home.resolve("no-such-tor"));
        assertThatThrownBy(() -> TorTransport.start(id, RandomSource.secure(), home, s))
                .isInstanceOf(TorException.class).hasMessageContaining("no-such-tor")
                .hasMessageContaining("not an executable");
    }

    @Test
    void start_noReachableDirectory_failsAfterTimeoutWithTorsOwnWords() {
        assumeTrue(TorBinaries.torInstalled(), "tor is not installed (apt-get install tor)");
        Identity id = Identity.generate(RandomSource.secure());
        // a test network whose only authority is a closed port on loopback: tor can never bootstrap
        TorSettings s = TorSettings.defaults()
                .withTorrcLines(List.of("TestingTorNetwork 1",
                        "DirAuthority nobody orport=1 no-v2 v3ident=" + ZEROS + " 127.0.0.1:1 " + ZEROS))
                .withTimeouts(Duration.ofSeconds(4), Duration.ofSeconds(4), Duration.ofSeconds(4));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> TorTransport.start(id, RandomSource.secure(), home, s))
                .isInstanceOf(TorException.class).hasMessageContaining("did not bootstrap within 4 s")
                .hasMessageContaining("tor said:")
                .satisfies(e -> System.out.println("bootstrap failure reads: " + e.getMessage()));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
        // the tor it started is gone
        assertThat(ProcessHandle.current().children()
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(home.toString())).orElse(false))
                .filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void start_badTorrcLine_exitsWithTorsError() {
        assumeTrue(TorBinaries.torInstalled(), "tor is not installed (apt-get install tor)");
        Identity id = Identity.generate(RandomSource.secure());
        TorSettings s = TorSettings.defaults().withTorrcLines(List.of("NoSuchTorOption 1"));
        assertThatThrownBy(() -> TorTransport.start(id, RandomSource.secure(), home, s))
                .isInstanceOf(TorException.class).hasMessageContaining("tor exited at start-up")
                .hasMessageContaining("NoSuchTorOption");
    }
}
