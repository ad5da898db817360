package org.hearth.core.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.hearth.core.crypto.CryptoException;
import org.junit.jupiter.api.Test;

class NoiseCipherStateTest {
    private static final byte[] AD = "ad".getBytes(StandardCharsets.UTF_8);

    private final byte[] key = new byte[32];
    private final CipherState sender;
    private final CipherState receiver;

    NoiseCipherStateTest() {
        new Random(7).nextBytes(key);
        sender = CipherState.keyed(key.clone());
        receiver = CipherState.keyed(key.clone());
    }

    @Test
    void decrypt_inOrder_roundTripsAndAdvancesNonce() throws Exception {
        for (int i = 0; i < 5; i++) {
            byte[] msg = ("message " + i).getBytes(StandardCharsets.UTF_8);
            assertThat(receiver.decrypt(AD, sender.encrypt(AD, msg))).isEqualTo(msg);
        }
        assertThat(sender.nonce()).isEqualTo(5);
        assertThat(receiver.nonce()).isEqualTo(5);
    }

    @Test
    void decrypt_tamperedCiphertext_refusedAndNonceUnchanged() throws Exception {
        byte[] ciphertext = sender.encrypt(AD, new byte[] {1, 2, 3});
        for (int i = 0; i < ciphertext.length; i++) {
            byte[] tampered = ciphertext.clone();
            tampered[i] ^= (byte) 0x80;
            assertThatThrownBy(() -> receiver.decrypt(AD, tampered)).as("byte %d", i)
                    .isInstanceOf(CryptoException.class).hasMessage("decryption failed");
        }
        assertThat(receiver.nonce()).isZero();
        assertThat(receiver.decrypt(AD, ciphertext)).containsExactly(1, 2, 3);
    }

    @Test
    void decrypt_wrongAssociatedData_refused() {
        byte[] ciphertext = sender.encrypt(AD, new byte[] {1});

        assertThatThrownBy(() -> receiver.decrypt(new byte[0], ciphertext)).isInstanceOf(CryptoException.class);
    }

    @Test
    void decrypt_reorderedMessages_refusedUntilInOrder() throws Exception {
        byte[] first = sender.encrypt(AD, new byte[] {1});
        byte[] second = sender.encrypt(AD, new byte[] {2});

        assertThatThrownBy(() -> receiver.decrypt(AD, second)).isInstanceOf(CryptoException.class);
        assertThat(receiver.decrypt(AD, first)).containsExactly(1);
        assertThat(receiver.decrypt(AD, second)).containsExactly(2);
    }

    @Test
    void decrypt_replayedMessage_refused() throws Exception {
        byte[] first = sender.encrypt(AD, new byte[] {1});
        receiver.decrypt(AD, first);

        assertThatThrownBy(() -> receiver.decrypt(AD, first)).isInstanceOf(CryptoException.class);
    }

    @Test
    void encrypt_sameInputTwice_differentCiphertexts() {
        assertThat(sender.encrypt(AD, new byte[] {1})).isNotEqualTo(sender.encrypt(AD, new byte[] {1}));
    }

    @Test
    void encrypt_atMaxNonce_refused() throws Exception {
        sender.setNonce(-2L); // 2^64 - 2, the last usable nonce
        receiver.setNonce(-2L);
        byte[] last = sender.encrypt(AD, new byte[] {9});
        assertThat(receiver.decrypt(AD, last)).containsExactly(9);

        assertThatThrownBy(() -> sender.encrypt(AD, new byte[] {1})).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exhausted");
        assertThatThrownBy(() -> receiver.decrypt(AD, last)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void encrypt_plaintextOverLimit_refused() {
        assertThatThrownBy(() -> sender.encrypt(AD, new byte[Noise.MAX_PLAINTEXT_LENGTH + 1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(sender.encrypt(AD, new byte[Noise.MAX_PLAINTEXT_LENGTH])).hasSize(Noise.MAX_MESSAGE_LENGTH);
    }

    @Test
    void decrypt_ciphertextOverLimit_refused() {
        assertThatThrownBy(() -> receiver.decrypt(AD, new byte[Noise.MAX_MESSAGE_LENGTH + 1]))
                .isInstanceOf(CryptoException.class);
    }

    @Test
    void decrypt_shorterThanTag_refused() {
        assertThatThrownBy(() -> receiver.decrypt(AD, new byte[15])).isInstanceOf(CryptoException.class);
    }

    @Test
    void rekey_bothSides_stillInteroperateAndOldKeyFails() throws Exception {
        byte[] before = sender.encrypt(AD, new byte[] {1});
        receiver.decrypt(AD, before);
        CipherState stale = CipherState.keyed(key.clone());
        stale.setNonce(1);
        sender.rekey();
        receiver.rekey();

        byte[] after = sender.encrypt(AD, new byte[] {2});
        assertThatThrownBy(() -> stale.decrypt(AD, after)).isInstanceOf(CryptoException.class);
        assertThat(receiver.decrypt(AD, after)).containsExactly(2);
    }

    @Test
    void destroy_thenUse_throwsInsteadOfPassingThrough() {
        sender.destroy();

        assertThat(sender.isDestroyed()).isTrue();
        assertThatThrownBy(() -> sender.encrypt(AD, new byte[] {1})).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> sender.decrypt(AD, new byte[17])).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void toString_doesNotRevealKey() {
        assertThat(sender.toString()).doesNotContain(java.util.HexFormat.of().formatHex(key));
    }
}
