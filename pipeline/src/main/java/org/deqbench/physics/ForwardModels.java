package org.deqbench.physics;

import java.util.Map;
import org.deqbench.spec.TaskSpec;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The forward operator of each {@link org.deqbench.spec.Problem}, built from a task spec and the
 * operator parameters stored with the data (named by their manifest role).
 */
public final class ForwardModels {
    /** Role of per-example sampling masks {@code [B, H, W]}. */
    public static final String MASK = "mask";
    /** Role of per-example coil maps {@code [B, coils, 2, H, W]}. */
    public static final String COIL_MAPS = "coil_maps";

    private ForwardModels() {
    }

    /**
     * The operator of a batch of examples.
     *
     * @param params operator parameters by role; per-example ones with the batch on axis 0
     */
    public static LinearOperator operator(TaskSpec task, Map<String, INDArray> params) {
        return switch (task.problem()) {
            case MRI -> new MultiCoilMri(required(task, params, COIL_MAPS), required(task, params, MASK));
            default -> throw new UnsupportedOperationException("no forward model for problem '"
                    + task.problem().key() + "' (task '" + task.name() + "')");
        };
    }

    private static INDArray required(TaskSpec task, Map<String, INDArray> params, String role) {
        INDArray a = params.get(role);
        if (a == null) {
            throw new IllegalArgumentException("task '" + task.name() + "' (" + task.problem().key()
                    + ") needs operator parameter '" + role + "'; found " + params.keySet());
        }
        return a;
    }
}
