package org.deqbench.spec;

import java.util.List;

/**
 * Measurement-perturbation attacks: ‖δ‖ = ε‖b‖ for each ε, by projected gradient ascent
 * ({@code org.deqbench.attack.ProjectedGradientAttack}).
 *
 * @param eps             relative perturbation sizes
 * @param steps           projected-gradient-ascent steps per start
 * @param restarts        random starts per image and ε (the best is kept)
 * @param stepSize        initial step η₀ relative to the radius (η_t = η₀/√(1 + t))
 * @param images          test images attacked
 * @param solverTolerance relative-change tolerance of equilibrium methods' forward and backward
 *                        solves during the attack (the method's own, if tighter)
 */
public record AttackSpec(List<Double> eps, Integer steps, Integer restarts, Double stepSize, Integer images,
                         Double solverTolerance) {
    public static final AttackSpec DEFAULT = new AttackSpec(null, null, null, null, null, null);

    public AttackSpec {
        eps = eps == null ? List.of(0.01, 0.02, 0.05) : List.copyOf(eps);
        steps = steps == null ? 10 : steps;
        restarts = restarts == null ? 2 : restarts;
        stepSize = stepSize == null ? 10.0 : stepSize;
        images = images == null ? 2 : images;
        solverTolerance = solverTolerance == null ? 1e-5 : solverTolerance;
    }
}
