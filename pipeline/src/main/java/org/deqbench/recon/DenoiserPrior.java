package org.deqbench.recon;

import org.deqbench.nn.ConvNet;
import org.deqbench.physics.LinearOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What plug-and-play and RED share: a learned denoiser D(x) = x − N(x) inside a fixed iteration
 * x_{k+1} = T(x_k) from x₀ = A^H b, run by {@link DenoiserIterations} until the relative change meets
 * {@code tolerance} or {@code maxIterations} steps, with the measurement VJP exact for the
 * iterations run. Subclasses give T and its VJP ({@link #step}).
 */
public abstract sealed class DenoiserPrior implements Reconstructor.Differentiable
        permits PlugAndPlay, RegularizationByDenoising {
    protected final ConvNet denoiser;
    private final int maxIterations;
    private final double tolerance;

    protected DenoiserPrior(ConvNet denoiser, int maxIterations, double tolerance) {
        this.denoiser = denoiser;
        this.maxIterations = maxIterations;
        this.tolerance = tolerance;
    }

    /** N of D(x) = x − N(x). */
    public ConvNet denoiser() {
        return denoiser;
    }

    /** T and its VJP for one batch of {@code batch} examples on {@code op}. */
    abstract DenoiserIterations.Step step(LinearOperator op, long batch);

    /** The iterates of one batch. */
    DenoiserIterations.Trace forward(INDArray measurements, LinearOperator op) {
        INDArray b = measurements.castTo(denoiser.dataType());
        return DenoiserIterations.forward(step(op, b.size(0)), b, op, maxIterations, tolerance);
    }

    @Override
    public INDArray reconstruct(INDArray measurements, LinearOperator op) {
        return forward(measurements, op).x().castTo(measurements.dataType());
    }

    @Override
    public INDArray measurementVjp(INDArray measurements, LinearOperator op, INDArray v) {
        INDArray b = measurements.castTo(denoiser.dataType());
        DenoiserIterations.Step step = step(op, b.size(0));
        DenoiserIterations.Trace t = DenoiserIterations.forward(step, b, op, maxIterations, tolerance);
        return DenoiserIterations.measurementVjp(step, t, v).castTo(measurements.dataType());
    }

    /** The reconstruction of a batch with how its iteration ended. */
    public IterationOutcome outcome(INDArray measurements, LinearOperator op) {
        return forward(measurements, op).outcome(measurements.dataType());
    }
}
