package org.deqbench.plan;

import java.nio.file.Path;

/** A node's input or output file is missing, corrupt or cannot be written; names the file. */
public final class NodeOutputError extends RuntimeException {
    public NodeOutputError(Path file, String what, Throwable cause) {
        super(file + ": " + what + (cause != null && cause.getMessage() != null ? " (" + cause.getMessage() + ")" : ""), cause);
    }
}
