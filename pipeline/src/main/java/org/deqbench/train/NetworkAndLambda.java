package org.deqbench.train;

import java.util.LinkedHashMap;
import java.util.List;
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
 *
 * <p>With {@link #separateLambdas} (a model trained on several tasks with
 * {@code training.lambda_per_task}) there is one log λ per task, {@code log_lambda/<task>}, all
 * starting at the same value; {@link #useTask} chooses the one {@link #lambda} returns and the
 * gradient goes to ({@link #logLambdaGradients}). The other tasks' entries get a zero gradient on
 * that step (Adam needs one for every parameter; their moments decay, as for any parameter a batch
 * does not touch).
 */
final class NetworkAndLambda {
    static final String LOG_LAMBDA = "log_lambda";

    private final ConvNet network;
    private final Map<String, INDArray> parameters = new LinkedHashMap<>();
    private Double lambdaLearningRateFactor;
    private String lambdaKey = LOG_LAMBDA;

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
        return Math.exp(parameters.get(lambdaKey).getDouble(0));
    }

    /** The parameter name of task {@code task}'s log λ once λ is per task. */
    static String taskLambdaKey(String task) {
        return LOG_LAMBDA + "/" + task;
    }

    /**
     * One log λ per task from now on, each starting at the current λ; {@link #useTask} must choose
     * one before λ is read. Call before training starts.
     */
    void separateLambdas(List<String> tasks) {
        if (!lambdaKey.equals(LOG_LAMBDA)) {
            throw new IllegalStateException("λ is already per task");
        }
        if (tasks.isEmpty() || new java.util.HashSet<>(tasks).size() != tasks.size()) {
            throw new IllegalArgumentException("one λ per task needs distinct task names, got " + tasks);
        }
        INDArray shared = parameters.remove(LOG_LAMBDA);
        for (String t : tasks) {
            parameters.put(taskLambdaKey(t), shared.dup());
        }
        lambdaKey = taskLambdaKey(tasks.get(0));
    }

    /** Chooses task {@code task}'s λ (no effect while λ is shared by every task). */
    void useTask(String task) {
        if (lambdaKey.equals(LOG_LAMBDA)) {
            return;
        }
        String key = taskLambdaKey(task);
        if (!parameters.containsKey(key)) {
            throw new IllegalArgumentException("no λ for task '" + task + "'; the model has "
                    + parameters.keySet().stream().filter(k -> k.startsWith(LOG_LAMBDA + "/")).toList());
        }
        lambdaKey = key;
    }

    /** Every task's λ by task name, or null while λ is shared. */
    Map<String, Double> taskLambdas() {
        if (lambdaKey.equals(LOG_LAMBDA)) {
            return null;
        }
        Map<String, Double> out = new LinkedHashMap<>();
        String prefix = LOG_LAMBDA + "/";
        parameters.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), Math.exp(v.getDouble(0)));
            }
        });
        return out;
    }

    /** The optimiser's view: every parameter by name, the same arrays the network computes with. */
    Map<String, INDArray> parameters() {
        return parameters;
    }

    /** Adam's factor for every log λ ({@code training.lambda_learning_rate}), none without it. */
    Map<String, Double> learningRateScales() {
        Map<String, Double> scales = new LinkedHashMap<>();
        if (lambdaLearningRateFactor != null) {
            parameters.keySet().stream().filter(NetworkAndLambda::isLambdaKey)
                    .forEach(k -> scales.put(k, lambdaLearningRateFactor));
        }
        return scales;
    }

    /** {@code training.lambda_learning_rate}, as a factor on the schedule's rate for log λ. */
    void useLambdaLearningRate(TrainingSpec training) {
        lambdaLearningRateFactor = training.lambdaLearningRate() == null ? null
                : training.lambdaLearningRate() / training.learningRate();
    }

    private static boolean isLambdaKey(String name) {
        return name.equals(LOG_LAMBDA) || name.startsWith(LOG_LAMBDA + "/");
    }

    /** Hands the network its (possibly replaced) parameters after an optimiser step. */
    void parametersChanged() {
        Map<String, INDArray> net = new LinkedHashMap<>(parameters);
        net.keySet().removeIf(NetworkAndLambda::isLambdaKey);
        network.setParameters(net);
    }

    /** ∂ℓ/∂log λ from ∂ℓ/∂λ, as the scalar the optimiser expects. */
    INDArray logLambdaGradient(double dLossDLambda) {
        return Nd4j.scalar(network.dataType(), dLossDLambda * lambda());
    }

    /**
     * The gradient entries of every log λ parameter from ∂ℓ/∂log λ of the current one: that value
     * for the current task's (or the shared) log λ, zero for the other tasks'.
     */
    Map<String, INDArray> logLambdaGradients(double dLossDLogLambda) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String k : parameters.keySet()) {
            if (isLambdaKey(k)) {
                out.put(k, Nd4j.scalar(network.dataType(), k.equals(lambdaKey) ? dLossDLogLambda : 0.0));
            }
        }
        return out;
    }
}
