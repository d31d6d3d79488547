package org.deqbench.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deqbench.metrics.ImageScores;

/**
 * The report's results as tidy CSV tables (one observation per row, one variable per column,
 * header line, comma-separated, empty cell = not available), which {@code pandas.read_csv} or R's
 * {@code read.csv} load without reshaping:
 * <ul>
 *   <li>{@code summary.csv}: one row per (task, method), the columns of {@link SummaryRow} with each
 *       interval split into {@code *_ci_low} / {@code *_ci_high} and each paired test into
 *       {@code *_best}, {@code *_diff_vs_best}, {@code *_t_test_p}, {@code *_wilcoxon_p};</li>
 *   <li>{@code per_image.csv}: one row per (task, method, test image): PSNR, SSIM, NMSE;</li>
 *   <li>{@code attack.csv}: one row per (task, method, ε): the amplifications and the bound.</li>
 * </ul>
 * Numbers are written in full precision; a perfect reconstruction's PSNR is {@code Infinity}.
 */
public final class ResultTables {
    public static final String SUMMARY = "summary.csv";
    public static final String PER_IMAGE = "per_image.csv";
    public static final String ATTACK = "attack.csv";

    private static final CsvMapper CSV = new CsvMapper();

    private ResultTables() {
    }

    /** A row of {@code summary.csv}. */
    @JsonPropertyOrder({"task", "method", "kind", "images",
            "psnr", "psnr_ci_low", "psnr_ci_high", "ssim", "ssim_ci_low", "ssim_ci_high",
            "nmse", "nmse_ci_low", "nmse_ci_high",
            "psnr_best", "psnr_diff_vs_best", "psnr_t_test_p", "psnr_wilcoxon_p",
            "ssim_best", "ssim_diff_vs_best", "ssim_t_test_p", "ssim_wilcoxon_p",
            "nmse_best", "nmse_diff_vs_best", "nmse_t_test_p", "nmse_wilcoxon_p",
            "lipschitz_upper", "lipschitz_lower", "certificate_kind",
            "train_seconds", "train_peak_bytes", "forward_iterations"})
    public record SummaryCsvRow(
            @JsonProperty("task") String task, @JsonProperty("method") String method,
            @JsonProperty("kind") String kind, @JsonProperty("images") int images,
            @JsonProperty("psnr") Double psnr, @JsonProperty("psnr_ci_low") Double psnrCiLow,
            @JsonProperty("psnr_ci_high") Double psnrCiHigh,
            @JsonProperty("ssim") Double ssim, @JsonProperty("ssim_ci_low") Double ssimCiLow,
            @JsonProperty("ssim_ci_high") Double ssimCiHigh,
            @JsonProperty("nmse") Double nmse, @JsonProperty("nmse_ci_low") Double nmseCiLow,
            @JsonProperty("nmse_ci_high") Double nmseCiHigh,
            @JsonProperty("psnr_best") String psnrBest, @JsonProperty("psnr_diff_vs_best") Double psnrDiff,
            @JsonProperty("psnr_t_test_p") Double psnrT, @JsonProperty("psnr_wilcoxon_p") Double psnrW,
            @JsonProperty("ssim_best") String ssimBest, @JsonProperty("ssim_diff_vs_best") Double ssimDiff,
            @JsonProperty("ssim_t_test_p") Double ssimT, @JsonProperty("ssim_wilcoxon_p") Double ssimW,
            @JsonProperty("nmse_best") String nmseBest, @JsonProperty("nmse_diff_vs_best") Double nmseDiff,
            @JsonProperty("nmse_t_test_p") Double nmseT, @JsonProperty("nmse_wilcoxon_p") Double nmseW,
            @JsonProperty("lipschitz_upper") Double lipschitzUpper, @JsonProperty("lipschitz_lower") Double lipschitzLower,
            @JsonProperty("certificate_kind") String certificateKind,
            @JsonProperty("train_seconds") Double trainSeconds, @JsonProperty("train_peak_bytes") Long trainPeakBytes,
            @JsonProperty("forward_iterations") Double forwardIterations) {

        static SummaryCsvRow of(SummaryRow r) {
            return new SummaryCsvRow(r.task(), r.method(), r.kind(), r.images(),
                    r.psnr(), end(r.psnrCi95(), 0), end(r.psnrCi95(), 1),
                    r.ssim(), end(r.ssimCi95(), 0), end(r.ssimCi95(), 1),
                    r.nmse(), end(r.nmseCi95(), 0), end(r.nmseCi95(), 1),
                    best(r.psnrVsBest()), diff(r.psnrVsBest()), t(r.psnrVsBest()), w(r.psnrVsBest()),
                    best(r.ssimVsBest()), diff(r.ssimVsBest()), t(r.ssimVsBest()), w(r.ssimVsBest()),
                    best(r.nmseVsBest()), diff(r.nmseVsBest()), t(r.nmseVsBest()), w(r.nmseVsBest()),
                    r.lipschitzUpper(), r.lipschitzLower(), r.certificateKind(),
                    r.trainSeconds(), r.trainPeakBytes(), r.forwardIterations());
        }
    }

