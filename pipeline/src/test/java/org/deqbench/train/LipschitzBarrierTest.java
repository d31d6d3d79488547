package org.deqbench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.deqbench.spec.LipschitzSpec;
import org.junit.jupiter.api.Test;

class LipschitzBarrierTest {
    private final LipschitzBarrier b = LipschitzBarrier.of(LipschitzSpec.DEFAULT);

    @Test
    void defaultsAreTheMolConstants() {
        assertEquals(0.98, b.t());
        assertEquals(1e-3, b.e());
        assertEquals(1e-6, b.beta());
    }

    @Test
    void valueIsMinusLogOfTheGapBelowTheSwitchAndLinearBeyond() {
        // exact formulas; 1e-12 absorbs rounding of log and of the constants
        assertEquals(-Math.log(0.98 - 0.5), b.value(0.5), 1e-12);
        assertEquals(-Math.log(0.98), b.value(0.0), 1e-12);
        assertEquals(-Math.log(1e-3) + (1.2 - 0.98 + 1e-3) / 1e-3, b.value(1.2), 1e-9);
        assertEquals(1e-6 * b.value(0.7), b.penalty(0.7), 1e-18);
    }

    @Test
    void valueAndSlopeAreContinuousAtTheSwitchPoint() {
        double s = 0.98 - 1e-3;
        // the two branches meet: log(e) on both sides, slope 1/e on both sides (to rounding)
        assertEquals(b.value(s - 1e-12), b.value(s), 1e-6);
        assertEquals(b.derivative(s - 1e-12), b.derivative(s), 1e-3);
        assertEquals(-Math.log(1e-3), b.value(s), 1e-9);
    }

    @Test
    void derivativeMatchesCentralDifferencesOnBothBranches() {
        for (double l : new double[] {-0.3, 0.2, 0.9, 0.97, 0.99, 1.5, 3}) {
            double h = 1e-7;
            double fd = (b.value(l + h) - b.value(l - h)) / (2 * h);
            // central difference error O(h² f''') ≈ 1e-14/gap³; relative 1e-5 is ample away from the kink
            assertEquals(fd, b.derivative(l), 1e-5 * Math.max(1, Math.abs(fd)), "at l=" + l);
            assertEquals(1e-6 * b.derivative(l), b.penaltyDerivative(l), 1e-18 + 1e-12 * b.derivative(l));
        }
    }

    @Test
    void rejectsAThresholdBelowTheCutoff() {
        assertThrows(IllegalArgumentException.class, () -> new LipschitzBarrier(1e-4, 1e-3, 1e-6));
    }
}
