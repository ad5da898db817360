package org.hearth.core.noise;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Objects;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.crypto.X25519;

/**
 * Noise §5.3 HandshakeState for {@code Noise_XX_25519_ChaChaPoly_SHA256}:
 *
 * <pre>
 *   -&gt; e
 *   &lt;- e, ee, s, es
 *   -&gt; s, se
 * </pre>
 *
 * The initiator writes messages 0 and 2 and reads message 1; the responder the opposite. Calls out of turn
 * throw {@link IllegalStateException}. Any failure while reading or writing aborts the handshake (Noise
 * offers no recovery): the state wipes its secrets and refuses further use.
 *
 * <p>The static key pair belongs to the caller and is not destroyed here; the ephemeral key is generated
 * from the injected {@link RandomSource} when the {@code e} token is written, and wiped on completion.
 */
public final class HandshakeState {
    private enum Token { E, S, EE, ES, SE, SS }

    private static final Token[][] XX = {
        {Token.E},
        {Token.E, Token.EE, Token.S, Token.ES},
        {Token.S, Token.SE},
    };

    private enum Phase { IN_PROGRESS, COMPLETE, SPLIT, FAILED }

    private final boolean initiator;
    private final SymmetricState symmetric;
    private final X25519.KeyPair localStatic;
    private final RandomSource random;
    private X25519.KeyPair localEphemeral;
    private Bytes remoteEphemeral;
    private Bytes remoteStatic;
    private int messageIndex;
    private Phase phase = Phase.IN_PROGRESS;

    private HandshakeState(boolean initiator, byte[] prologue, X25519.KeyPair localStatic, RandomSource random) {
        this.initiator = initiator;
        this.localStatic = Objects.requireNonNull(localStatic, "localStatic");
        this.random = Objects.requireNonNull(random, "random");
        this.symmetric = new SymmetricState(Noise.PROTOCOL_NAME);
        // Both sides hash the prologue, so a mismatch (another protocol or version) fails at the first AEAD.
        symmetric.mixHash(prologue.clone());
    }

    public static HandshakeState initiator(byte[] prologue, X25519.KeyPair staticKeyPair, RandomSource random) {
        return new HandshakeState(true, prologue, staticKeyPair, random);
    }

    public static HandshakeState responder(byte[] prologue, X25519.KeyPair staticKeyPair, RandomSource random) {
        return new HandshakeState(false, prologue, staticKeyPair, random);
    }

    public boolean isInitiator() {
        return initiator;
    }

    /** Whether it is this side's turn to write (as opposed to read) the next handshake message. */
    public boolean isMyTurnToWrite() {
        return phase == Phase.IN_PROGRESS && isWriter(messageIndex);
    }

    public boolean isComplete() {
        return phase == Phase.COMPLETE || phase == Phase.SPLIT;
    }

