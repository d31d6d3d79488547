package org.deqbench.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * Mean and 95 % Student-t interval against scipy.stats.t.interval values computed by
 * {@code make_reference.py}. Tolerance 1e-9 relative: both use double precision and an inverse t
 * CDF accurate to ~1e-12 or better.
 */
class SampleSummaryReferenceTest {

    @Test
    void meanAndIntervalMatchScipyStudentT() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("reference_statistics.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            int checked = 0;
            for (JsonNode c : root.get("cases")) {
                double[] xs = new double[c.get("values").size()];
                for (int i = 0; i < xs.length; i++) {
                    xs[i] = c.get("values").get(i).asDouble();
                }
                SampleSummary s = SampleSummary.of(xs);
                double mean = c.get("mean").asDouble();
                assertEquals(xs.length, s.n());
                assertEquals(mean, s.mean(), 1e-12 * Math.abs(mean));
                assertEquals(c.get("std").asDouble(), s.std(), 1e-9 * c.get("std").asDouble());
                double lo = c.get("ci95").get(0).asDouble();
                double hi = c.get("ci95").get(1).asDouble();
                assertEquals(lo, s.lower(), 1e-9 * Math.abs(lo), "lower end for " + c.get("values"));
                assertEquals(hi, s.upper(), 1e-9 * Math.abs(hi), "upper end for " + c.get("values"));
                checked++;
            }
            assertTrue(checked >= 3);
        }
    }

    @Test
    void intervalIsUndefinedForOneValueAndForInfiniteValues() {
        SampleSummary one = SampleSummary.of(new double[] {31.0});
        assertEquals(31.0, one.mean());
        assertTrue(Double.isNaN(one.lower()) && Double.isNaN(one.upper()));
        SampleSummary inf = SampleSummary.of(new double[] {30.0, Double.POSITIVE_INFINITY});
        assertTrue(Double.isNaN(inf.lower()));
        assertTrue(Double.isNaN(SampleSummary.of(new double[0]).mean()));
    }

    @Test
    void clippingKeepsTheMeanAndCutsTheIntervalAtTheMetricsRange() {
        // Two SSIMs: t_{0.975,1} = 12.706, s = 0.2051, half-width 1.84, so the raw interval is [−0.995, 2.685].
        SampleSummary raw = SampleSummary.of(new double[] {0.7, 0.99});
        assertTrue(raw.upper() > 1, "raw Student-t interval leaves SSIM's range: " + raw);
        SampleSummary clipped = raw.clippedTo(-1, 1);
        assertEquals(raw.mean(), clipped.mean(), 0);
        assertEquals(1.0, clipped.upper(), 0);
        assertEquals(Math.max(-1, raw.lower()), clipped.lower(), 0);
        SampleSummary nmse = SampleSummary.of(new double[] {0.01, 0.3}).clippedTo(0, Double.POSITIVE_INFINITY);
        assertEquals(0.0, nmse.lower(), 0);
    }

    @Test
    void pairedTestsGiveNoPValueWhereTheyAreUndefined() {
        assertEquals(null, PairedTest.of(new double[] {30}, new double[] {29}).tTestP(), "one image");
        PairedTest inf = PairedTest.of(new double[] {Double.POSITIVE_INFINITY, 30}, new double[] {29, 28});
        assertEquals(null, inf.tTestP(), "a perfect reconstruction's PSNR is +∞");
        assertEquals(null, inf.wilcoxonP());
        PairedTest same = PairedTest.of(new double[] {1, 2, 3}, new double[] {1, 2, 3});
        assertEquals(1.0, same.wilcoxonP(), 0, "no difference at all");
        assertEquals(0.0, same.meanDifference(), 0);
    }
}
