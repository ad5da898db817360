package org.hearth.core.crypto;

/** A signature, MAC or AEAD tag did not verify, or key material was invalid. */
public class CryptoException extends Exception {
    public CryptoException(String message) {
        super(message);
    }

    public CryptoException(String message, Throwable cause) {
        super(message, cause);
    }
}