    /**
     * Writes the next handshake message carrying {@code payload}. Throws {@link CryptoException} only when a
     * DH with the peer's key yields all zeros (a low-order key the peer sent), which aborts the handshake.
     */
    public byte[] writeMessage(byte[] payload) throws CryptoException {
        requireTurn(true);
        int length = overhead(messageIndex) + payload.length;
        if (length > Noise.MAX_MESSAGE_LENGTH) {
            throw new IllegalArgumentException("handshake message would exceed " + Noise.MAX_MESSAGE_LENGTH
                    + " bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(length);
        try {
            for (Token token : XX[messageIndex]) {
                switch (token) {
                    case E -> {
                        localEphemeral = X25519.generate(random);
                        byte[] pub = localEphemeral.publicKey().toByteArray();
                        out.writeBytes(pub);
                        symmetric.mixHash(pub);
                    }
                    case S -> out.writeBytes(symmetric.encryptAndHash(localStatic.publicKey().toByteArray()));
                    default -> mixDh(token);
                }
            }
            out.writeBytes(symmetric.encryptAndHash(payload));
        } catch (CryptoException | RuntimeException e) {
            fail();
            throw e;
        }
        advance();
        return out.toByteArray();
    }

    /** Reads the peer's next handshake message and returns its payload; throws if it is malformed or forged. */
    public byte[] readMessage(byte[] message) throws CryptoException {
        requireTurn(false);
        try {
            byte[] payload = readTokens(message);
            advance();
            return payload;
        } catch (CryptoException | RuntimeException e) {
            fail();
            throw e;
        }
    }

    private byte[] readTokens(byte[] message) throws CryptoException {
        if (message.length > Noise.MAX_MESSAGE_LENGTH) {
            throw new CryptoException("handshake message exceeds " + Noise.MAX_MESSAGE_LENGTH + " bytes");
        }
        if (message.length < overhead(messageIndex)) {
            throw new CryptoException("handshake message too short");
        }
        int pos = 0;
        for (Token token : XX[messageIndex]) {
            switch (token) {
                case E -> {
                    remoteEphemeral = Bytes.copyOf(message, pos, Noise.DH_LENGTH);
                    symmetric.mixHash(remoteEphemeral.toByteArray());
                    pos += Noise.DH_LENGTH;
                }
                case S -> {
                    int len = Noise.DH_LENGTH + (symmetric.hasKey() ? Noise.TAG_LENGTH : 0);
                    remoteStatic = Bytes.wrap(symmetric.decryptAndHash(Arrays.copyOfRange(message, pos, pos + len)));
                    pos += len;
                }
                default -> mixDh(token);
            }
        }
        return symmetric.decryptAndHash(Arrays.copyOfRange(message, pos, message.length));
    }

    /** The peer's static public key, once a handshake message has authenticated it. */
    public Bytes remoteStaticKey() {
        if (remoteStatic == null || phase == Phase.FAILED) {
            throw new IllegalStateException("the peer's static key is not known yet");
        }
        return remoteStatic;
    }

    /** §5.3 GetHandshakeHash: a transcript hash both sides share, for channel binding. Only once complete. */
    public Bytes handshakeHash() {
        requireComplete();
        return symmetric.handshakeHash();
    }

    /**
     * §5.2 Split, ordered for this side's role: the initiator sends with the first cipher, the responder with
     * the second. Callable once, because two copies of a CipherState would reuse nonces.
     */
    public TransportCiphers split() {
        requireComplete();
        if (phase == Phase.SPLIT) {
            throw new IllegalStateException("split() was already called");
        }
        CipherState[] c = symmetric.split();
        phase = Phase.SPLIT;
        symmetric.destroy();
        return initiator ? new TransportCiphers(c[0], c[1]) : new TransportCiphers(c[1], c[0]);
    }

    /** Aborts the handshake (e.g. the connection dropped) and wipes its secrets; later calls throw. */
    public void destroy() {
        if (phase == Phase.IN_PROGRESS || phase == Phase.COMPLETE) {
            fail();
        }
    }

    private void mixDh(Token token) throws CryptoException {
        // es: the initiator's ephemeral with the responder's static; se: the other way round (§7.1).
        SecretBytes mine = switch (token) {
            case EE -> localEphemeral.privateKey();
            case ES -> initiator ? localEphemeral.privateKey() : localStatic.privateKey();
            case SE -> initiator ? localStatic.privateKey() : localEphemeral.privateKey();
            case SS -> localStatic.privateKey();
            default -> throw new AssertionError(token);
        };
        Bytes theirs = switch (token) {
            case EE -> remoteEphemeral;
            case ES -> initiator ? remoteStatic : remoteEphemeral;
            case SE -> initiator ? remoteEphemeral : remoteStatic;
            case SS -> remoteStatic;
            default -> throw new AssertionError(token);
        };
        byte[] shared;
        try {
            shared = X25519.agree(mine, theirs.toByteArray());
        } catch (CryptoException e) {
            throw new CryptoException("peer key is invalid (low-order point)", e);
        }
        symmetric.mixKey(shared);
        Arrays.fill(shared, (byte) 0);
    }

    /** Bytes a message carries besides its payload, from the tokens and whether a key will be in place. */
    private int overhead(int index) {
        boolean keyed = symmetric.hasKey();
        int n = 0;
        for (Token token : XX[index]) {
            switch (token) {
                case E -> n += Noise.DH_LENGTH;
                case S -> n += Noise.DH_LENGTH + (keyed ? Noise.TAG_LENGTH : 0);
                default -> keyed = true;
            }
        }
        return n + (keyed ? Noise.TAG_LENGTH : 0);
    }

    private boolean isWriter(int index) {
        return (index % 2 == 0) == initiator;
    }

    private void requireTurn(boolean write) {
        if (phase != Phase.IN_PROGRESS) {
            throw new IllegalStateException("handshake is " + phase.name().toLowerCase(java.util.Locale.ROOT));
        }
        if (isWriter(messageIndex) != write) {
            throw new IllegalStateException("out of turn: expected to " + (write ? "read" : "write")
                    + " handshake message " + messageIndex);
        }
    }

    private void requireComplete() {
        if (!isComplete()) {
            throw new IllegalStateException("handshake is not complete");
        }
    }

    private void advance() {
        messageIndex++;
        if (messageIndex == XX.length) {
            phase = Phase.COMPLETE;
            wipeEphemeral();
        }
    }

    private void fail() {
        phase = Phase.FAILED;
        symmetric.destroy();
        wipeEphemeral();
    }

    private void wipeEphemeral() {
        if (localEphemeral != null) {
            localEphemeral.privateKey().destroy();
        }
    }

    @Override
    public String toString() {
        return "HandshakeState[" + (initiator ? "initiator" : "responder") + ", message " + messageIndex + ", "
                + phase + "]";
    }
}
