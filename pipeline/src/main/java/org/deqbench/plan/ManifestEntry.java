package org.deqbench.plan;

import java.util.List;

/**
 * One file of a node's output, as listed in its {@code manifest.json}.
 *
 * @param file        file name inside the node folder (may contain '/')
 * @param role        what it is to the pipeline: {@code ground_truth}, {@code measurements},
 *                    {@code mask}, {@code coil_maps}, {@code reconstruction}, {@code metrics},
 *                    {@code model}, {@code certificate}, {@code figure}, …
 * @param shape       array shape ({@code .npy}); {@code [height, width, channels]} of a PNG;
 *                    {@code [data rows, columns]} of a CSV; null for JSON, HTML and model graphs,
 *                    which are not arrays
 * @param dtype       array dtype ({@code float32}, {@code float64}, …), or the file format
 * @param description what the file means, in enough detail for a numpy user
 */
public record ManifestEntry(String file, String role, List<Long> shape, String dtype, String description) {
}
