package org.deqbench.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * How an explicit-objective method's minimisation behaved on the test split (ELDER: gradient
 * descent with Armijo backtracking, which by construction never increases the objective), from
 * its train node's {@code method.json}: {@code objective_images}, {@code objective_monotone_images},
 * {@code objective_largest_increase}, {@code forward_iterations}, {@code converged_images}.
 *
 * @param images          test images minimised
 * @param monotone        images on which F(x_{k+1}) ≤ F(x_k) at every iteration
 * @param largestIncrease largest F(x_{k+1}) − F(x_k) over all images and iterations (≤ 0 when every
 *                        step decreased)
 * @param meanIterations  mean accepted steps per image, or null
 * @param converged       images that met the stationarity tolerance, or null
 */
public record ObjectiveDescent(int images, int monotone, double largestIncrease, Double meanIterations,
                               Integer converged) {

    /** The record from {@code method.json}, or null when the method logs no objective. */
    public static ObjectiveDescent read(JsonNode method, Path file) {
        Double images = number(method, "objective_images", file);
        Double monotone = number(method, "objective_monotone_images", file);
        Double increase = number(method, "objective_largest_increase", file);
        if (images == null || monotone == null || increase == null) {
            return null;
        }
        Double converged = number(method, "converged_images", file);
        return new ObjectiveDescent(images.intValue(), monotone.intValue(), increase,
                number(method, "forward_iterations", file),
                converged == null ? null : converged.intValue());
    }

    private static Double number(JsonNode node, String key, Path file) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(file + ": '" + key + "' must be a number, found " + v);
        }
        return v.asDouble();
    }

    /** Whether the objective decreased at every iteration on every image. */
    public boolean allMonotone() {
        return monotone == images;
    }
}
