package org.deqbench.spec;

import java.util.List;

/**
 * Measurement-perturbation attacks: ‖δ‖ ≤ ε‖b‖ for each ε.
 *
 * @param eps    relative perturbation sizes
 * @param steps  projected-gradient-ascent steps (learned methods)
 * @param images test images attacked
 */
public record AttackSpec(List<Double> eps, Integer steps, Integer images) {
    public static final AttackSpec DEFAULT = new AttackSpec(null, null, null);

    public AttackSpec {
        eps = eps == null ? List.of(0.01, 0.02, 0.05) : List.copyOf(eps);
        steps = steps == null ? 10 : steps;
        images = images == null ? 2 : images;
    }
}
