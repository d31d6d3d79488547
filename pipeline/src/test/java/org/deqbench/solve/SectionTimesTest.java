package org.deqbench.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SectionTimesTest {
    /**
     * Anderson acceleration on a linear contraction whose map runs a CG solve: every section is
     * counted once per call, nested time is not counted twice (the exclusive times add up to no
     * more than the wall time around them), and nothing is recorded once stopped.
     */
    @Test
    void nestedSectionsAreCountedOnceAndExclusively() {
        INDArray b = Nd4j.linspace(DataType.DOUBLE, 1, 8, 1).reshape(1, 8);
        ConjugateGradient cg = new ConjugateGradient(1e-12, 20);
        // x ↦ 0.5 (2I)^{-1} (x + b): a contraction solved by CG inside the map
        java.util.function.UnaryOperator<INDArray> map =
                x -> cg.solve(v -> v.mul(2.0), x.add(b), null).x().muli(0.5);
        SectionTimes times = SectionTimes.start();
        long t0 = System.nanoTime();
        SolveResult r;
        try {
            r = AndersonAcceleration.of(3, 30, 1e-10).solve(map, Nd4j.zeros(DataType.DOUBLE, 1, 8));
        } finally {
            SectionTimes.stop();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        Map<SectionTimes.Section, Long> calls = times.calls();
        assertEquals(1L, calls.get(SectionTimes.Section.ANDERSON));
        assertEquals((long) r.mapEvaluations(), calls.get(SectionTimes.Section.FIXED_POINT_MAP));
        assertEquals((long) r.mapEvaluations(), calls.get(SectionTimes.Section.CONJUGATE_GRADIENT));
        double sum = times.seconds().values().stream().mapToDouble(Double::doubleValue).sum();
        assertTrue(sum <= wall, "exclusive times " + sum + " s exceed the wall time " + wall + " s");
        // the fixed point x = (x + b)/4, i.e. x = b/3, so the solve really ran
        assertTrue(r.x().sub(b.div(3)).norm2Number().doubleValue() < 1e-8);

        cg.solve(v -> v.mul(2.0), b, null);
        assertEquals(1L, times.calls().get(SectionTimes.Section.ANDERSON), "nothing recorded after stop");
    }
}
