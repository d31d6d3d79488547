package org.deqbench.train;

/**
 * Step size as a function of the optimisation step t ∈ [0, T):
 * <ul>
 *   <li>{@code constant}: η</li>
 *   <li>{@code cosine}: η · ½ (1 + cos(π t / T)) (Loshchilov &amp; Hutter, SGDR, without restarts)</li>
 *   <li>{@code step}: η, then η/10 from 50 % of the steps and η/100 from 75 % (the usual
 *       two-drop schedule)</li>
 * </ul>
 *
 * @param kind       {@code constant}, {@code cosine} or {@code step} (TrainingSpec.schedule)
 * @param base       η
 * @param totalSteps T
 */
public record LearningRateSchedule(String kind, double base, long totalSteps) {
    public LearningRateSchedule {
        if (!kind.equals("constant") && !kind.equals("cosine") && !kind.equals("step")) {
            throw new IllegalArgumentException("training.schedule: expected constant, cosine or step, found '" + kind + "'");
        }
        if (!(base > 0)) {
            throw new IllegalArgumentException("training.learning_rate: expected > 0, found " + base);
        }
        totalSteps = Math.max(1, totalSteps);
    }

    public double rate(long step) {
        double frac = Math.min(1.0, (double) step / totalSteps);
        return switch (kind) {
            case "cosine" -> base * 0.5 * (1 + Math.cos(Math.PI * frac));
            case "step" -> frac < 0.5 ? base : frac < 0.75 ? base * 0.1 : base * 0.01;
            default -> base;
        };
    }
}
