package org.deqbench.store;

import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The folder a running node writes its outputs into. Every file is listed (with its role and a
 * description a numpy user can follow) so that downstream steps and people can find it; the folder
 * becomes visible to them only once the whole node has completed.
 */
public interface NodeWriter {
    /** The folder being written; files written here directly must be declared with {@link #addFile}. */
    Path dir();

    /** Path for a new file inside the folder, creating parent folders. */
    Path resolve(String file);

    /** Writes an array as {@code .npy}; NaN or ±∞ in it are an error (no node completes with them). */
    Path writeArray(String file, INDArray array, String role, String description);

    /** Writes a value as JSON; a NaN or ±∞ number in it is an error (write null for "undefined"). */
    Path writeJson(String file, Object value, String role, String description);

    /** Lists a file written directly into {@link #dir()} (a model, a CSV, a PNG …). */
    Path addFile(String file, String role, String format, String description);
}
