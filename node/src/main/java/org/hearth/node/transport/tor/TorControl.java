package org.hearth.node.transport.tor;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.hearth.core.identity.HostPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A minimal client for tor's control protocol (control-spec.txt): one connection, commands answered in order,
 * asynchronous {@code 650} events handed to listeners on the reader thread.
 */
final class TorControl implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(TorControl.class);
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_LINE = 64 * 1024;
    private static final int COOKIE_LENGTH = 32;

    /** A reply: its status code and its lines without the {@code 250-} prefix (data blocks appended). */
    record Reply(int status, List<String> lines) {
        boolean ok() {
            return status == 250;
        }

        String last() {
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final BlockingQueue<Object> replies = new LinkedBlockingQueue<>();
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private TorControl(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new BufferedInputStream(socket.getInputStream());
        Thread.ofVirtual().name("tor-control").start(this::readLoop);
    }

    static TorControl connect(HostPort control) throws TorException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(control.host(), control.port()), 10_000);
            return new TorControl(s);
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw new TorException("cannot reach tor's control port " + control + ": " + e.getMessage(), e);
        }
    }

    /** Cookie authentication (or none, if tor asks for none); the cookie file is where PROTOCOLINFO says. */
    void authenticate() throws IOException {
        Reply info = command("PROTOCOLINFO 1");
        String methods = "";
        String cookieFile = null;
        for (String line : info.lines()) {
            if (line.startsWith("AUTH ")) {
                Map<String, String> kv = KeyValues.parse(line.substring(5));
                methods = kv.getOrDefault("METHODS", "");
                cookieFile = kv.get("COOKIEFILE");
            }
        }
        String auth;
        if (List.of(methods.split(",")).contains("NULL")) {
            auth = "AUTHENTICATE";
        } else if (cookieFile != null && List.of(methods.split(",")).contains("COOKIE")) {
            byte[] cookie;
            try {
                cookie = Files.readAllBytes(Path.of(cookieFile));
            } catch (IOException e) {
                throw new TorException("cannot read tor's control cookie " + cookieFile + ": " + e.getMessage(), e);
            }
            if (cookie.length != COOKIE_LENGTH) {
                throw new TorException("tor's control cookie " + cookieFile + " is not " + COOKIE_LENGTH + " bytes");
            }
            auth = "AUTHENTICATE " + HexFormat.of().formatHex(cookie);
        } else {
            throw new TorException("tor's control port offers " + methods
                    + " authentication; Hearth needs CookieAuthentication 1 in the torrc");
        }
        Reply r = command(auth);
        if (!r.ok()) {
            throw new TorException("tor refused authentication: " + r.last());
        }
    }

    void addListener(Consumer<String> l) {
        listeners.add(l);
    }

    void removeListener(Consumer<String> l) {
        listeners.remove(l);
    }

    /** {@code GETINFO key}: the value (a data block's lines joined by newlines). */
    String getInfo(String key) throws IOException {
        Reply r = checked("GETINFO " + key, "GETINFO " + key);
        List<String> lines = r.lines();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(key + "=")) {
                StringBuilder value = new StringBuilder(lines.get(i).substring(key.length() + 1));
                // a data block ("250+key=" then lines) runs up to the closing "OK"
                for (int j = i + 1; j < lines.size() - 1; j++) {
                    value.append(value.isEmpty() ? "" : "\n").append(lines.get(j));
                }
                return value.toString();
            }
        }
        throw new TorException("tor's answer to GETINFO " + key + " has no value");
    }

    /** Sends a command and throws with tor's own words unless it answered 250. {@code what} names it in errors. */
    Reply checked(String command, String what) throws IOException {
        Reply r = command(command);
        if (!r.ok()) {
            throw new TorException(what + " failed: " + r.status() + " " + r.last());
        }
        return r;
    }

    /** Sends one command line (never logged: ADD_ONION carries a private key) and waits for its reply. */
    synchronized Reply command(String command) throws IOException {
        if (closed) {
            throw new TorException("tor's control connection is closed");
        }
        out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Object r;
        try {
            r = replies.poll(REPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TorException("interrupted waiting for tor");
        }
        if (r == null) {
            close(); // a late answer would otherwise be taken for the next command's
            throw new TorException("tor did not answer within " + REPLY_TIMEOUT.toSeconds() + " s");
        }
        if (r instanceof IOException e) {
            replies.add(e); // every later command fails the same way
            throw new TorException("tor's control connection closed: " + e.getMessage(), e);
        }
        return (Reply) r;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private void readLoop() {
        try {
            while (true) {
                int status = -1;
                List<String> lines = new ArrayList<>();
                while (true) {
                    String line = readLine();
                    if (line.length() < 4) {
                        throw new IOException("malformed control reply line");
                    }
                    status = Integer.parseInt(line.substring(0, 3));
                    char kind = line.charAt(3);
                    lines.add(line.substring(4));
                    if (kind == '+') {
                        for (String data = readLine(); !data.equals("."); data = readLine()) {
                            lines.add(data.startsWith(".") ? data.substring(1) : data);
                        }
                    } else if (kind == ' ') {
                        break;
                    }
                }
                if (status / 100 == 6) {
                    for (Consumer<String> l : listeners) {
                        l.accept(String.join("\n", lines));
                    }
                } else {
                    replies.add(new Reply(status, List.copyOf(lines)));
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.debug("tor control connection ended: {}", e.getMessage());
            }
            closed = true;
            replies.add(e instanceof IOException io ? io : new IOException(e.getMessage(), e));
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("tor closed the control connection");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("control reply line too long");
            }
            line.write(b);
        }
    }
}
