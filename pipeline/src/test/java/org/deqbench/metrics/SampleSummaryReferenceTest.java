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
}
