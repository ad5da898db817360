package org.hearth.node.transport.tor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hearth.core.identity.HostPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SOCKS5 and control-port clients against scripted servers on loopback (no tor needed). */
class FakeTorTest {
    private final ServerSocket server;
    @TempDir
    Path dir;

    FakeTorTest() throws Exception {
        server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
    }

    @AfterEach
    void close() throws Exception {
        server.close();
    }

    private HostPort at() {
        return new HostPort("127.0.0.1", server.getLocalPort());
    }

    /** A SOCKS5 server that checks the request and answers {@code reply}; on success it echoes one byte. */
    private void socksServer(int reply, List<String> seen) {
        Thread.ofVirtual().start(() -> {
            try (Socket s = server.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                byte[] greeting = new byte[3];
                in.readFully(greeting);
                out.write(new byte[] {5, 0});
                byte[] head = new byte[5];
                in.readFully(head);
                byte[] host = new byte[head[4]];
                in.readFully(host);
                int port = in.readUnsignedShort();
                seen.add("atyp=" + head[3] + " " + new String(host, StandardCharsets.US_ASCII) + ":" + port);
                out.write(new byte[] {5, (byte) reply, 0, 1, 0, 0, 0, 0, 0, 0});
                out.flush();
                if (reply == 0) {
                    out.write(in.read());
                    out.flush();
                }
            } catch (Exception ignored) {
                // the test's assertions say what went wrong
            }
        });
    }

    @Test
    void socksConnect_success_sendsHostNameAndGivesAStream() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        socksServer(0, seen);
        try (Socket s = Socks5.connect(at(), "abc.onion", 7650, Duration.ofSeconds(5))) {
            s.getOutputStream().write(42);
            assertThat(s.getInputStream().read()).isEqualTo(42);
        }
        assertThat(seen).containsExactly("atyp=3 abc.onion:7650");
    }

    @Test
    void socksConnect_extendedError_namesTheOnionFailure() {
        socksServer(0xF0, new CopyOnWriteArrayList<>());
        assertThatThrownBy(() -> Socks5.connect(at(), "abc.onion", 7650, Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(Socks5.SocksException.class, e -> {
                    assertThat(e.code()).isEqualTo(0xF0);
                    assertThat(e.onionFailure()).isTrue();
                })
                .hasMessageContaining("descriptor not found").hasMessageContaining("0xF0");
    }

    @Test
    void control_cookieAuthGetInfoAndEvents_followTheProtocol() throws Exception {
        byte[] cookie = new byte[32];
        cookie[0] = 7;
        Path cookieFile = dir.resolve("control_auth_cookie");
        Files.write(cookieFile, cookie);
        List<String> commands = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (Socket s = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream out = s.getOutputStream();
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    commands.add(line);
                    String reply = switch (line.split(" ")[0]) {
                        case "PROTOCOLINFO" -> "250-PROTOCOLINFO 1\r\n250-AUTH METHODS=COOKIE,SAFECOOKIE COOKIEFILE=\""
                                + cookieFile + "\"\r\n250-VERSION Tor=\"0.4.9.11\"\r\n250 OK\r\n";
                        case "AUTHENTICATE" -> line.endsWith(HexFormat.of().formatHex(cookie)) ? "250 OK\r\n"
                                : "515 Authentication failed\r\n";
                        // an event arrives before the reply; a data block holds two lines
                        case "GETINFO" -> "650 STATUS_CLIENT NOTICE CIRCUIT_ESTABLISHED\r\n"
                                + "250+config-text=\r\nSocksPort 1\r\n..dotted\r\n.\r\n250 OK\r\n";
                        default -> "510 Unrecognized command\r\n";
                    };
                    out.write(reply.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (Exception ignored) {
                // the test's assertions say what went wrong
            }
        });
        List<String> events = new CopyOnWriteArrayList<>();
        try (TorControl c = TorControl.connect(at())) {
            c.addListener(events::add);
            c.authenticate();
            assertThat(c.getInfo("config-text")).isEqualTo("SocksPort 1\n.dotted");
            assertThatThrownBy(() -> c.checked("FROB", "FROB")).hasMessage("FROB failed: 510 Unrecognized command");
        }
        assertThat(events).containsExactly("STATUS_CLIENT NOTICE CIRCUIT_ESTABLISHED");
        assertThat(commands.get(1)).isEqualTo("AUTHENTICATE 07" + "00".repeat(31));
    }
}
