package org.deqbench.recon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LinearSubgraphSessionTest {
    /**
     * 40 chained diamonds (h ← h·w + h·h·0): 2^40 paths from the output back to the input. With the
     * stock M2.1 session this does not finish; with the linear search it takes milliseconds.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void chainedDiamondsEvaluateAndDifferentiateInLinearTime() {
        LinearSubgraphSession.install();
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable w = sd.var("w", Nd4j.scalar(DataType.DOUBLE, 1.01));
        SDVariable h = x;
        for (int i = 0; i < 40; i++) {
            SDVariable[] parts = sd.unstack(h.mul(w), 1, 3);
            h = sd.stack(1, parts[2], parts[0], parts[1]);
        }
        h.sum().rename("loss");
        sd.setLossVariables("loss");
        INDArray in = Nd4j.createFromArray(new double[][] {{1, 2, 3}});
        double loss = sd.output(Map.of("x", in), "loss").get("loss").getDouble(0);
        // the permutations keep the sum: loss = 6 · 1.01^40, d loss/dw = 40 · 6 · 1.01^39
        assertEquals(6 * Math.pow(1.01, 40), loss, 1e-12);
        double g = sd.calculateGradients(Map.of("x", in), List.of("w")).get("w").getDouble(0);
        assertEquals(40 * 6 * Math.pow(1.01, 39), g, 1e-10);
    }
}
