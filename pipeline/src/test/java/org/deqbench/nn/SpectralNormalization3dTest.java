package org.deqbench.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqbench.spec.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** MOL-SN's normalisation of a 3D network on 3×5×4 volumes, checked against dense SVDs. */
@ExtendWith(WithoutOneDnnHelpers.class)
class SpectralNormalization3dTest {
    private static final NetworkSpec TINY = new NetworkSpec(3, 4, 3, "relu", 0.5);
    private static final long[] VOLUME = {3, 5, 4};
    private static double normProduct(ConvNet net) {
        double product = 1;
        for (ConvolutionOperator op : net.layerOperators(VOLUME)) {
            product *= DenseConvolution.norm(op);
        }
        return product;
    }

    /**
     * With 320 Lanczos applications at creation and no slack, every normalised layer's true norm
     * (SVD of its dense 240×240 matrix at most) is c = L^{1/3} to 1e-4 relative, and the product
     * is L = 0.5 to 3e-4 (the iteration's convergence, not rounding, sets these tolerances, as in
     * 2D).
     */
    @Test
    void everyLayerIsScaledToTheTargetShare() {
        ConvNet net = ConvNet.createSpectral(TINY, 2, 2,
                new SpectralNormalization.Settings(0.5, VOLUME, 320, 0, 1e-12, 0.0), 1, DataType.DOUBLE);
        assertEquals(3, net.architecture().spatialDims());
        double c = Math.pow(0.5, 1.0 / 3);
        for (ConvolutionOperator op : net.layerOperators(VOLUME)) {
            assertEquals(c, DenseConvolution.norm(op), 1e-4 * c);
        }
        assertEquals(0.5, normProduct(net), 3e-4 * 0.5);
    }

    /**
     * The default settings (1 % slack) through {@link ConvNet#createSpectral(NetworkSpec, int, int,
     * long[], long, DataType)}: the product of true layer norms is at most the target and within
     * 2 % of it.
     */
    @Test
    void defaultSettingsKeepTheProductJustBelowTheTarget() {
        ConvNet net = ConvNet.createSpectral(TINY, 2, 2, VOLUME, 2, DataType.DOUBLE);
        double product = normProduct(net);
        assertTrue(product <= 0.5 && product >= 0.5 * 0.98, "product of layer norms " + product);
    }

    /**
     * Directional central differences (h = 1e-5) of ⟨N(x), v⟩ through W = c·V/σ(V), the power
     * vector held fixed (maxIterations 0), against the VJP's raw-weight gradients: smooth in V, so
     * the double-precision bound 1e-6 of the unconstrained network applies.
     */
    @Test
    void vjpThroughTheNormalisationMatchesFiniteDifferences() {
        ConvNet net = ConvNet.createSpectral(TINY, 2, 2,
                new SpectralNormalization.Settings(0.5, VOLUME, 50, 0, 1e-7, 0.0), 3, DataType.DOUBLE);
        Map<String, INDArray> p = net.parameters();
        INDArray x = FiniteDifferences.gaussian(4, 2, 2, 3, 5, 4);
        INDArray v = FiniteDifferences.gaussian(5, 2, 2, 3, 5, 4);
        ConvNet.Vjp vjp = net.vjp(x, v);
        double h = 1e-5;
        long seed = 20;
        for (String name : List.of("w0", "w1", "w2", "b1")) {
            INDArray d = FiniteDifferences.gaussian(seed++, p.get(name).shape());
            double fd = FiniteDifferences.directional(theta -> {
                Map<String, INDArray> q = new LinkedHashMap<>(p);
                q.put(name, theta);
                net.setParameters(q);
                return FiniteDifferences.dot(net.forward(x), v);
            }, p.get(name), d, h);
            net.setParameters(p);
            double ad = FiniteDifferences.dot(vjp.parameters().get(name), d);
            assertTrue(FiniteDifferences.relativeError(fd, ad) <= 1e-6, name + ": fd " + fd + " vjp " + ad);
        }
    }
}
