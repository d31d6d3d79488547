package org.deqbench.spec;

import java.util.Map;
import java.util.TreeMap;

/**
 * Tolerances for {@code deqbench compare}: how far each summary metric may move in the bad
 * direction before a candidate run counts as a regression (PSNR and SSIM may drop, NMSE may rise).
 */
public record RegressionSpec(Map<String, Double> tolerances) {
    public static final RegressionSpec DEFAULT = new RegressionSpec(null);

    public RegressionSpec {
        tolerances = tolerances == null
                ? new TreeMap<>(Map.of("psnr", 0.2, "ssim", 0.01, "nmse", 0.005))
                : new TreeMap<>(tolerances);
    }
}
