package org.hearth.core.identity;

/** Where to reach a node over TCP: {@code ADDRESS@host:port}. The address is what the channel authenticates. */
public record Endpoint(Address address, String host, int port) {
    public Endpoint {
        if (host == null || host.isBlank() || host.length() > 253) {
            throw new IllegalArgumentException("endpoint host is empty or too long");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("endpoint port out of range");
        }
    }

    public static Endpoint parse(String s) throws InvalidAddressException {
        int at = s.indexOf('@');
        if (at < 0) {
            throw new InvalidAddressException("an endpoint looks like ADDRESS@HOST:PORT");
        }
        Address a = Address.parse(s.substring(0, at));
        HostPort hp = HostPort.parse(s.substring(at + 1));
        if (hp.port() == 0) {
            throw new InvalidAddressException("an endpoint needs a port between 1 and 65535");
        }
        return new Endpoint(a, hp.host(), hp.port());
    }

    @Override
    public String toString() {
        return address + "@" + HostPort.format(host, port);
    }
}
