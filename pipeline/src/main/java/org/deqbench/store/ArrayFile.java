package org.deqbench.store;

import java.util.List;

/**
 * A file of a completed node whose manifest records a shape: an array ({@code .npy}), or a PNG or
 * CSV whose shape the manifest also lists.
 *
 * @param file  file name inside the node folder (may contain '/')
 * @param role  what it is to the pipeline ({@code ground_truth}, {@code measurements}, …)
 * @param shape its shape
 */
public record ArrayFile(String file, String role, List<Long> shape) {
    public ArrayFile {
        shape = List.copyOf(shape);
    }
}
