package org.deqbench.spec;

/**
 * MOL-LR's penalty: β·barrier(l̂) with barrier(l) = −log(T − l) for l < T − e and
 * −log(e) + (l − T + e)/e beyond, l̂ a local Lipschitz estimate of H by {@code ascentSteps} steps
 * of gradient ascent from v = u + {@code perturbation}·noise. Defaults from the MOL code.
 *
 * <p>{@code ascent} chooses the ascent: {@code local} (default; Gaussian start, normalised
 * power-like step, δ = v − u rescaled to its initial norm so the estimate stays local) or
 * {@code official} (the official code's {@code Lipschitz.adverserial_update}: start
 * u + perturbation·U[0, 1) in every real and imaginary entry, gradient step
 * v ← v + {@code ascent_learning_rate}·∇_v r with rate 1, then v rescaled to ‖u‖).
 */
public record LipschitzSpec(Double t, Double e, Double beta, Integer ascentSteps, Double perturbation,
                            String ascent, Double ascentLearningRate) {
    public static final LipschitzSpec DEFAULT = new LipschitzSpec(null, null, null, null, null, null, null);
    /** The ascent choices. */
    public static final java.util.List<String> ASCENTS = java.util.List.of("local", "official");

    /** The five original settings with the default ascent. */
    public LipschitzSpec(Double t, Double e, Double beta, Integer ascentSteps, Double perturbation) {
        this(t, e, beta, ascentSteps, perturbation, null, null);
    }

    public LipschitzSpec {
        t = t == null ? 0.98 : t;
        e = e == null ? 1e-3 : e;
        beta = beta == null ? 1e-6 : beta;
        ascentSteps = ascentSteps == null ? 10 : ascentSteps;
        perturbation = perturbation == null ? 0.01 : perturbation;
        ascent = ascent == null ? "local" : ascent;
        ascentLearningRate = ascentLearningRate == null ? 1.0 : ascentLearningRate;
    }
}
