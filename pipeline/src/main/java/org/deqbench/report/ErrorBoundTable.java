package org.deqbench.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The fixed-point error bound against the true error, for the methods that report
 * {@link FixedPointErrorBounds} (DEQ-GD and RERG: per test image ‖x* − x_gt‖, the bound
 * ‖T(x_gt) − x_gt‖ / (1 − L̂_T) or none, and L̂_T), as {@link org.deqbench.stage.UpstreamReader}
 * read them from the train node's {@code method.json}.
 */
final class ErrorBoundTable {
    private ErrorBoundTable() {
    }

    /**
     * One method's bounds over the test images.
     *
     * @param method method name
     * @param values its bounds and true errors
     */
    record Row(String method, FixedPointErrorBounds values) {
    }

    /** The rows of the task's methods that report error bounds, in the task's method order. */
    static List<Row> rows(TaskSection s) {
        List<Row> out = new ArrayList<>();
        for (MethodResults r : s.methods()) {
            if (r.errorBounds() != null) {
                out.add(new Row(r.method(), r.errorBounds()));
            }
        }
        return out;
    }

    /** The HTML section, or the empty string when no method of the task reports error bounds. */
    static String html(TaskSection s) {
        List<Row> rows = rows(s);
        if (rows.isEmpty()) {
            return "";
        }
        StringBuilder h = new StringBuilder("<h3>Fixed-point error bound against the true error</h3>");
        h.append("<table><tr><th>method</th><th>images</th><th>mean ‖x* − x_gt‖</th><th>mean bound</th>"
                + "<th>median bound / error</th><th>L̂_T (min – max)</th><th>bound ≥ error</th></tr>");
        for (Row row : rows) {
            FixedPointErrorBounds r = row.values();
            double[] ratios = new double[r.bounds().length];
            int k = 0;
            for (int i = 0; i < ratios.length; i++) {
                if (Double.isFinite(r.bounds()[i]) && r.trueErrors()[i] > 0) {
                    ratios[k++] = r.bounds()[i] / r.trueErrors()[i];
                }
            }
            double[] finite = Arrays.stream(r.bounds()).filter(Double::isFinite).toArray();
            h.append("<tr><td>").append(HtmlReport.esc(row.method())).append("</td><td>").append(r.trueErrors().length)
                    .append("</td><td>").append(f(Arrays.stream(r.trueErrors()).average().orElse(Double.NaN)))
                    .append("</td><td>").append(finite.length == 0 ? "none" : f(Arrays.stream(finite).average().orElseThrow())
                            + (finite.length < r.bounds().length ? " (" + finite.length + " finite)" : ""))
                    .append("</td><td>").append(k == 0 ? "—" : f(median(Arrays.copyOf(ratios, k))))
                    .append("</td><td>").append(f(Arrays.stream(r.lipschitz()).min().orElse(Double.NaN))).append(" – ")
                    .append(f(Arrays.stream(r.lipschitz()).max().orElse(Double.NaN)))
                    .append("</td><td>").append(r.holds()).append(" / ").append(r.finite()).append("</td></tr>");
        }
        h.append("</table><p class=\"note\">For a contractive DEQ-GD map T, ‖x* − x_gt‖ ≤ ‖T(x_gt) − x_gt‖ / (1 − L_T)."
                + " L̂_T here is a local estimate (power iteration on J_Tᵀ J_T at x* and at x_gt, the larger of the two),"
                + " which can be below the true Lipschitz constant on the segment: the bound is an estimate, not a"
                + " certificate, and where L̂_T ≥ 1 there is none. The last column counts the images on which the"
                + " estimated bound is at least the true error.</p>");
        return h.toString();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static String f(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4g", v) : "—";
    }
}
