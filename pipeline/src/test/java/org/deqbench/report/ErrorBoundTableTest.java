package org.deqbench.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.deqbench.metrics.ImageScores;
import org.deqbench.spec.MethodKind;
import org.deqbench.spec.Problem;
import org.deqbench.spec.TaskSpec;
import org.junit.jupiter.api.Test;

/** The report's table of the DEQ-GD error bound against the true error (read from method.json by UpstreamReader). */
class ErrorBoundTableTest {
    private static MethodResults method(String name, MethodKind kind, FixedPointErrorBounds bounds) {
        return new MethodResults("t", name, kind, List.of(new ImageScores(20, 0.5, 0.1)), "metrics.json", null, null,
                null, null, List.of(), null, Path.of(name, "reconstructions.npy"), null, bounds);
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
        MethodResults gd = method("deq-gd", MethodKind.DEQ_GD, new FixedPointErrorBounds(new double[] {1, 2, 3},
                new double[] {2, 1, Double.NaN}, new double[] {0.5, 0.6, 1.2}));
        MethodResults zf = method("zf", MethodKind.ZERO_FILLED, null);
        MethodResults none = method("tv", MethodKind.TV, null);
        TaskSection s = section(List.of(zf, gd, none));
        List<ErrorBoundTable.Row> rows = ErrorBoundTable.rows(s);
        assertEquals(1, rows.size());
        assertEquals("deq-gd", rows.get(0).method());
        FixedPointErrorBounds r = rows.get(0).values();
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
}
