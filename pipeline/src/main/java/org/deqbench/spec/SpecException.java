package org.deqbench.spec;

import java.nio.file.Path;
import java.util.List;

/** A spec that cannot be used; the message names the file, the key path and what was expected. */
public final class SpecException extends RuntimeException {
    private final List<String> problems;

    public SpecException(Path file, List<String> problems) {
        super(format(file, problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem as "key.path: expected …, found …". */
    public List<String> problems() {
        return problems;
    }

    private static String format(Path file, List<String> problems) {
        if (problems.size() == 1) {
            return file + ": " + problems.get(0);
        }
        StringBuilder sb = new StringBuilder(file + ": " + problems.size() + " problems");
        for (String p : problems) {
            sb.append("\n  ").append(p);
        }
        return sb.toString();
    }
}
