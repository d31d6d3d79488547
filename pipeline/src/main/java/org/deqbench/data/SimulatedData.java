package org.deqbench.data;

import java.io.IOException;
import java.nio.file.Path;
import org.deqbench.store.NodeFiles;
import org.deqbench.store.NodeFileException;
import org.deqbench.spec.SpecLoader;
import org.deqbench.spec.TaskSpec;

/**
 * Reads the output of the {@code simulate} stage ({@code simulate/<task>/}) back: one
 * {@link SimulatedSplit} per split, with its examples and their forward operator.
 *
 * <p>Folder layout (all arrays float32 {@code .npy}; see {@code manifest.json} for the full
 * description of every file):
 * <pre>
 *   task.json                      the task spec the data were simulated from (snake_case keys)
 *   &lt;split&gt;/ground_truth.npy        [N, C, H, W] or [N, C, T, H, W]; C = 2 (real, imag) or 1
 *   &lt;split&gt;/measurements.npy        MRI: [N, coils, 2, H, W] k-space, zero where unsampled
 *   &lt;split&gt;/masks.npy, coil_maps.npy per-example operator parameters
 *   kernel.npy, …                  parameters shared by all examples
 * </pre>
 * Splits with more than {@code shard_size} examples are written as shards
 * {@code <split>/<role>.00000.npy}, {@code .00001.npy}, …; the reader hides the difference.
 */
public final class SimulatedData {
    /** The task spec file written next to the arrays. */
    public static final String TASK_FILE = "task.json";
    public static final String TRAIN = "train";
    public static final String TEST = "test";

    private SimulatedData() {
    }

    /** The split {@code train} or {@code test} of a completed simulate node. */
    public static SimulatedSplit load(NodeFiles in, String split) {
        if (!split.equals(TRAIN) && !split.equals(TEST)) {
            throw new IllegalArgumentException("split must be '" + TRAIN + "' or '" + TEST + "', found '" + split + "'");
        }
        return new SimulatedSplit(in, split, task(in));
    }

    /** The task spec the node was simulated from. */
    public static TaskSpec task(NodeFiles in) {
        Path p = in.existing(TASK_FILE);
        try {
            return SpecLoader.canonicalMapper().readValue(p.toFile(), TaskSpec.class);
        } catch (IOException e) {
            throw new NodeFileException(p, "corrupt task spec", e);
        }
    }
}
