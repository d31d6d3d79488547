package org.deqbench.spec;

/**
 * MOL-LR's penalty: β·barrier(l̂) with barrier(l) = −log(T − l) for l < T − e and
 * −log(e) + (l − T + e)/e beyond, l̂ a local Lipschitz estimate of H by {@code ascentSteps} steps
 * of gradient ascent from v = u + {@code perturbation}·noise. Defaults from the MOL code.
 */
public record LipschitzSpec(Double t, Double e, Double beta, Integer ascentSteps, Double perturbation) {
    public static final LipschitzSpec DEFAULT = new LipschitzSpec(null, null, null, null, null);

    public LipschitzSpec {
        t = t == null ? 0.98 : t;
        e = e == null ? 1e-3 : e;
        beta = beta == null ? 1e-6 : beta;
        ascentSteps = ascentSteps == null ? 10 : ascentSteps;
        perturbation = perturbation == null ? 0.01 : perturbation;
    }
}
