package org.deqbench.track;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;

/**
 * Removes credentials from text before it is printed or stored: the token, the password, and the
 * encoded forms that travel in an Authorization header (a server or proxy may echo them in an
 * error body, which then ends up in an exception message).
 */
final class Redactor {
    static final String MASK = "[REDACTED]";
    private final List<String> secrets = new ArrayList<>();

    Redactor(String username, String password, String token) {
        add(token);
        add(password);
        if (username != null && password != null) {
            String pair = username + ":" + password;
            add(pair);
            add(Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        // Longest first, so a secret containing another is masked whole.
        secrets.sort(Comparator.comparingInt(String::length).reversed());
    }

    private void add(String s) {
        if (s != null && !s.isEmpty()) {
            secrets.add(s);
        }
    }

    String redact(String text) {
        if (text == null) {
            return null;
        }
        String t = text;
        for (String s : secrets) {
            t = t.replace(s, MASK);
        }
        return t;
    }

    /** A one-line description of an exception and its causes, redacted. */
    String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (sb.length() > 0) {
                sb.append("; caused by ");
            }
            String msg = t.getMessage();
            sb.append(t.getClass().getSimpleName());
            if (msg != null && !msg.isBlank()) {
                sb.append(": ").append(msg.strip().replaceAll("\\s+", " "));
            }
        }
        return redact(sb.toString());
    }
}
