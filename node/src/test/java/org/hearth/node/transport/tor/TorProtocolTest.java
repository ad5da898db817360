package org.hearth.node.transport.tor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.identity.Identity;
import org.junit.jupiter.api.Test;

/** The pure parts of the Tor transport: key expansion and control-protocol parsing. */
class TorProtocolTest {
    private static final String RFC8032_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

    @Test
    void addOnionKey_rfc8032Seed_isClampedSha512OfTheSeed() {
        Identity id = Identity.fromSeed(SecretBytes.copyOf(HexFormat.of().parseHex(RFC8032_SEED)));
        // computed independently: base64(SHA-512(seed) with h[0] &= 248, h[31] &= 127, h[31] |= 64)
        assertThat(OnionKey.addOnionKey(id)).isEqualTo("ED25519-V3:"
                + "MHyDhk8oM8tCei7xwAoBPP3/J2jZgMCjpSDwBpBN6U+bTwr+KAt0aneGhOdUQlAgV7dHOgPwj5b1o46Sh+Afjw==");
    }

    @Test
    void keyValues_quotedAndPlain_parsedWithEscapes() {
        var kv = KeyValues.parse("METHODS=COOKIE,SAFECOOKIE COOKIEFILE=\"/var/run/tor/a \\\"b\\\"\" word X=");
        assertThat(kv).containsEntry("METHODS", "COOKIE,SAFECOOKIE")
                .containsEntry("COOKIEFILE", "/var/run/tor/a \"b\"").containsEntry("X", "").doesNotContainKey("word");
    }

    @Test
    void quote_valueWithSpace_isQuotedAndEscaped() {
        assertThat(KeyValues.quote("/tmp/plain")).isEqualTo("/tmp/plain");
        assertThat(KeyValues.quote("/tmp/a b\"c")).isEqualTo("\"/tmp/a b\\\"c\"");
    }

    @Test
    void bootstrapStatus_noticeAndWarning_parsed() {
        BootstrapStatus s = BootstrapStatus.parse(
                "NOTICE BOOTSTRAP PROGRESS=45 TAG=requesting_descriptors SUMMARY=\"Asking for relay descriptors\"");
        assertThat(s.percent()).isEqualTo(45);
        assertThat(s.summary()).isEqualTo("Asking for relay descriptors");
        assertThat(s.done()).isFalse();
        BootstrapStatus w = BootstrapStatus.parse("STATUS_CLIENT WARN BOOTSTRAP PROGRESS=5 TAG=conn SUMMARY=\"Connecting"
                + " to a relay\" WARNING=\"Connection refused\" REASON=CONNECTREFUSED COUNT=3 RECOMMENDATION=ignore");
        assertThat(w.warning()).isEqualTo("Connection refused (CONNECTREFUSED)");
        assertThat(w.toString()).contains("5%").contains("Connection refused");
        assertThat(BootstrapStatus.parse("NOTICE CIRCUIT_ESTABLISHED")).isNull();
    }

    @Test
    void settings_torrcLineWithNewline_refused() {
        assertThatThrownBy(() -> TorSettings.defaults().withTorrcLines(java.util.List.of("SocksPort 1\nControlPort 2")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
