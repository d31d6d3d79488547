package org.deqbench.track;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * Which files of a node's folder go to MLflow: everything but arrays ({@code .npy}) larger than
 * {@code maxBytes}, which stay in the run store (reconstructions of a large test split, simulated
 * data) unless a spec asks for them ({@code tracking.upload_arrays: true}, {@link #NONE}).
 *
 * @param maxBytes largest array uploaded, in bytes
 */
public record ArraySizeLimit(long maxBytes) implements Predicate<Path> {
    /** No limit: every file is uploaded. */
    public static final ArraySizeLimit NONE = new ArraySizeLimit(Long.MAX_VALUE);

    public ArraySizeLimit {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("array size limit must be ≥ 0 bytes, found " + maxBytes);
        }
    }

    /** Whether {@code file} is uploaded. */
    @Override
    public boolean test(Path file) {
        if (maxBytes == Long.MAX_VALUE || !file.getFileName().toString().endsWith(".npy")) {
            return true;
        }
        try {
            return Files.size(file) <= maxBytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + file, e);
        }
    }
}
