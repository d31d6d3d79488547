package org.deqbench.report;

import java.nio.file.Path;
import java.util.List;
import org.deqbench.metrics.ImageScores;
import org.deqbench.metrics.SampleSummary;
import org.deqbench.spec.MethodKind;

/**
 * Everything the report knows about one method on one task, read from its upstream nodes by
 * {@link org.deqbench.stage.UpstreamReader}. Absent optional inputs are null (or empty lists).
 *
 * @param task              task name
 * @param method            method name
 * @param kind              the method's algorithm
 * @param perImage          per-test-image scores, in test-split order (empty if unknown)
 * @param metricsSource     {@code "metrics.json"} or {@code "recomputed"} (from reconstructions.npy
 *                          with {@link ImageScores}) or {@code "none"}
 * @param trainSeconds      {@code method.json} train_seconds
 * @param trainPeakBytes    {@code method.json} train_peak_bytes
 * @param forwardIterations {@code method.json} forward_iterations
 * @param certificate       the Lipschitz result ({@link Certificate#NONE} if there is none)
 * @param attack            attack sweep, by increasing ε
 * @param curves            learning curves, or null (non-learned methods, or none written)
 * @param reconstructions   path of {@code reconstructions.npy}, or null
 * @param objectiveDescent  how the objective behaved per iteration (explicit-objective methods), or null
 * @param errorBounds       the fixed-point error bound against the true error (DEQ-GD, RERG), or null
 */
public record MethodResults(String task, String method, MethodKind kind, List<ImageScores> perImage,
                            String metricsSource, Double trainSeconds, Long trainPeakBytes,
                            Double forwardIterations, Certificate certificate, List<AttackPoint> attack,
                            TrainingCurves curves, Path reconstructions, ObjectiveDescent objectiveDescent,
                            FixedPointErrorBounds errorBounds) {
    public MethodResults {
        perImage = List.copyOf(perImage);
        attack = List.copyOf(attack);
        certificate = certificate == null ? Certificate.NONE : certificate;
    }

    /** Results of a method that reports no error bounds. */
    public MethodResults(String task, String method, MethodKind kind, List<ImageScores> perImage,
                         String metricsSource, Double trainSeconds, Long trainPeakBytes,
                         Double forwardIterations, Certificate certificate, List<AttackPoint> attack,
                         TrainingCurves curves, Path reconstructions, ObjectiveDescent objectiveDescent) {
        this(task, method, kind, perImage, metricsSource, trainSeconds, trainPeakBytes, forwardIterations,
                certificate, attack, curves, reconstructions, objectiveDescent, null);
    }

    /** Results of a method that logs no objective and reports no error bounds. */
    public MethodResults(String task, String method, MethodKind kind, List<ImageScores> perImage,
                         String metricsSource, Double trainSeconds, Long trainPeakBytes,
                         Double forwardIterations, Certificate certificate, List<AttackPoint> attack,
                         TrainingCurves curves, Path reconstructions) {
        this(task, method, kind, perImage, metricsSource, trainSeconds, trainPeakBytes, forwardIterations,
                certificate, attack, curves, reconstructions, null, null);
    }

    /** Mean PSNR with its 95 % interval (PSNR has no finite bound). */
    public SampleSummary psnr() {
        return SampleSummary.of(scores(Metric.PSNR));
    }

    /** Mean SSIM with its 95 % interval clipped to SSIM's range [−1, 1]. */
    public SampleSummary ssim() {
        return SampleSummary.of(scores(Metric.SSIM)).clippedTo(Metric.SSIM.min(), Metric.SSIM.max());
    }

    /** Mean NMSE with its 95 % interval clipped to NMSE's range [0, ∞). */
    public SampleSummary nmse() {
        return SampleSummary.of(scores(Metric.NMSE)).clippedTo(Metric.NMSE.min(), Metric.NMSE.max());
    }

    /** The given metric of every test image, in test-split order. */
    public double[] scores(Metric metric) {
        return perImage.stream().mapToDouble(metric::of).toArray();
    }

    /** The summary of one metric (interval clipped to its range). */
    public SampleSummary summary(Metric metric) {
        return switch (metric) {
            case PSNR -> psnr();
            case SSIM -> ssim();
            case NMSE -> nmse();
        };
    }

    /** Whether any attack point exceeds the certified bound. */
    public boolean violatesCertificate() {
        return attack.stream().anyMatch(AttackPoint::violatesCertificate);
    }
}