    /** A row of {@code per_image.csv}; {@code image} is the index in the test split. */
    @JsonPropertyOrder({"task", "method", "kind", "image", "psnr", "ssim", "nmse"})
    public record PerImageRow(@JsonProperty("task") String task, @JsonProperty("method") String method,
                              @JsonProperty("kind") String kind, @JsonProperty("image") int image,
                              @JsonProperty("psnr") double psnr, @JsonProperty("ssim") double ssim,
                              @JsonProperty("nmse") double nmse) {
    }

    /** A row of {@code attack.csv}. */
    @JsonPropertyOrder({"task", "method", "eps", "amplification_worst", "amplification_gaussian",
            "certified_bound", "within_certificate"})
    public record AttackRow(@JsonProperty("task") String task, @JsonProperty("method") String method,
                            @JsonProperty("eps") double eps,
                            @JsonProperty("amplification_worst") Double amplificationWorst,
                            @JsonProperty("amplification_gaussian") Double amplificationGaussian,
                            @JsonProperty("certified_bound") Double certifiedBound,
                            @JsonProperty("within_certificate") Boolean withinCertificate) {
    }

    /** The rows of {@code summary.csv}, in the order of {@code rows}. */
    public static List<SummaryCsvRow> summary(List<SummaryRow> rows) {
        return rows.stream().map(SummaryCsvRow::of).toList();
    }

    /** The rows of {@code per_image.csv}. */
    public static List<PerImageRow> perImage(List<MethodResults> results) {
        List<PerImageRow> out = new ArrayList<>();
        for (MethodResults r : results) {
            for (int i = 0; i < r.perImage().size(); i++) {
                ImageScores s = r.perImage().get(i);
                out.add(new PerImageRow(r.task(), r.method(), r.kind().key(), i, s.psnr(), s.ssim(), s.nmse()));
            }
        }
        return out;
    }

    /** The rows of {@code attack.csv}. */
    public static List<AttackRow> attack(List<MethodResults> results) {
        List<AttackRow> out = new ArrayList<>();
        for (MethodResults r : results) {
            for (AttackPoint p : r.attack()) {
                out.add(new AttackRow(r.task(), r.method(), p.eps(), p.amplificationWorst(), p.amplificationGaussian(),
                        p.certifiedBound(), p.withinCertificate()));
            }
        }
        return out;
    }

    /** Writes rows of one record type with a header line (also when there are no rows). */
    public static <T> void write(Path file, Class<T> type, List<T> rows) throws IOException {
        CsvSchema schema = CSV.schemaFor(type).withHeader();
        CSV.writer(schema).writeValue(file.toFile(), rows);
    }

    private static Double end(List<Double> interval, int i) {
        return interval == null ? null : interval.get(i);
    }

    private static String best(VersusBest v) {
        return v == null ? null : v.best();
    }

    private static Double diff(VersusBest v) {
        return v == null ? null : v.meanDifference();
    }

    private static Double t(VersusBest v) {
        return v == null ? null : v.tTestP();
    }

    private static Double w(VersusBest v) {
        return v == null ? null : v.wilcoxonP();
    }
}
