package org.hearth.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.hearth.core.bytes.Bytes;
import org.junit.jupiter.api.Test;

class EndpointTest {
    private static final String ADDRESS = "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid";
    private static final Address KEY_ADDRESS =
            Address.of(Bytes.fromHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));

    @Test
    void parse_addressHostPort_givesAllThree() throws InvalidAddressException {
        Endpoint e = Endpoint.parse(ADDRESS + "@node.example:9000");
        assertThat(e.address()).isEqualTo(KEY_ADDRESS);
        assertThat(e.host()).isEqualTo("node.example");
        assertThat(e.port()).isEqualTo(9000);
        assertThat(e.toString()).isEqualTo(ADDRESS + "@node.example:9000");
        assertThat(Endpoint.parse(e.toString())).isEqualTo(e);
    }

    @Test
    void parse_onionSuffixAndUpperCase_accepted() throws InvalidAddressException {
        Endpoint e = Endpoint.parse(ADDRESS.toUpperCase(java.util.Locale.ROOT) + ".onion@127.0.0.1:1");
        assertThat(e.address()).isEqualTo(KEY_ADDRESS);
    }

    @Test
    void parse_bracketedIpv6_roundTrips() throws InvalidAddressException {
        Endpoint e = Endpoint.parse(ADDRESS + "@[::1]:9000");
        assertThat(e.host()).isEqualTo("::1");
        assertThat(e.port()).isEqualTo(9000);
        assertThat(e.toString()).isEqualTo(ADDRESS + "@[::1]:9000");
        assertThat(Endpoint.parse(e.toString())).isEqualTo(e);
    }

    @Test
    void parse_missingAt_throwsWithFormatHint() {
        assertThatThrownBy(() -> Endpoint.parse(ADDRESS + ":9000"))
                .isInstanceOf(InvalidAddressException.class).hasMessageContaining("ADDRESS@HOST:PORT");
    }

    @Test
    void parse_badAddress_throwsInvalidAddressException() {
        String typo = "a" + ADDRESS.substring(1);
        assertThatThrownBy(() -> Endpoint.parse(typo + "@h:1"))
                .isInstanceOf(InvalidAddressException.class).hasMessageContaining("checksum");
        assertThatThrownBy(() -> Endpoint.parse("@h:1")).isInstanceOf(InvalidAddressException.class);
    }

    @Test
    void parse_missingOrBadPort_throwsInvalidAddressException() {
        for (String hp : new String[] {"h", "h:", "h:70000", "[::1]", "h:x"}) {
            assertThatThrownBy(() -> Endpoint.parse(ADDRESS + "@" + hp)).as(hp)
                    .isInstanceOf(InvalidAddressException.class);
        }
    }

    /** HostPort allows port 0 (listen anywhere); an endpoint cannot, and parse must say so with its checked exception. */
    @Test
    void parse_portZero_throwsInvalidAddressException() {
        assertThatThrownBy(() -> Endpoint.parse(ADDRESS + "@h:0")).isInstanceOf(InvalidAddressException.class);
    }

    @Test
    void constructor_invalidHostOrPort_throwsIllegalArgumentException() {
        assertThatThrownBy(() -> new Endpoint(KEY_ADDRESS, " ", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Endpoint(KEY_ADDRESS, "h", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Endpoint(KEY_ADDRESS, "h", 65536)).isInstanceOf(IllegalArgumentException.class);
    }
}
