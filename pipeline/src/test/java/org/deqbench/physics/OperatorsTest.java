package org.deqbench.physics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class OperatorsTest {
    @Test
    void compositionChecksShapesWhenBuilt() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Operators.compose(new Identity(1, 4, 4), new Decimation(2, 1, 4, 4)));
        assertTrue(e.getMessage().contains("[1, 2, 2]") && e.getMessage().contains("[1, 4, 4]"), e.getMessage());
    }

    /** Exact identities up to double round-off (1e-12 relative). */
    @Test
    void scalingScalesApplyAdjointAndNormal() {
        LinearOperator a = new Decimation(2, 1, 4, 6);
        LinearOperator s = Operators.scale(a, -3);
        INDArray x = OperatorRegistry.randomBatch(2, a.domainShape(), new Random(1), DataType.DOUBLE);
        assertEquals(0, s.apply(x).sub(a.apply(x).mul(-3)).norm2Number().doubleValue(), 1e-12);
        assertEquals(0, s.normal(x).sub(a.normal(x).mul(9)).norm2Number().doubleValue(), 1e-12);
        assertEquals(3, Operators.norm(s, 1, 50, 1e-12, 1).norm(), 1e-9, "‖sA‖ = |s| ‖A‖ with ‖decimation‖ = 1");
    }

    @Test
    void singularValuesOfTheCentredFftAreAllOne() {
        INDArray maps = HostArrays.fromDouble(CoilMaps.simulateValues(1, 6, 5, new Random(1)), new long[] {1, 1, 2, 6, 5}, DataType.DOUBLE);
        INDArray mask = org.nd4j.linalg.factory.Nd4j.ones(DataType.DOUBLE, 1, 6, 5);
        LinearOperator f = new MultiCoilMri(maps, mask);
        assertEquals(1, Operators.norm(f, 1, 50, 1e-12, 3).norm(), 1e-12, "fully sampled single coil: A = F, unitary");
    }
}
