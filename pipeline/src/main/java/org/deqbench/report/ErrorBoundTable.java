package org.deqbench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.deqbench.plan.NodeOutputError;

/**
 * The fixed-point error bound against the true error, for the methods whose {@code method.json}
 * holds {@code error_bounds} (DEQ-GD and RERG: per test image {@code true_error} = ‖x* − x_gt‖,
 * {@code bound} = ‖T(x_gt) − x_gt‖ / (1 − L̂_T) or null, {@code lipschitz_estimate} = L̂_T). The
 * file is read from the train node's folder, beside {@code reconstructions.npy}.
 */
final class ErrorBoundTable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ErrorBoundTable() {
    }

    /**
     * One method's bounds over the test images.
     *
     * @param method      method name
     * @param trueErrors  ‖x* − x_gt‖ per image
     * @param bounds      the bound per image, NaN where L̂_T ≥ 1 (no bound)
     * @param lipschitz   L̂_T per image
     */
    record Row(String method, double[] trueErrors, double[] bounds, double[] lipschitz) {
        long finite() {
            return Arrays.stream(bounds).filter(Double::isFinite).count();
        }

        long holds() {
            int n = 0;
            for (int i = 0; i < bounds.length; i++) {
                n += Double.isFinite(bounds[i]) && bounds[i] >= trueErrors[i] ? 1 : 0;
            }
            return n;
        }
    }

    /** The rows of the task's methods that report error bounds, in the task's method order. */
    static List<Row> rows(TaskSection s) {
        List<Row> out = new ArrayList<>();
        for (MethodResults r : s.methods()) {
            if (r.reconstructions() == null) {
                continue;
            }
            Path file = r.reconstructions().resolveSibling("method.json");
            if (Files.isRegularFile(file)) {
                Row row = read(r.method(), file);
                if (row != null) {
                    out.add(row);
                }
            }
        }
        return out;
    }

    /** The method's row, or null when {@code file} has no {@code error_bounds}. */
    static Row read(String method, Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new NodeOutputError(file, "cannot read as JSON: " + e.getMessage(), e);
        }
        JsonNode list = root.get("error_bounds");
        if (list == null || list.isNull()) {
            return null;
        }
        if (!list.isArray()) {
            throw new NodeOutputError(file, "expected \"error_bounds\" to be a list of {\"true_error\", \"bound\","
                    + " \"lipschitz_estimate\"}, found " + list.getNodeType(), null);
        }
        int n = list.size();
        double[] err = new double[n];
        double[] bound = new double[n];
        double[] lip = new double[n];
        for (int i = 0; i < n; i++) {
            JsonNode e = list.get(i);
            if (!e.path("true_error").isNumber() || !e.path("lipschitz_estimate").isNumber()) {
                throw new NodeOutputError(file, "error_bounds[" + i + "]: expected numbers \"true_error\" and"
                        + " \"lipschitz_estimate\"", null);
            }
            err[i] = e.get("true_error").asDouble();
            lip[i] = e.get("lipschitz_estimate").asDouble();
            bound[i] = e.path("bound").isNumber() ? e.get("bound").asDouble() : Double.NaN;
        }
        return new Row(method, err, bound, lip);
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
        for (Row r : rows) {
            double[] ratios = new double[r.bounds().length];
            int k = 0;
            for (int i = 0; i < ratios.length; i++) {
                if (Double.isFinite(r.bounds()[i]) && r.trueErrors()[i] > 0) {
                    ratios[k++] = r.bounds()[i] / r.trueErrors()[i];
                }
            }
            double[] finite = Arrays.stream(r.bounds()).filter(Double::isFinite).toArray();
            h.append("<tr><td>").append(HtmlReport.esc(r.method())).append("</td><td>").append(r.trueErrors().length)
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
