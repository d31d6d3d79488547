package org.deqbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExampleFigureTest {
    @Test
    void errorScaleIsTheMedianOfPerMethodPercentiles() {
        double[] small = new double[100];
        double[] medium = new double[100];
        double[] large = new double[100];
        for (int i = 0; i < 100; i++) {
            small[i] = i / 100.0;
            medium[i] = 2 * i / 100.0;
            large[i] = 50 * i / 100.0;
        }
        // 99th percentile (index floor(0.99 · 99) = 98) of each: 0.98, 1.96, 49; the median is 1.96.
        assertEquals(1.96, ExampleFigure.errorScale(java.util.Arrays.asList(small, null, large, medium)), 1e-12);
        assertEquals(1.0, ExampleFigure.errorScale(List.of(new double[4])), "all-zero errors still give a usable scale");
    }
}
