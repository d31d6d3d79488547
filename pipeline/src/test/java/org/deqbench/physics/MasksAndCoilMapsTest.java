package org.deqbench.physics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MasksAndCoilMapsTest {
    @Test
    void cartesianMaskSamplesWholeColumnsAtTheRequestedAccelerationWithTheCentre() {
        int h = 10;
        int w = 40;
        double[] m = Masks.cartesianColumns(h, w, 4, 0.1, Seeds.random(1, "mask"));
        int cols = 0;
        for (int c = 0; c < w; c++) {
            for (int r = 1; r < h; r++) {
                assertEquals(m[c], m[r * w + c], "column " + c + " sampled in every row or none");
            }
            cols += m[c] != 0 ? 1 : 0;
        }
        assertEquals(10, cols, "round(40 / 4) columns");
        for (int c = 18; c < 22; c++) {
            assertEquals(1, m[c], "the 4 central columns around DC index 20 are sampled");
        }
    }

    @Test
    void sameSeedSameMaskDifferentSeedDifferentMask() {
        double[] a = Masks.cartesianColumns(8, 64, 4, 0.08, Seeds.random(1, "t", "train", "mask", 0));
        double[] b = Masks.cartesianColumns(8, 64, 4, 0.08, Seeds.random(1, "t", "train", "mask", 0));
        double[] c = Masks.cartesianColumns(8, 64, 4, 0.08, Seeds.random(1, "t", "train", "mask", 1));
        assertArrayEquals(a, b);
        assertTrue(!java.util.Arrays.equals(a, c));
    }

    @Test
    void accelerationBelowOneIsRejectedNamingTheKey() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Masks.cartesianColumns(8, 8, 0.5, 0.1, Seeds.random(1)));
        assertTrue(e.getMessage().contains("mri.acceleration"), e.getMessage());
    }

    /** Σ_c |S_c|² = 1 at every pixel, to double round-off (1e-12). */
    @Test
    void coilMapsAreNormalisedAtEveryPixel() {
        int coils = 5;
        int h = 9;
        int w = 7;
        double[] s = CoilMaps.simulateValues(coils, h, w, Seeds.random(4, "coil_maps"));
        int plane = h * w;
        for (int i = 0; i < plane; i++) {
            double sum = 0;
            for (int c = 0; c < coils; c++) {
                double re = s[c * 2 * plane + i];
                double im = s[c * 2 * plane + plane + i];
                sum += re * re + im * im;
            }
            assertEquals(1.0, sum, 1e-12, "pixel " + i);
        }
    }
}
