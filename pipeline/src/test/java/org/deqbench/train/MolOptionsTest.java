package org.deqbench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deqbench.nn.ConvNet;
import org.deqbench.nn.ConvolutionNormBound;
import org.deqbench.nn.ConvolutionOperator;
import org.deqbench.spec.LipschitzSpec;
import org.deqbench.spec.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** MOL's options that follow the official code: magnitude loss, official ascent, λ's own step. */
class MolOptionsTest {

    /**
     * The magnitude MSE's gradient against central differences in float64 (step 1e-6, error
     * O(h²) ≈ 1e-12 against values ~1e-2: 1e-6 relative is far above rounding and far below a
     * wrong formula), at a point with no zero magnitudes.
     */
    @Test
    void magnitudeLossGradientMatchesFiniteDifferences() {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 2, 4, 5);
        INDArray g = Nd4j.randn(DataType.DOUBLE, 2, 2, 4, 5);
        MolModel.Loss l = MolModel.magnitudeMse(x, g);
        double h = 1e-6;
        for (int k = 0; k < x.length(); k += 7) {
            INDArray plus = x.dup();
            plus.putScalar(k, x.getDouble(k) + h);
            INDArray minus = x.dup();
            minus.putScalar(k, x.getDouble(k) - h);
            double fd = (MolModel.magnitudeMse(plus, g).value() - MolModel.magnitudeMse(minus, g).value()) / (2 * h);
            double an = l.gradient().getDouble(k);
            assertEquals(fd, an, 1e-6 * Math.max(Math.abs(fd), 1e-3), "entry " + k);
        }
        // a phase change of x alone leaves the magnitude loss unchanged, unlike the channel MSE
        INDArray rotated = Nd4j.concat(1, x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2)).neg(), x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)));
        assertEquals(l.value(), MolModel.magnitudeMse(rotated, g).value(), 1e-12);
    }

    /**
     * Both ascents give a local ratio ‖H(v) − H(u)‖/‖v − u‖, which can never exceed the proven
     * global Lipschitz bound of H; both find a positive ratio.
     */
    @Test
    void localAndOfficialAscentsStayBelowTheProvenBound() {
        ConvNet h = ConvNet.create(new NetworkSpec(3, 6, 3, "relu", 0.9), 2, 2, 5, DataType.DOUBLE);
        double proven = ConvolutionNormBound.chain(h.layerOperators(8, 8).stream().map(ConvolutionOperator::weight)
                .toList(), h.activationLipschitz(), 8, 8);
        Nd4j.getRandom().setSeed(9);
        INDArray u = Nd4j.randn(DataType.DOUBLE, 2, 2, 8, 8);
        for (String ascent : LipschitzSpec.ASCENTS) {
            LipschitzSpec spec = new LipschitzSpec(null, null, null, 10, 0.01, ascent, 1.0);
            LocalLipschitzEstimate.Estimate e = LocalLipschitzEstimate.estimate(h, u, spec, 4);
            for (double l : e.perExample()) {
                assertTrue(l > 0 && l <= proven, ascent + ": estimate " + l + ", proven bound " + proven);
            }
        }
    }

    /**
     * Adam's first step moves every parameter by its learning rate (m̂/√v̂ = ±1): with
     * lambda_learning_rate 0.01 and learning_rate 1e-3, log λ moves by 0.01 and the weights by
     * 1e-3 (to 1e-6 relative, Adam's ε).
     */
    @Test
    void lambdaHasItsOwnLearningRate() {
        Map<String, INDArray> params = new LinkedHashMap<>();
        params.put("w", Nd4j.zeros(DataType.DOUBLE, 3));
        params.put(MolModel.LOG_LAMBDA, Nd4j.scalar(DataType.DOUBLE, Math.log(100)));
        Map<String, INDArray> grads = Map.of("w", Nd4j.createFromArray(0.5, -2.0, 1.0),
                MolModel.LOG_LAMBDA, Nd4j.scalar(DataType.DOUBLE, -0.3));
        new Adam().update(params, grads, 1e-3, Map.of(MolModel.LOG_LAMBDA, 0.01 / 1e-3));
        assertEquals(Math.log(100) + 0.01, params.get(MolModel.LOG_LAMBDA).getDouble(0), 1e-8);
        assertEquals(-1e-3, params.get("w").getDouble(0), 1e-9);
        assertEquals(1e-3, params.get("w").getDouble(1), 1e-9);
    }
}
