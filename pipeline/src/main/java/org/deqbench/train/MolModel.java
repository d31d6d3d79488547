package org.deqbench.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deqbench.metrics.ImageScores;
import org.deqbench.nn.ConvNet;
import org.deqbench.nn.ConvolutionNormBound;
import org.deqbench.nn.ConvolutionOperator;
import org.deqbench.recon.DeqReconstructor;
import org.deqbench.spec.DeqSpec;
import org.deqbench.spec.LipschitzSpec;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The deep-equilibrium methods with MOL's iteration as the trainer sees them: {@code deq}
 * (unconstrained H), {@code mol-sn} (spectrally normalised H: the network normalises its raw
 * parameters itself, {@link ConvNet#createSpectral}) and {@code mol-lr} (unconstrained H plus
 * β·barrier(l̂) on the local Lipschitz estimate at the fixed point). The loss is the mean squared
 * error of the fixed point; its gradient comes from implicit differentiation
 * ({@link DeqReconstructor#backward}). Parameters: the CNN's and {@value #LOG_LAMBDA}.
 */
final class MolModel implements TrainableModel<ExampleSet.Batch> {
    static final String LOG_LAMBDA = NetworkAndLambda.LOG_LAMBDA;

    private final DeqSpec deq;
    private final int initCgIterations;
    private final LipschitzBarrier barrier;
    private final LipschitzSpec lipschitz;
    private final long seed;
    private final long[] spatialShape;
    private final NetworkAndLambda weights;
    private boolean magnitudeLoss;

    /**
     * @param lipschitz MOL-LR's penalty settings, or null for no penalty
     * @param spatialShape image size without channels (for the layer-norm bound)
     */
    MolModel(ConvNet network, double lambda, DeqSpec deq, int initCgIterations, LipschitzSpec lipschitz, long seed,
             long[] spatialShape) {
        this.weights = new NetworkAndLambda(network, lambda);
        this.deq = deq;
        this.initCgIterations = initCgIterations;
        this.lipschitz = lipschitz;
        this.barrier = lipschitz == null ? null : LipschitzBarrier.of(lipschitz);
        this.seed = seed;
        this.spatialShape = spatialShape.clone();
    }

    /**
     * The training options that shape this model's loss and steps: {@code training.loss}
     * ({@code magnitude-mse}: the official code's MSE of magnitude images) and
     * {@code training.lambda_learning_rate} (log λ's own Adam step, as a factor on the schedule).
     */
    void useTraining(org.deqbench.spec.TrainingSpec training) {
        magnitudeLoss = "magnitude-mse".equals(training.loss());
        weights.useLambdaLearningRate(training);
    }

    @Override
    public Map<String, Double> learningRateScales() {
        return weights.learningRateScales();
    }

    ConvNet network() {
        return weights.network();
    }

    double lambda() {
        return weights.lambda();
    }

    /** The reconstructor with the current parameters. */
    DeqReconstructor reconstructor() {
        return new DeqReconstructor(network(), lambda(), deq, initCgIterations);
    }

    @Override
    public Map<String, INDArray> parameters() {
        return weights.parameters();
    }

    @Override
    public void parametersChanged() {
        weights.parametersChanged();
    }

    @Override
    public StepResult lossAndGradients(ExampleSet.Batch batch, long step) {
        DeqReconstructor r = reconstructor();
        DeqReconstructor.Forward f = r.forward(batch.measurements(), batch.operator(), null);
        INDArray x = f.x();
        Loss mse = magnitudeLoss ? magnitudeMse(x, batch.groundTruth()) : channelMse(x, batch.groundTruth());
        double loss = mse.value();
        DeqReconstructor.Backward b = r.backward(f, mse.gradient());
        Map<String, INDArray> g = new LinkedHashMap<>(b.cotangents().parameters());
        g.put(LOG_LAMBDA, weights.logLambdaGradient(b.cotangents().lambda()));
        Map<String, Double> diag = new LinkedHashMap<>();
        diag.put("lambda", r.lambda());
        diag.put("forward_iterations", (double) f.solve().iterations());
        diag.put("forward_residual", f.solve().finalResidual());
        diag.put("forward_converged", f.solve().converged() ? 1.0 : 0.0);
        diag.put("backward_iterations", (double) b.solve().iterations());
        diag.put("backward_residual", b.solve().finalResidual());
        diag.put("mse", loss);
        if (barrier != null) {
            LocalLipschitzEstimate.Estimate e = LocalLipschitzEstimate.estimate(network(), x, lipschitz,
                    RandomStreams.derive(seed, "lipschitz", step));
            double[] weights = new double[e.perExample().length];
            double penalty = 0;
            for (int i = 0; i < weights.length; i++) {
                penalty += barrier.penalty(e.perExample()[i]) / weights.length;
                weights[i] = barrier.penaltyDerivative(e.perExample()[i]) / weights.length;
            }
            Map<String, INDArray> pg = LocalLipschitzEstimate.gradient(network(), e, weights);
            pg.forEach((k, v) -> g.merge(k, v, INDArray::add));
            loss += penalty;
            diag.put("lipschitz_estimate", e.max());
            diag.put("barrier_penalty", penalty);
        }
        return new StepResult(loss, g, diag);
    }

    /** A loss value and its gradient with respect to x. */
    record Loss(double value, INDArray gradient) {
    }

    /** (1/n)‖x − g‖² over all real and imaginary entries; gradient 2(x − g)/n. */
    static Loss channelMse(INDArray x, INDArray groundTruth) {
        INDArray diff = x.sub(groundTruth.castTo(x.dataType()));
        double n = diff.length();
        double norm = diff.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).norm2Number().doubleValue();
        return new Loss(norm * norm / n, diff.mul(2.0 / n));
    }

    /**
     * The official code's loss: (1/P) Σ_p (|x_p| − |g_p|)² over the P pixels of the magnitude
     * images (|x| = √(re² + im²) over channel 1 of {@code [B, 2, H, W]}); gradient
     * 2(|x| − |g|)·x/(P|x|) per channel, 0 where |x| = 0.
     */
    static Loss magnitudeMse(INDArray x, INDArray groundTruth) {
        INDArray xd = x.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        INDArray g = groundTruth.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        INDArray mx = org.nd4j.linalg.ops.transforms.Transforms.sqrt(xd.mul(xd).sum(true, 1), false);
        INDArray mg = org.nd4j.linalg.ops.transforms.Transforms.sqrt(g.mul(g).sum(true, 1), false);
        INDArray diff = mx.sub(mg);
        double p = diff.length();
        double norm = diff.norm2Number().doubleValue();
        INDArray safe = mx.add(mx.eq(0.0).castTo(mx.dataType()));
        INDArray factor = diff.mul(2.0 / p).divi(safe).muli(mx.neq(0.0).castTo(mx.dataType()));
        INDArray grad = xd.mul(factor.broadcast(xd.shape()));
        return new Loss(norm * norm / p, grad.castTo(x.dataType()));
    }

    /** MOL-SN: the Lipschitz bound of H after each epoch (the others' bounds are not controlled). */
    @Override
    public Map<String, Double> epochDiagnostics() {
        if (network().spectralNormalization() == null) {
            return Map.of();
        }
        return Map.of("lipschitz_bound", layerNormBound(network(), spatialShape));
    }

    @Override
    public double[] validationScores(ExampleSet.Batch batch) {
        INDArray x = reconstructor().forward(batch.measurements(), batch.operator(), null).x();
        return ImageScores.perImage(batch.groundTruth(), x).stream().mapToDouble(ImageScores::psnr).toArray();
    }

    /**
     * A proven Lipschitz bound of H on images of {@code spatialShape}: Π_l ‖W_l ⋆ ·‖ ×
     * Lip(φ)^{n−1}, each operator norm bounded from above by the DFT argument of
     * {@link ConvolutionNormBound} (the Lanczos estimates spectral normalisation divides by approach
     * the norms from below and certify nothing).
     */
    static double layerNormBound(ConvNet network, long[] spatialShape) {
        int[] spatial = java.util.Arrays.stream(spatialShape).mapToInt(Math::toIntExact).toArray();
        return ConvolutionNormBound.chain(network.layerOperators(spatialShape).stream()
                .map(ConvolutionOperator::weight).toList(), network.activationLipschitz(), spatial);
    }
}
