package org.deqbench.data;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.deqbench.physics.ForwardModels;
import org.deqbench.spec.SourceSpec;
import org.deqbench.spec.TaskSpec;

/**
 * Where the ground truth of a task comes from ({@code source} in the spec): phantoms drawn from
 * the seed, a folder of images, or HDF5 k-space files. A source may also provide operator
 * parameters that real data carry (coil maps, and for the MoDL layout the masks); the others are
 * drawn by {@link ForwardModels#drawExample}.
 */
public interface GroundTruthSource extends AutoCloseable {
    /**
     * One example.
     *
     * @param groundTruth C-order values of shape {@link ForwardModels#imageShape}, double precision
     * @param parameters  operator parameters by role (only those in {@link #providedParameters()})
     */
    record Example(double[] groundTruth, Map<String, double[]> parameters) {
    }

    /** Example {@code index} of {@code split} ({@code train} or {@code test}). */
    Example example(String split, int index);

    /** Operator-parameter roles this source provides (e.g. {@code coil_maps}). */
    Set<String> providedParameters();

    /** Number of receive coils of the data ({@code mri.coils} unless the data fix it). */
    int coils();

    /** One line for the manifest: what the ground truth is and where it came from. */
    String describe();

    @Override
    default void close() {
    }

    /**
     * Opens the source of a task.
     *
     * @param specDir folder relative to which {@code source.path} is resolved
     * @param seed    the experiment seed
     */
    static GroundTruthSource open(TaskSpec task, Path specDir, long seed) {
        SourceSpec s = task.source();
        return switch (s.type()) {
            case "phantom" -> new PhantomSource(task, seed);
            case "images" -> new ImageFolderSource(task, specDir.resolve(s.path()), seed);
            case "hdf5" -> s.layout().equals("modl") ? new ModlSource(task, specDir.resolve(s.path()))
                    : new FastMriSource(task, specDir.resolve(s.path()));
            default -> throw new IllegalArgumentException("task '" + task.name() + "': unknown source.type '"
                    + s.type() + "'; expected phantom, images or hdf5");
        };
    }

    /** Index of example {@code index} of {@code split} in a list holding train examples first, then test. */
    static int position(TaskSpec task, String split, int index) {
        return split.equals(SimulatedData.TRAIN) ? index : task.train() + index;
    }
}
