package org.hearth.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostPortTest {

    @Test
    void parse_hostAndPort_givesBoth() throws InvalidAddressException {
        assertThat(HostPort.parse("example.org:443")).isEqualTo(new HostPort("example.org", 443));
        assertThat(HostPort.parse("127.0.0.1:9000")).isEqualTo(new HostPort("127.0.0.1", 9000));
        assertThat(HostPort.parse("localhost:65535").port()).isEqualTo(65535);
    }

    @Test
    void parse_portZero_acceptedForListening() throws InvalidAddressException {
        assertThat(HostPort.parse("127.0.0.1:0").port()).isZero();
    }

    @Test
    void parse_bracketedIpv6_givesBareHost() throws InvalidAddressException {
        HostPort hp = HostPort.parse("[::1]:8080");
        assertThat(hp.host()).isEqualTo("::1");
        assertThat(hp.port()).isEqualTo(8080);
        assertThat(HostPort.parse("[2001:db8::7]:1").host()).isEqualTo("2001:db8::7");
    }

    @Test
    void toString_ipv6Host_isBracketedAndParsesBack() throws InvalidAddressException {
        HostPort hp = new HostPort("2001:db8::7", 443);
        assertThat(hp.toString()).isEqualTo("[2001:db8::7]:443");
        assertThat(HostPort.parse(hp.toString())).isEqualTo(hp);
        assertThat(new HostPort("example.org", 80).toString()).isEqualTo("example.org:80");
    }

    @Test
    void parse_missingPort_throwsInvalidAddressException() {
        for (String s : new String[] {"example.org", "example.org:", "[::1]", "[::1]:", ":", ""}) {
            assertThatThrownBy(() -> HostPort.parse(s)).as(s).isInstanceOf(InvalidAddressException.class);
        }
    }

    @Test
    void parse_missingHost_throwsInvalidAddressException() {
        for (String s : new String[] {":80", "[]:80", " :80"}) {
            assertThatThrownBy(() -> HostPort.parse(s)).as(s).isInstanceOf(InvalidAddressException.class);
        }
    }

    @Test
    void parse_portOutOfRangeOrNotANumber_throwsInvalidAddressException() {
        for (String s : new String[] {"example.org:70000", "example.org:65536", "example.org:-1",
                "example.org:http", "example.org:99999999999", "example.org:8 0"}) {
            assertThatThrownBy(() -> HostPort.parse(s)).as(s).isInstanceOf(InvalidAddressException.class);
        }
    }

    /** An IPv6 literal must be bracketed; unbracketed, "fe80::1" would silently become host "fe80:", port 1. */
    @Test
    void parse_unbracketedIpv6_throwsInvalidAddressException() {
        for (String s : new String[] {"::1", "fe80::1", "2001:db8::7:443"}) {
            assertThatThrownBy(() -> HostPort.parse(s)).as(s).isInstanceOf(InvalidAddressException.class);
        }
    }

    /** parse promises InvalidAddressException for bad text; the record's own IllegalArgumentException must not leak. */
    @Test
    void parse_hostLongerThan253_throwsInvalidAddressException() {
        String s = "a".repeat(254) + ":80";
        assertThatThrownBy(() -> HostPort.parse(s)).isInstanceOf(InvalidAddressException.class);
    }

    @Test
    void constructor_invalidValues_throwsIllegalArgumentException() {
        assertThatThrownBy(() -> new HostPort("", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HostPort(null, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HostPort("h", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HostPort("h", 65536)).isInstanceOf(IllegalArgumentException.class);
    }
}
