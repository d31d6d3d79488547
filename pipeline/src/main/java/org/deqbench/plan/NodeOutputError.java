package org.deqbench.plan;

import java.nio.file.Path;
import org.deqbench.store.NodeFileException;

/**
 * A node's input or output file is missing, corrupt or cannot be written; names the file. The run
 * store's own errors; the science packages throw the {@link NodeFileException} it extends.
 */
public final class NodeOutputError extends NodeFileException {
    public NodeOutputError(Path file, String what, Throwable cause) {
        super(file, what, cause);
    }
}
