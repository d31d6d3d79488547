package org.deqbench.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deqbench.metrics.ImageScores;
import org.deqbench.plan.NodeOutputError;
import org.deqbench.spec.MethodKind;
import org.deqbench.spec.Problem;
import org.deqbench.spec.TaskSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's table of the DEQ-GD error bound against the true error, read from method.json. */
class ErrorBoundTableTest {
    @TempDir
    Path dir;

    private MethodResults method(String name, MethodKind kind, String methodJson) throws Exception {
        Path node = Files.createDirectories(dir.resolve(name));
        if (methodJson != null) {
            Files.writeString(node.resolve("method.json"), methodJson);
        }
        return new MethodResults("t", name, kind, List.of(new ImageScores(20, 0.5, 0.1)), "metrics.json", null, null,
                null, null, List.of(), null, node.resolve("reconstructions.npy"));
    }

    private static TaskSection section(List<MethodResults> methods) {
        TaskSpec t = new TaskSpec("t", Problem.DENOISE, List.of(8, 8), null, null, 2, 3, null, null, null, null, null, null);
        return new TaskSection(t, 3, methods, null, null, null, null, null);
    }

    /**
     * Rows only for methods with error_bounds; a null bound (L̂_T ≥ 1) is no bound; the counts of
     * images where the bound is at least the error, the means and the median ratio are shown.
     */
    @Test
    void tableComparesTheBoundWithTheTrueErrorForMethodsThatReportIt() throws Exception {
        MethodResults gd = method("deq-gd", MethodKind.DEQ_GD, """
                {"error_bounds": [
                  {"image": 0, "true_error": 1.0, "bound": 2.0, "lipschitz_estimate": 0.5},
                  {"image": 1, "true_error": 2.0, "bound": 1.0, "lipschitz_estimate": 0.6},
                  {"image": 2, "true_error": 3.0, "bound": null, "lipschitz_estimate": 1.2}]}""");
        MethodResults zf = method("zf", MethodKind.ZERO_FILLED, "{\"kind\": \"zero-filled\"}");
        MethodResults none = method("tv", MethodKind.TV, null);
        TaskSection s = section(List.of(zf, gd, none));
        List<ErrorBoundTable.Row> rows = ErrorBoundTable.rows(s);
        assertEquals(1, rows.size());
        ErrorBoundTable.Row r = rows.get(0);
        assertArrayEquals(new double[] {1, 2, 3}, r.trueErrors());
        assertTrue(Double.isNaN(r.bounds()[2]), "null bound is no bound");
        assertEquals(2, r.finite());
        assertEquals(1, r.holds());
        String html = ErrorBoundTable.html(s);
        // mean error 2, mean finite bound 1.5, median of ratios {2, 0.5} = 1.25, L̂ 0.5 – 1.2, 1 of 2 finite hold
        assertTrue(html.contains("<td>deq-gd</td><td>3</td><td>2.000</td><td>1.500 (2 finite)</td><td>1.250</td>"
                + "<td>0.5000 – 1.200</td><td>1 / 2</td>"), html);
        assertTrue(html.contains("not a") && html.contains("certificate"), "says the bound is an estimate");
        assertEquals("", ErrorBoundTable.html(section(List.of(zf, none))), "no section without bounds");
        assertTrue(HtmlReport.render(new org.deqbench.spec.ExperimentSpec("e", null, null, List.of(s.task()), List.of(),
                null, null, null, null, null, null), "h", List.of(s), null, null, "now").contains("Fixed-point error bound"));
    }

    @Test
    void malformedErrorBoundsNameTheFileAndTheEntry() throws Exception {
        MethodResults bad = method("rerg", MethodKind.RERG, "{\"error_bounds\": [{\"bound\": 1.0}]}");
        var e = assertThrows(NodeOutputError.class, () -> ErrorBoundTable.rows(section(List.of(bad))));
        assertTrue(e.getMessage().contains("method.json") && e.getMessage().contains("error_bounds[0]"), e.getMessage());
    }
}
