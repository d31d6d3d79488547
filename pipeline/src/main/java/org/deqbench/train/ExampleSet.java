package org.deqbench.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deqbench.data.SimulatedSplit;
import org.deqbench.physics.ForwardModels;
import org.deqbench.physics.LinearOperator;
import org.deqbench.spec.TaskSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Examples [from, to) of a simulated split held in memory, from which the trainer draws batches of
 * arbitrary (shuffled) indices: ground truth, measurements, and the forward operator rebuilt from
 * the examples' own parameters (coil maps, masks, …) by {@link ForwardModels#operator}.
 */
public final class ExampleSet implements TrainingData<ExampleSet.Batch> {
    /** Some examples: ground truth x, measurements b, and their operator A. */
    public record Batch(INDArray groundTruth, INDArray measurements, LinearOperator operator, String task) {
        public int size() {
            return (int) groundTruth.size(0);
        }
    }

    private final TaskSpec task;
    private final INDArray groundTruth;
    private final INDArray measurements;
    private final Map<String, INDArray> parameters = new LinkedHashMap<>();
    private final Map<String, INDArray> shared = new LinkedHashMap<>();
    private final DataType dtype;

    /**
     * @param parameters per-example operator parameters by manifest role, {@code [N, ...]} each
     */
    public ExampleSet(TaskSpec task, INDArray groundTruth, INDArray measurements, Map<String, INDArray> parameters,
                      DataType dtype) {
        this(task, groundTruth, measurements, parameters, Map.of(), dtype);
    }

    /**
     * @param parameters per-example operator parameters by manifest role, {@code [N, ...]} each
     * @param shared     parameters shared by every example (the blur kernel), by role
     */
    public ExampleSet(TaskSpec task, INDArray groundTruth, INDArray measurements, Map<String, INDArray> parameters,
                      Map<String, INDArray> shared, DataType dtype) {
        this.shared.putAll(shared);
        this.task = task;
        this.dtype = dtype;
        this.groundTruth = groundTruth.castTo(dtype);
        this.measurements = measurements.castTo(dtype);
        this.parameters.putAll(parameters);
    }

    /** Examples [from, to) of {@code split}, in {@code dtype}. */
    public static ExampleSet of(SimulatedSplit split, int from, int to, DataType dtype) {
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (String role : split.roles()) {
            if (!role.equals(SimulatedSplit.GROUND_TRUTH) && !role.equals(SimulatedSplit.MEASUREMENTS)) {
                params.put(role, split.perExample(role, from, to));
            }
        }
        return new ExampleSet(split.task(), split.groundTruth(from, to), split.measurements(from, to), params,
                split.sharedParameters(), dtype);
    }

    public TaskSpec task() {
        return task;
    }

    public DataType dataType() {
        return dtype;
    }

    @Override
    public int size() {
        return (int) groundTruth.size(0);
    }

    /** All examples, in order. */
    public Batch all() {
        int[] idx = new int[size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        return batch(idx);
    }

    @Override
    public Batch batch(int[] indices) {
        Map<String, INDArray> p = new LinkedHashMap<>();
        parameters.forEach((k, v) -> p.put(k, gather(v, indices)));
        p.putAll(shared);
        return new Batch(gather(groundTruth, indices), gather(measurements, indices), ForwardModels.operator(task, p),
                task.name());
    }

    private static INDArray gather(INDArray a, int[] indices) {
        long[] shape = a.shape().clone();
        shape[0] = indices.length;
        INDArray out = Nd4j.create(a.dataType(), shape);
        for (int j = 0; j < indices.length; j++) {
            out.slice(j).assign(a.slice(indices[j]));
        }
        return out;
    }
}
