package org.deqbench.train;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained model whose parameters are a network and a data weight λ held by
 * {@link NetworkAndLambda} (DEQ-GD, RERG, ELDER): the parameter map, log λ's own learning rate
 * ({@code training.lambda_learning_rate}) and one λ per task ({@code training.lambda_per_task})
 * all come from there.
 */
interface NetworkAndLambdaModel extends TrainableModel<ExampleSet.Batch> {
    /** The network's parameters and log λ (or one log λ per task). */
    NetworkAndLambda weights();

    @Override
    default Map<String, INDArray> parameters() {
        return weights().parameters();
    }

    @Override
    default Map<String, Double> learningRateScales() {
        return weights().learningRateScales();
    }

    @Override
    default void parametersChanged() {
        weights().parametersChanged();
    }

    @Override
    default void separateLambdas(List<String> tasks) {
        weights().separateLambdas(tasks);
    }

    @Override
    default void useTask(String task) {
        weights().useTask(task);
    }

    @Override
    default Map<String, Double> taskLambdas() {
        return weights().taskLambdas();
    }
}
