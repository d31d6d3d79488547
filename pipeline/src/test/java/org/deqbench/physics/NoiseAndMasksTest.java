package org.deqbench.physics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NoiseAndMasksTest {
    @Test
    void noiseStreamsAreReproducibleAndIndependentPerExample() {
        double[] a = Noise.gaussianValues(100, 1, Noise.stream(5, "t", "train", 0));
        double[] b = Noise.gaussianValues(100, 1, Noise.stream(5, "t", "train", 0));
        double[] c = Noise.gaussianValues(100, 1, Noise.stream(5, "t", "train", 1));
        double[] d = Noise.gaussianValues(100, 1, Noise.stream(5, "t", "test", 0));
        assertArrayEquals(a, b);
        assertNotEquals(a[0], c[0]);
        assertNotEquals(a[0], d[0]);
    }

    /** Sample standard deviation of 40 000 draws: within 3 % of σ (its standard error is 0.35 %). */
    @Test
    void noiseHasTheRequestedStandardDeviationAndOnlyOnTheSupport() {
        double[] y = new double[40000];
        double[] support = new double[100];
        for (int i = 0; i < 100; i += 2) {
            support[i] = 1;
        }
        Noise.addInPlace(y, 0.2, Seeds.random(1, "noise"), support);
        double s = 0;
        int n = 0;
        for (int i = 0; i < y.length; i++) {
            if (support[i % 100] == 0) {
                assertEquals(0, y[i], 0, "no noise off the support");
            } else {
                s += y[i] * y[i];
                n++;
            }
        }
        assertEquals(0.2, Math.sqrt(s / n), 0.03 * 0.2);
    }

    @Test
    void variableDensityMaskSamplesExactlyTheRatioWithItsCentre() {
        double[] m = Masks.variableDensity(20, 30, 0.25, 0.1, Seeds.random(3, "m"));
        assertEquals(150, java.util.Arrays.stream(m).sum(), 0, "round(0.25 · 600)");
        for (int r = 9; r < 11; r++) {
            for (int c = 14; c < 17; c++) {
                assertEquals(1, m[r * 30 + c], "central 2x3 block sampled");
            }
        }
        // density falls off: the central half of k-space holds more samples than the rim
        int inner = 0;
        for (int r = 5; r < 15; r++) {
            for (int c = 7; c < 22; c++) {
                inner += (int) m[r * 30 + c];
            }
        }
        assertTrue(inner > 150 / 2, "inner quarter area holds more than half the samples: " + inner);
    }

    @Test
    void samplingRatioThatSamplesNothingIsRejectedNamingTheKey() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Masks.variableDensity(8, 8, 0.001, 0.1, Seeds.random(1)));
        assertTrue(e.getMessage().contains("mri.sampling_ratio"), e.getMessage());
    }

    @Test
    void threeDimensionalMaskReadsWholeLinesAlongH() {
        double[] m = Masks.phaseEncodePlane(4, 6, 5, 0.5, 0.2, Seeds.random(2, "m"));
        for (int z = 0; z < 4; z++) {
            for (int c = 0; c < 5; c++) {
                for (int r = 1; r < 6; r++) {
                    assertEquals(m[(z * 6) * 5 + c], m[(z * 6 + r) * 5 + c], "line (z, c) fully sampled or not at all");
                }
            }
        }
        assertEquals(10 * 6, java.util.Arrays.stream(m).sum(), 0, "round(0.5 · 4 · 5) lines of 6 points");
    }
}
