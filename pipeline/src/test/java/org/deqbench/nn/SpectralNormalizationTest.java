package org.deqbench.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqbench.spec.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@ExtendWith(WithoutOneDnnHelpers.class)
class SpectralNormalizationTest {
    private static final NetworkSpec TINY = new NetworkSpec(3, 4, 3, "relu", 0.5);
    /** True operator norm of a layer: SVD of its explicit 256×256 matrix on 8×8 images. */
    private static double trueNorm(ConvolutionOperator op) {
        return DenseConvolution.norm(op);
    }

    private static double normProduct(ConvNet net) {
        double product = 1;
        for (ConvolutionOperator op : net.layerOperators(8, 8)) {
            product *= trueNorm(op);
        }
        return product;
    }

    /**
     * With 320 applications at creation (20 Lanczos cycles) each normalised layer's true norm
     * (SVD of its dense matrix) is c = L^{1/n} to 1e-4: the iteration's convergence on the
     * clustered top of a convolution's spectrum, not rounding, sets this tolerance.
     */
    @Test
    void everyLayerIsScaledToTheTargetShare() {
        ConvNet net = ConvNet.createSpectral(TINY, 2, 2,
                new SpectralNormalization.Settings(0.5, 8, 8, 320, 0, 1e-12, 0.0), 1, DataType.DOUBLE);
        double c = Math.pow(0.5, 1.0 / 3);
        assertEquals(c, net.spectralNormalization().layerScale(), 1e-15);
        for (ConvolutionOperator op : net.layerOperators(8, 8)) {
            assertEquals(c, trueNorm(op), 1e-4 * c);
        }
    }

    /**
     * Directional central differences (h = 1e-5) of ⟨N(x), v⟩ through W = c·V/σ(V) with
     * σ(V) = ‖C_V v‖ for the power-iteration vector v held fixed (maxIterations 0): the function
     * whose gradient the normalisation implements, and the gradient of the true σ_max once v has
     * converged. Smooth in V, so the double-precision bound of ConvNetTest (1e-6) applies.
     */
    @Test
    void vjpThroughTheNormalisationMatchesFiniteDifferences() {
        ConvNet net = ConvNet.createSpectral(TINY, 2, 2,
                new SpectralNormalization.Settings(0.5, 8, 8, 50, 0, 1e-7, 0.0), 2, DataType.DOUBLE);
        Map<String, INDArray> p = net.parameters();
        INDArray x = FiniteDifferences.gaussian(5, 2, 2, 8, 8);
        INDArray v = FiniteDifferences.gaussian(6, 2, 2, 8, 8);
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
        INDArray dx = FiniteDifferences.gaussian(30, x.shape());
        double fd = FiniteDifferences.directional(z -> FiniteDifferences.dot(net.forward(z), v), x, dx, h);
        assertTrue(FiniteDifferences.relativeError(fd, FiniteDifferences.dot(vjp.input(), dx)) <= 1e-6);
    }

    /**
     * Five float32 training steps with the default settings (200 iterations at creation, ≤ 10
     * warm-started per refresh, slack 1 %): each raw weight tensor moves by 2 % of its norm along
     * its negative gradient (the scale-free step size of Adam at lr 1e-3 to 1e-2), and the product
     * of the true layer norms (SVD) stays at or below the target L = 0.5, and within 2 % of it (the
     * normalisation is not vacuous). Much larger jumps of the weights between refreshes can exceed
     * what 10 warm-started iterations recover: the slack is a margin, not a proof.
     */
    @Test
    void layerNormProductStaysBelowTargetDuringTraining() {
        ConvNet net = ConvNet.createSpectral(TINY, 2, 2, 8, 8, 3, DataType.FLOAT);
        INDArray x = FiniteDifferences.gaussian(7, 2, 2, 8, 8).castTo(DataType.FLOAT);
        // A target the 0.5-Lipschitz network can approach: a scaled copy of the input.
        INDArray target = x.mul(0.3);
        INDArray w0 = net.parameters().get("w0");
        double before = normProduct(net);
        assertTrue(before <= 0.5 && before >= 0.5 * 0.98, "initial product " + before);
        double firstLoss = Double.NaN;
        double loss = Double.NaN;
        for (int step = 0; step < 5; step++) {
            // Loss ½‖N(x) − y‖²: cotangent N(x) − y.
            INDArray residual = net.forward(x).sub(target);
            loss = 0.5 * FiniteDifferences.dot(residual, residual);
            firstLoss = step == 0 ? loss : firstLoss;
            ConvNet.Vjp vjp = net.vjp(x, residual);
            Map<String, INDArray> p = net.parameters();
            for (String name : p.keySet()) {
                INDArray g = vjp.parameters().get(name);
                // Weights move 2 % of their norm, biases (which start at 0) by 0.01 in total.
                double length = name.startsWith("w") ? 0.02 * p.get(name).norm2Number().doubleValue() : 0.01;
                p.get(name).subi(g.mul(length / g.norm2Number().doubleValue()));
            }
            net.setParameters(p);
            double product = normProduct(net);
            assertTrue(product <= 0.5, "step " + step + ": product of layer norms " + product + " > 0.5");
            assertTrue(product >= 0.5 * 0.98, "step " + step + ": product " + product);
        }
        double moved = net.parameters().get("w0").sub(w0).norm2Number().doubleValue() / w0.norm2Number().doubleValue();
        assertTrue(moved > 0.05, "training changed the raw weights (relative change " + moved + ")");
        assertTrue(loss < firstLoss, "training reduced the loss: " + firstLoss + " -> " + loss);
    }

    @Test
    void saveAndLoadKeepTheNormalisedNetwork(@TempDir Path dir) {
        ConvNet net = ConvNet.createSpectral(TINY, 2, 2, 8, 8, 4, DataType.DOUBLE);
        net.save(dir);
        ConvNet loaded = ConvNet.load(dir);
        INDArray x = FiniteDifferences.gaussian(9, 1, 2, 8, 8);
        assertArrayEquals(net.forward(x).ravel().toDoubleVector(), loaded.forward(x).ravel().toDoubleVector(), 1e-12);
        assertArrayEquals(net.spectralNormalization().rawNorms(), loaded.spectralNormalization().rawNorms(), 1e-12);
        assertEquals(net.spectralNormalization().settings(), loaded.spectralNormalization().settings());
    }
}
