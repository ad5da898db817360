package org.hearth.node.transport.tor;

import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code KEY=value KEY="quoted \"value\""} lists of tor's control protocol (control-spec §2.1). */
final class KeyValues {
    private KeyValues() {
    }

    /** Keyword arguments in order; words without {@code =} are skipped. */
    static Map<String, String> parse(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && s.charAt(i) == ' ') {
                i++;
            }
            int keyStart = i;
            while (i < n && s.charAt(i) != '=' && s.charAt(i) != ' ') {
                i++;
            }
            String key = s.substring(keyStart, i);
            if (i >= n || s.charAt(i) == ' ') {
                continue;
            }
            i++; // '='
            StringBuilder value = new StringBuilder();
            if (i < n && s.charAt(i) == '"') {
                i++;
                while (i < n && s.charAt(i) != '"') {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < n) {
                        c = s.charAt(i++);
                    }
                    value.append(c);
                }
                i++; // closing quote
            } else {
                while (i < n && s.charAt(i) != ' ') {
                    value.append(s.charAt(i++));
                }
            }
            out.put(key, value.toString());
        }
        return out;
    }

    /** Quotes a value for a torrc or control command when it needs it. */
    static String quote(String v) {
        if (!v.isEmpty() && v.chars().noneMatch(c -> c == ' ' || c == '"' || c == '\\' || c == '#')) {
            return v;
        }
        return '"' + v.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
