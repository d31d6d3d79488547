package org.deqbench.store;

import java.nio.file.Path;

/**
 * A node's input or output file is missing, corrupt or cannot be written. The message starts with
 * the file's path, then says what was expected and what was found.
 */
public class NodeFileException extends RuntimeException {
    private final Path file;

    public NodeFileException(Path file, String what, Throwable cause) {
        super(file + ": " + what + (cause != null && cause.getMessage() != null ? " (" + cause.getMessage() + ")" : ""), cause);
        this.file = file;
    }

    /** The file the error is about. */
    public Path file() {
        return file;
    }
}
