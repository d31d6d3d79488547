package org.deqbench.reference;

/**
 * A checkpoint or its parameter file is not what the import expects. The message is one line
 * naming the file, the key and what was expected and found.
 */
public final class CheckpointFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointFormatException(String message) {
        super(message);
    }
}
