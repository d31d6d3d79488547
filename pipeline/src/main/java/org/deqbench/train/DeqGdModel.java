package org.deqbench.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deqbench.metrics.ImageScores;
import org.deqbench.nn.ConvNet;
import org.deqbench.recon.DeqGdReconstructor;
import org.deqbench.recon.GradientDescentIteration;
import org.deqbench.spec.DeqSpec;
import org.deqbench.spec.TrainingSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DEQ-GD and RERG as the trainer sees them (Willingham, Sjöström, Guillemot, VISAPP 2024), with
 * T(x) = x − η (A^H(A x − b) + (x − N_θ(x))/λ) ({@link GradientDescentIteration}). Three losses:
 * <ul>
 *   <li>{@link Loss#FIXED_POINT} ({@code deq-gd}): MSE(x*, x_gt) at the fixed point x* = T(x*),
 *       differentiated implicitly ({@link DeqGdReconstructor#backward});</li>
 *   <li>{@link Loss#REGULARISED} ({@code rerg}): the same plus w·‖T(x_gt) − x_gt‖²/n, the error
 *       bound's numerator at the ground truth ({@link DeqGdReconstructor#residualLoss}); its gradient
 *       is explicit (x_gt does not depend on θ, λ), so the two gradients add;</li>
 *   <li>{@link Loss#BOUND} ({@code deq-gd} with {@code error_bound.training: bound}): the numerator
 *       alone, ‖T(x_gt) − x_gt‖²/n, no fixed-point solve in training. The denominator 1 − L_T is
 *       not trained (its gradient would need the derivative of a Jacobian norm with respect to θ, a
 *       second derivative of N, which SameDiff M2.1 does not provide); note that the numerator alone
 *       is small for any N with N(x_gt) ≈ x_gt + λ A^H(A x_gt − b), including near-identity
 *       networks, which is why RERG uses it only as a regulariser.</li>
 *   <li>{@link Loss#BOUND_RATIO} ({@code deq-gd} with {@code error_bound: {training: bound,
 *       denominator: true}}): the logarithm of the whole squared bound,
 *       <pre>
 *       ℓ = log(‖T(x_gt) − x_gt‖²/n) + 2·barrier(r),   barrier(r) = −log(1 − r) for r &lt; 1 − e,
 *           −log(e) + (r − 1 + e)/e beyond ({@link LipschitzBarrier}, T = 1, e = {@value #DENOMINATOR_CUTOFF})
 *       </pre>
 *       i.e. log(numerator/(1 − r)²) while r &lt; 1 − e, with r the finite-difference estimate of L_T
 *       at x_gt along the steepest direction of J_T(x_gt) ({@link DeqGdReconstructor#contraction},
 *       {@value #DIRECTION_ITERATIONS} power steps, step s = {@value #DIRECTION_STEP}·‖x_gt‖; the
 *       direction held fixed in the gradient, as MOL-LR holds its ascent point). The denominator
 *       makes T contract around the training images, i.e. N_θ pull nearby images back to them,
 *       which the numerator alone does not ask for.</li>
 * </ul>
 * Parameters: the CNN's and {@value #LOG_LAMBDA} (or one log λ per task, {@link NetworkAndLambda}). Validation always scores the fixed point.
 */
final class DeqGdModel implements NetworkAndLambdaModel {
    static final String LOG_LAMBDA = NetworkAndLambda.LOG_LAMBDA;

    /** What the loss is. */
    enum Loss {
        FIXED_POINT, REGULARISED, BOUND, BOUND_RATIO
    }

    /** e of the barrier on the Lipschitz estimate in {@link Loss#BOUND_RATIO}. */
    static final double DENOMINATOR_CUTOFF = 1e-2;
    /** Power-iteration steps for the steepest direction of J_T at x_gt. */
    static final int DIRECTION_ITERATIONS = 5;
    /** Finite-difference step along that direction, relative to ‖x_gt‖ (whole batch). */
    static final double DIRECTION_STEP = 1e-2;
    /** Seed of the power iteration's start, drawn afresh per step from (seed, step). */
    private static final long DIRECTION_SEED = 31;
    private static final LipschitzBarrier BARRIER = new LipschitzBarrier(1.0, DENOMINATOR_CUTOFF, 2.0);

    private final DeqSpec deq;
    private final int initCgIterations;
    private final Loss loss;
    private final double boundWeight;
    private final NetworkAndLambda weights;

    /**
     * @param boundWeight weight w of the numerator term ({@link Loss#REGULARISED} only)
     */
    DeqGdModel(ConvNet network, double lambda, DeqSpec deq, int initCgIterations, Loss loss, double boundWeight) {
        this.weights = new NetworkAndLambda(network, lambda);
        this.deq = deq;
        this.initCgIterations = initCgIterations;
        this.loss = loss;
        this.boundWeight = boundWeight;
    }

    /** {@code training.lambda_learning_rate}: log λ's own Adam step, as a factor on the schedule. */
    void useTraining(TrainingSpec training) {
        weights.useLambdaLearningRate(training);
    }

    Loss loss() {
        return loss;
    }

    ConvNet network() {
        return weights.network();
    }

    double lambda() {
        return weights.lambda();
    }

    DeqGdReconstructor reconstructor() {
        return new DeqGdReconstructor(network(), lambda(), deq, initCgIterations);
    }

    @Override
    public NetworkAndLambda weights() {
        return weights;
    }

    @Override
    public StepResult lossAndGradients(ExampleSet.Batch batch, long step) {
        weights.useTask(batch.task());
        DeqGdReconstructor r = reconstructor();
        Map<String, INDArray> g = new LinkedHashMap<>();
        Map<String, Double> diag = new LinkedHashMap<>();
        double value = 0;
        double dLambda = 0;
        GradientDescentIteration.Data data = r.data(batch.measurements(), batch.operator());
        if (loss == Loss.BOUND_RATIO) {
            return boundRatio(r, data, batch, step);
        }
        if (loss != Loss.BOUND) {
            DeqGdReconstructor.Forward f = r.forward(batch.measurements(), batch.operator(), null);
            MolModel.Loss mse = MolModel.channelMse(f.x(), batch.groundTruth());
            DeqGdReconstructor.Backward b = r.backward(f, mse.gradient());
            g.putAll(b.cotangents().parameters());
            dLambda += b.cotangents().lambda();
            value += mse.value();
            data = f.data();
            diag.put("forward_iterations", (double) f.solve().iterations());
            diag.put("forward_residual", f.solve().finalResidual());
            diag.put("forward_converged", f.solve().converged() ? 1.0 : 0.0);
            diag.put("backward_iterations", (double) b.solve().iterations());
            diag.put("backward_residual", b.solve().finalResidual());
            diag.put("mse", mse.value());
        }
        if (loss != Loss.FIXED_POINT) {
            double w = loss == Loss.BOUND ? 1 : boundWeight;
            DeqGdReconstructor.ResidualLoss bound = r.residualLoss(data, batch.groundTruth());
            bound.cotangents().parameters().forEach((k, v) -> g.merge(k, v.mul(w), INDArray::add));
            dLambda += w * bound.cotangents().lambda();
            value += w * bound.value();
            diag.put("bound_numerator", bound.value());
        }
        g.putAll(weights.logLambdaGradients(dLambda * r.lambda()));
        diag.put("lambda", r.lambda());
        return new StepResult(value, g, diag);
    }

    /** {@link Loss#BOUND_RATIO}: log(numerator) + 2·barrier(r) and its gradient. */
    private StepResult boundRatio(DeqGdReconstructor r, GradientDescentIteration.Data data, ExampleSet.Batch batch,
                                  long step) {
        INDArray gt = batch.groundTruth();
        DeqGdReconstructor.ResidualLoss numerator = r.residualLoss(data, gt);
        INDArray direction = r.steepestDirection(data, gt, DIRECTION_ITERATIONS,
                RandomStreams.derive(DIRECTION_SEED, "deq-gd-bound-direction", step));
        double s = DIRECTION_STEP * gt.castTo(DataType.DOUBLE).norm2Number().doubleValue();
        DeqGdReconstructor.Contraction c = r.contraction(data, gt, direction, s);
        double a = numerator.value();
        double wr = BARRIER.penaltyDerivative(c.value());
        Map<String, INDArray> g = new LinkedHashMap<>();
        numerator.cotangents().parameters().forEach((k, v) -> g.put(k, v.div(a)));
        c.parameters().forEach((k, v) -> g.merge(k, v.mul(wr), INDArray::add));
        double dLambda = numerator.cotangents().lambda() / a + wr * c.lambda();
        g.putAll(weights.logLambdaGradients(dLambda * r.lambda()));
        Map<String, Double> diag = new LinkedHashMap<>();
        diag.put("bound_numerator", a);
        diag.put("lipschitz_estimate", c.value());
        diag.put("lambda", r.lambda());
        return new StepResult(Math.log(a) + BARRIER.penalty(c.value()), g, diag);
    }

    @Override
    public double[] validationScores(ExampleSet.Batch batch) {
        weights.useTask(batch.task());
        INDArray x = reconstructor().forward(batch.measurements(), batch.operator(), null).x();
        return ImageScores.perImage(batch.groundTruth(), x).stream().mapToDouble(ImageScores::psnr).toArray();
    }
}
