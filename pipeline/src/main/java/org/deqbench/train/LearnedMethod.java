package org.deqbench.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.deqbench.nn.ConvNet;
import org.deqbench.recon.Reconstructor;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.TaskSpec;
import org.deqbench.store.NodeFiles;

/**
 * A method whose network the shared trainer fits ({@link LearnedTraining}: Adam, validation, best
 * epoch, checkpoints, memory probe, outputs). An implementation says only what differs: how its
 * model is built, how it reports on the test split, what its saved model needs besides the network,
 * and how it is rebuilt.
 *
 * @param <M> the model as the trainer sees it
 */
public interface LearnedMethod<M extends TrainableModel<ExampleSet.Batch>> extends Method {
    /** A freshly initialised model for {@code task}, seeded. */
    M create(MethodSpec method, TaskSpec task, long seed);

    /** The trained network (saved as {@code model/network/}). */
    ConvNet network(M model);

    /** Test-split reconstructions and what the method reports about them (into {@code method.json}). */
    LearnedTraining.Evaluation evaluate(M model, ExampleSet test, MethodSpec method);

    /** What {@code model/model.json} records besides kind, λ and the network, to rebuild the method. */
    Map<String, Object> settings(M model, MethodSpec method);

    /** The trained method from its network and {@code model/model.json}. */
    Reconstructor.Differentiable restore(ConvNet network, JsonNode model, MethodSpec method);

    /**
     * After training, before the test split is reconstructed: what the method chooses on the
     * training split besides its network (a weight by grid search, as the baselines do). It may
     * change the model; what it tried goes into {@code method.json}. Nothing by default.
     */
    default Map<String, Object> tune(M model, ExampleSet train, MethodSpec method) {
        return Map.of();
    }

    /** Learned λ of the model. */
    double lambda(M model);

    /**
     * Whether a diverging training is a result to report (the node is written with the last good
     * parameters and {@code diverged: true}) rather than an error.
     */
    default boolean divergenceIsResult() {
        return false;
    }

    /** Trains on the run's task, or on the union of its tasks when it has several ({@code train_on}). */
    @Override
    default void train(TrainingRun run) {
        if (run.tasks().isEmpty()) {
            LearnedTraining.train(run, this);
        } else {
            JointTraining.train(run, this);
        }
    }

    @Override
    default Reconstructor load(NodeFiles trained, MethodSpec method, TaskSpec task) {
        return LearnedTraining.load(trained, method, this);
    }
}
