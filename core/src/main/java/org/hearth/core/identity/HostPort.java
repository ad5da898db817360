package org.hearth.core.identity;

/** {@code host:port} or {@code [v6]:port}; port 0 allowed (listen on any free port). */
public record HostPort(String host, int port) {
    public HostPort {
        if (host == null || host.isBlank() || host.length() > 253) {
            throw new IllegalArgumentException("host is empty or too long");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range");
        }
    }

    public static HostPort parse(String s) throws InvalidAddressException {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new InvalidAddressException("expected HOST:PORT, got '" + s + "'");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
            if (host.contains("[") || host.contains("]") || !host.contains(":")) {
                throw new InvalidAddressException("brackets are for IPv6 hosts: [v6-address]:PORT");
            }
        } else if (host.contains(":") || host.contains("[") || host.contains("]")) {
            throw new InvalidAddressException("an IPv6 host goes in brackets: [HOST]:PORT");
        }
        if (host.isBlank() || host.length() > 253) {
            throw new InvalidAddressException("host is empty or longer than 253 characters");
        }
        String portText = s.substring(colon + 1);
        if (!portText.chars().allMatch(Character::isDigit) || portText.length() > 5) {
            throw new InvalidAddressException("port is not a number in '" + s + "'");
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new InvalidAddressException("port is not a number in '" + s + "'");
        }
        if (port < 0 || port > 65535 || host.isBlank()) {
            throw new InvalidAddressException("port out of range or empty host in '" + s + "'");
        }
        return new HostPort(host, port);
    }

    static String format(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return format(host, port);
    }
}
