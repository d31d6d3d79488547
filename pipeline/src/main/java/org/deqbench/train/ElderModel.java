package org.deqbench.train;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deqbench.metrics.ImageScores;
import org.deqbench.nn.ConvNet;
import org.deqbench.nn.ElderRegularizer;
import org.deqbench.recon.ElderReconstructor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ELDER as the trainer sees it ({@link ElderReconstructor}): parameters are N_θ's (keyed like
 * {@link ConvNet#parameters()}) and {@value #LOG_LAMBDA} (τ = 1/λ weighs R; one per task with {@link NetworkAndLambda#separateLambdas}); the loss is the mean
 * squared error of the minimiser x*, its gradients come from implicit differentiation of the
 * stationarity condition ({@link ElderReconstructor#backward}).
 */
final class ElderModel implements NetworkAndLambdaModel {
    static final String LOG_LAMBDA = NetworkAndLambda.LOG_LAMBDA;

    private final ElderRegularizer regularizer;
    private final ElderReconstructor.Settings settings;
    private final NetworkAndLambda weights;

    ElderModel(ConvNet network, double lambda, ElderReconstructor.Settings settings) {
        this.regularizer = new ElderRegularizer(network);
        this.weights = new NetworkAndLambda(network, lambda);
        this.settings = settings;
    }

    /** {@code training.lambda_learning_rate}: log λ's own Adam step, as a factor on the schedule. */
    void useTraining(org.deqbench.spec.TrainingSpec training) {
        weights.useLambdaLearningRate(training);
    }

    ConvNet network() {
        return regularizer.network();
    }

    double lambda() {
        return weights.lambda();
    }

    /** The reconstructor with the current parameters. */
    ElderReconstructor reconstructor() {
        return new ElderReconstructor(regularizer, lambda(), settings);
    }

    @Override
    public NetworkAndLambda weights() {
        return weights;
    }

    @Override
    public StepResult lossAndGradients(ExampleSet.Batch batch, long step) {
        weights.useTask(batch.task());
        ElderReconstructor r = reconstructor();
        ElderReconstructor.Forward f = r.forward(batch.measurements(), batch.operator());
        MolModel.Loss mse = MolModel.channelMse(f.x(), batch.groundTruth());
        ElderReconstructor.Backward b = r.backward(f, mse.gradient());
        Map<String, INDArray> g = new LinkedHashMap<>(b.parameters());
        g.putAll(weights.logLambdaGradients(b.logLambda(r.tau())));
        Map<String, Double> diag = new LinkedHashMap<>();
        diag.put("lambda", r.lambda());
        diag.put("forward_iterations", (double) Arrays.stream(f.iterations()).max().orElse(0));
        diag.put("forward_residual", Arrays.stream(f.stationarity()).max().orElse(0));
        diag.put("forward_converged", allTrue(f.converged()) ? 1.0 : 0.0);
        diag.put("backward_iterations", (double) b.solve().iterations());
        diag.put("backward_residual", b.solve().finalResidual());
        diag.put("mse", mse.value());
        return new StepResult(mse.value(), g, diag);
    }

    @Override
    public double[] validationScores(ExampleSet.Batch batch) {
        weights.useTask(batch.task());
        INDArray x = reconstructor().forward(batch.measurements(), batch.operator()).x();
        return ImageScores.perImage(batch.groundTruth(), x).stream().mapToDouble(ImageScores::psnr).toArray();
    }

    static boolean allTrue(boolean[] a) {
        for (boolean b : a) {
            if (!b) {
                return false;
            }
        }
        return true;
    }
}
