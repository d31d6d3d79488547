package org.deqbench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class AdamTest {
    @Test
    void firstStepMovesEachCoordinateByTheLearningRateAgainstTheGradientSign() {
        INDArray p = Nd4j.createFromArray(1.0, -2.0, 0.5);
        INDArray g = Nd4j.createFromArray(3.0, -0.1, 1e-3);
        new Adam().update(Map.of("p", p), Map.of("p", g), 0.01);
        // bias-corrected m/√v = g/|g| on the first step; ε = 1e-8 perturbs the 1e-3 entry by 1e-5 relative
        assertEquals(0.99, p.getDouble(0), 1e-9);
        assertEquals(-1.99, p.getDouble(1), 1e-9);
        assertEquals(0.49, p.getDouble(2), 1e-7);
    }

    @Test
    void minimisesAQuadratic() {
        INDArray p = Nd4j.createFromArray(5.0, -3.0);
        Adam adam = new Adam();
        for (int i = 0; i < 2000; i++) {
            adam.update(Map.of("p", p), Map.of("p", p.mul(2)), 0.05);
        }
        assertTrue(p.norm2Number().doubleValue() < 1e-2, "‖p‖ = " + p.norm2Number());
        assertEquals(2000, adam.steps());
    }

    @Test
    void restoredStateContinuesIdentically() {
        INDArray a = Nd4j.rand(DataType.DOUBLE, 4);
        INDArray b = a.dup();
        Adam one = new Adam();
        for (int i = 0; i < 3; i++) {
            one.update(Map.of("p", a), Map.of("p", a.mul(a)), 0.1);
        }
        Adam saved = new Adam();
        saved.restore(one.steps(), one.firstMoments(), one.secondMoments());
        INDArray c = a.dup();
        one.update(Map.of("p", a), Map.of("p", a.mul(a)), 0.1);
        saved.update(Map.of("p", c), Map.of("p", c.mul(c)), 0.1);
        assertEquals(a, c);
        assertTrue(!a.equals(b));
    }
}
