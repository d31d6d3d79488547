package org.deqbench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.deqbench.physics.Seeds;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PhantomsTest {
    private static double maxMagnitude(double[] x, int planes) {
        int n = x.length / planes;
        double m = 0;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int c = 0; c < planes; c++) {
                s += x[c * n + i] * x[c * n + i];
            }
            m = Math.max(m, Math.sqrt(s));
        }
        return m;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ellipses", "shepp-logan", "anatomy"})
    void phantomsAreSeededScaledAndVaried(String kind) {
        double[] a = Phantoms.image(kind, 24, 20, true, Seeds.random(1, kind, 0));
        double[] b = Phantoms.image(kind, 24, 20, true, Seeds.random(1, kind, 0));
        double[] c = Phantoms.image(kind, 24, 20, true, Seeds.random(1, kind, 1));
        assertArrayEquals(a, b, "same stream, same phantom");
        assertFalse(Arrays.equals(a, c), "another stream, another phantom");
        assertEquals(1, maxMagnitude(a, 2), 1e-12);
        double[] real = Phantoms.image(kind, 24, 20, false, Seeds.random(1, kind, 0));
        assertEquals(24 * 20, real.length);
        assertTrue(Arrays.stream(real).allMatch(v -> v >= 0), "magnitudes are non-negative");
        assertEquals(1, Arrays.stream(real).max().orElseThrow(), 1e-12);
        long support = Arrays.stream(real).filter(v -> v > 0).count();
        assertTrue(support > 0.3 * real.length && support < real.length, "an object on a background: " + support);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ellipses", "shepp-logan", "anatomy"})
    void sequencesMoveAndVolumesChangeAlongDepth(String kind) {
        int t = 4;
        int h = 16;
        int w = 16;
        double[] seq = Phantoms.sequence(kind, t, h, w, Seeds.random(2, kind));
        assertEquals(2 * t * h * w, seq.length);
        double[] f0 = Arrays.copyOfRange(seq, 0, h * w);
        double[] f1 = Arrays.copyOfRange(seq, h * w, 2 * h * w);
        assertFalse(Arrays.equals(f0, f1), "frames differ (motion)");
        double[] vol = Phantoms.volume(kind, 6, h, w, Seeds.random(3, kind));
        assertEquals(1, maxMagnitude(vol, 2), 1e-12);
        assertFalse(Arrays.equals(Arrays.copyOfRange(vol, 0, h * w), Arrays.copyOfRange(vol, 3 * h * w, 4 * h * w)),
                "an edge slice differs from a central one");
    }

    @org.junit.jupiter.api.Test
    void unknownKindIsRejectedNamingTheKey() {
        var e = assertThrows(IllegalArgumentException.class, () -> Phantoms.checkKind("brain"));
        assertTrue(e.getMessage().contains("source.phantom"), e.getMessage());
    }
}
