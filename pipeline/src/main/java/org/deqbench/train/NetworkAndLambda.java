package org.deqbench.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deqbench.nn.ConvNet;
import org.deqbench.spec.TrainingSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The trainable parameters of every learned method with a data weight (MoDL, the MOL family, DEQ-GD,
 * ELDER): the CNN's own, by their names, and {@value #LOG_LAMBDA}. λ is trained in the log domain so
 * that it stays positive; ∂ℓ/∂log λ = λ ∂ℓ/∂λ ({@link #logLambdaGradient}). With
 * {@code training.lambda_learning_rate}, log λ takes its own Adam step, as a factor on the schedule.
 */
final class NetworkAndLambda {
    static final String LOG_LAMBDA = "log_lambda";

    private final ConvNet network;
    private final Map<String, INDArray> parameters = new LinkedHashMap<>();
    private Map<String, Double> learningRateScales = Map.of();

    NetworkAndLambda(ConvNet network, double lambda) {
        this(network, Nd4j.scalar(network.dataType(), Math.log(lambda)));
    }

    /** With an existing log λ array (updated in place by the optimiser, e.g. one a graph reads). */
    NetworkAndLambda(ConvNet network, INDArray logLambda) {
        this.network = network;
        parameters.putAll(network.parameters());
        parameters.put(LOG_LAMBDA, logLambda);
    }

    ConvNet network() {
        return network;
    }

    double lambda() {
        return Math.exp(parameters.get(LOG_LAMBDA).getDouble(0));
    }

    /** The optimiser's view: every parameter by name, the same arrays the network computes with. */
    Map<String, INDArray> parameters() {
        return parameters;
    }

    Map<String, Double> learningRateScales() {
        return learningRateScales;
    }

    /** {@code training.lambda_learning_rate}, as a factor on the schedule's rate for log λ. */
    void useLambdaLearningRate(TrainingSpec training) {
        learningRateScales = training.lambdaLearningRate() == null ? Map.of()
                : Map.of(LOG_LAMBDA, training.lambdaLearningRate() / training.learningRate());
    }

    /** Hands the network its (possibly replaced) parameters after an optimiser step. */
    void parametersChanged() {
        Map<String, INDArray> net = new LinkedHashMap<>(parameters);
        net.remove(LOG_LAMBDA);
        network.setParameters(net);
    }

    /** ∂ℓ/∂log λ from ∂ℓ/∂λ, as the scalar the optimiser expects. */
    INDArray logLambdaGradient(double dLossDLambda) {
        return Nd4j.scalar(network.dataType(), dLossDLambda * lambda());
    }
}
