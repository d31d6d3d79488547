package org.deqbench.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.deqbench.metrics.ImageScores;
import org.deqbench.nn.ConvNet;
import org.deqbench.physics.Noise;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The learned Gaussian denoiser of {@code pnp} and {@code red} as the trainer sees it: a residual
 * CNN D_σ(y) = y − N(y) trained on the task's training ground truths x with white Gaussian noise
 * of standard deviation σ ({@code denoiser.sigma}) per real component, y = x + σn, loss
 * <pre>
 *   ℓ = (1/P) ‖D_σ(y) − x‖² = (1/P) ‖y − N(y) − x‖²,   ∂ℓ/∂θ = −J_{N,θ}(y)^T (2/P)(D_σ(y) − x)
 * </pre>
 * over the P entries of the batch. The measurements and the operator are not used. The noise of
 * step s is drawn from a stream seeded by (seed, s), so a resumed run draws the same numbers;
 * validation uses one fixed noise stream, so epochs are compared on the same noisy images.
 * Validation score: PSNR of D_σ(y) against x.
 */
final class GaussianDenoiserModel implements TrainableModel<ExampleSet.Batch> {
    private final ConvNet network;
    private final double sigma;
    private final long seed;
    private final Map<String, INDArray> parameters = new LinkedHashMap<>();
    /** The weight the reconstruction uses (red: chosen on the training split after training). */
    private double lambda;

    GaussianDenoiserModel(ConvNet network, double sigma, long seed, double lambda) {
        this.network = network;
        this.sigma = sigma;
        this.seed = seed;
        this.lambda = lambda;
        parameters.putAll(network.parameters());
    }

    ConvNet network() {
        return network;
    }

    double sigma() {
        return sigma;
    }

    double lambda() {
        return lambda;
    }

    void lambda(double value) {
        lambda = value;
    }

    /** D_σ(y) = y − N(y). */
    INDArray denoise(INDArray y) {
        return y.sub(network.forward(y));
    }

    private INDArray noisy(INDArray x, long stream) {
        INDArray n = Noise.gaussian(x.shape(), sigma, new Random(stream), x.dataType());
        return x.add(n);
    }

    @Override
    public Map<String, INDArray> parameters() {
        return parameters;
    }

    @Override
    public void parametersChanged() {
        network.setParameters(parameters);
    }

    @Override
    public StepResult lossAndGradients(ExampleSet.Batch batch, long step) {
        INDArray x = batch.groundTruth().castTo(network.dataType());
        INDArray y = noisy(x, RandomStreams.derive(seed, "denoiser-noise", step));
        double p = x.length();
        INDArray d = y.sub(network.forward(y)).subi(x);
        double norm = d.castTo(DataType.DOUBLE).norm2Number().doubleValue();
        ConvNet.Vjp probe = network.vjp(y, d.mul(-2.0 / p));
        Map<String, INDArray> g = new LinkedHashMap<>(probe.parameters());
        double loss = norm * norm / p;
        return new StepResult(loss, g, Map.of("denoiser_mse", loss, "noise_mse", sigma * sigma));
    }

    @Override
    public double[] validationScores(ExampleSet.Batch batch) {
        INDArray x = batch.groundTruth().castTo(network.dataType());
        INDArray y = noisy(x, RandomStreams.derive(seed, "denoiser-validation", 0));
        return ImageScores.perImage(batch.groundTruth(), denoise(y)).stream().mapToDouble(ImageScores::psnr).toArray();
    }
}
