package org.deqbench.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import org.deqbench.metrics.SampleSummary;

/**
 * One row of {@code report/summary.json}: one method on one task. Means are over the test split;
 * {@code *_ci95} are two-sided 95 % Student-t intervals [lo, hi] of those means
 * ({@link SampleSummary}), clipped to the metric's range (SSIM ≤ 1, NMSE ≥ 0);
 * {@code *_vs_best} are paired tests against the task's best method on the same images
 * ({@link VersusBest}; null for the best method itself). Anything not available upstream (or not
 * finite) is null.
 *
 * @param task                task name
 * @param method              method name
 * @param kind                method kind ({@code modl}, {@code mol-sn}, …)
 * @param images              number of test images the means are over
 * @param psnr                mean PSNR (dB), magnitude images, data_range = max(target)
 * @param ssim                mean SSIM (7×7 uniform window, K1 = 0.01, K2 = 0.03)
 * @param nmse                mean NMSE ‖x − x̂‖² / ‖x‖²
 * @param psnrCi95            95 % interval of the mean PSNR
 * @param ssimCi95            95 % interval of the mean SSIM
 * @param nmseCi95            95 % interval of the mean NMSE
 * @param psnrVsBest          paired PSNR test against the task's best-PSNR method, or null
 * @param ssimVsBest          paired SSIM test against the task's best-SSIM method, or null
 * @param nmseVsBest          paired NMSE test against the task's best-NMSE method, or null
 * @param lipschitzUpper      upper bound (certificate) or estimate of the network's Lipschitz constant
 * @param lipschitzLower      empirical lower bound
 * @param certificateKind     {@code certificate} or {@code estimate}
 * @param attack              the ε sweep
 * @param trainSeconds        wall-clock training time
 * @param trainPeakBytes      peak memory during training
 * @param forwardIterations   forward fixed-point / unrolled iterations
 */
@JsonPropertyOrder({"task", "method", "kind", "images", "psnr", "ssim", "nmse", "psnr_ci95", "ssim_ci95", "nmse_ci95",
        "psnr_vs_best", "ssim_vs_best", "nmse_vs_best",
        "lipschitz_upper", "lipschitz_lower", "certificate_kind", "attack", "train_seconds", "train_peak_bytes",
        "forward_iterations"})
public record SummaryRow(
        @JsonProperty("task") String task,
        @JsonProperty("method") String method,
        @JsonProperty("kind") String kind,
        @JsonProperty("images") int images,
        @JsonProperty("psnr") Double psnr,
        @JsonProperty("ssim") Double ssim,
        @JsonProperty("nmse") Double nmse,
        @JsonProperty("psnr_ci95") List<Double> psnrCi95,
        @JsonProperty("ssim_ci95") List<Double> ssimCi95,
        @JsonProperty("nmse_ci95") List<Double> nmseCi95,
        @JsonProperty("psnr_vs_best") VersusBest psnrVsBest,
        @JsonProperty("ssim_vs_best") VersusBest ssimVsBest,
        @JsonProperty("nmse_vs_best") VersusBest nmseVsBest,
        @JsonProperty("lipschitz_upper") Double lipschitzUpper,
        @JsonProperty("lipschitz_lower") Double lipschitzLower,
        @JsonProperty("certificate_kind") String certificateKind,
        @JsonProperty("attack") List<AttackPoint> attack,
        @JsonProperty("train_seconds") Double trainSeconds,
        @JsonProperty("train_peak_bytes") Long trainPeakBytes,
        @JsonProperty("forward_iterations") Double forwardIterations) {

    /**
     * The row of {@code r}; {@code versusBest} holds, per metric, the paired tests of every method
     * of r's task against that task's best ({@link VersusBest#of}).
     */
    public static SummaryRow of(MethodResults r, Map<Metric, Map<String, VersusBest>> versusBest) {
        SampleSummary psnr = r.psnr();
        SampleSummary ssim = r.ssim();
        SampleSummary nmse = r.nmse();
        Certificate c = r.certificate();
        return new SummaryRow(r.task(), r.method(), r.kind().key(), r.perImage().size(),
                finite(psnr.mean()), finite(ssim.mean()), finite(nmse.mean()),
                interval(psnr), interval(ssim), interval(nmse),
                versusBest.getOrDefault(Metric.PSNR, Map.of()).get(r.method()),
                versusBest.getOrDefault(Metric.SSIM, Map.of()).get(r.method()),
                versusBest.getOrDefault(Metric.NMSE, Map.of()).get(r.method()),
                c.upper(), c.lower(), c.kind(), r.attack(), r.trainSeconds(), r.trainPeakBytes(),
                r.forwardIterations());
    }

    static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    static List<Double> interval(SampleSummary s) {
        return Double.isFinite(s.lower()) && Double.isFinite(s.upper()) ? List.of(s.lower(), s.upper()) : null;
    }
}
