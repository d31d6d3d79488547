package org.deqbench.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqbench.metrics.PairedTest;

/**
 * One method against the best method of its task on one metric, image by image
 * ({@link PairedTest}): the best is the method with the best finite mean (highest PSNR/SSIM,
 * lowest NMSE; the first in spec order on ties), and every other method is compared with it on the
 * same test images.
 *
 * @param best           name of the best method
 * @param images         number of paired images
 * @param meanDifference mean over images of (this method − best); null when not finite
 * @param tTestP         two-sided p-value of the paired t-test, or null when undefined
 * @param wilcoxonP      two-sided p-value of the Wilcoxon signed-rank test, or null when undefined
 */
@JsonPropertyOrder({"best", "images", "mean_difference", "t_test_p", "wilcoxon_p"})
public record VersusBest(
        @JsonProperty("best") String best,
        @JsonProperty("images") int images,
        @JsonProperty("mean_difference") Double meanDifference,
        @JsonProperty("t_test_p") Double tTestP,
        @JsonProperty("wilcoxon_p") Double wilcoxonP) {

    /**
     * Every method of one task against that task's best on {@code metric}, by method name. The best
     * method itself, and methods whose scores cannot be paired with the best's (a different number
     * of images), are absent; so is everything when fewer than two methods have a finite mean.
     */
    public static Map<String, VersusBest> of(List<MethodResults> task, Metric metric) {
        Map<String, VersusBest> out = new LinkedHashMap<>();
        MethodResults best = null;
        int withMean = 0;
        for (MethodResults r : task) {
            double m = r.summary(metric).mean();
            if (!Double.isFinite(m)) {
                continue;
            }
            withMean++;
            double b = best == null ? Double.NaN : best.summary(metric).mean();
            if (best == null || (metric.higherIsBetter() ? m > b : m < b)) {
                best = r;
            }
        }
        if (withMean < 2) {
            return out;
        }
        double[] reference = best.scores(metric);
        for (MethodResults r : task) {
            double[] scores = r.scores(metric);
            if (r == best || scores.length != reference.length || scores.length == 0) {
                continue;
            }
            PairedTest t = PairedTest.of(scores, reference);
            out.put(r.method(), new VersusBest(best.method(), t.n(),
                    Double.isFinite(t.meanDifference()) ? t.meanDifference() : null, t.tTestP(), t.wilcoxonP()));
        }
        return out;
    }
}
