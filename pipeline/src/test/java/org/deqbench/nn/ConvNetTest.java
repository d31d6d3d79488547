package org.deqbench.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deqbench.spec.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ConvNetTest {
    /** Three layers so that two activations sit between convolutions; 4 channels, 8×8 images. */
    static ConvNet tiny(String activation, long seed) {
        NetworkSpec spec = new NetworkSpec(3, 4, 3, activation, null);
        return ConvNet.create(spec, 2, 2, seed, DataType.DOUBLE);
    }

    /**
     * Directional central differences (h = 1e-5) of ⟨N(x), v⟩ against J^T v for the input and each
     * parameter tensor. In double the truncation error is O(h²) ≈ 1e-10 and rounding ≈ 1e-11, so
     * 1e-6 leaves room for a ReLU kink within h of some pre-activation (rare).
     */
    @ParameterizedTest
    @ValueSource(strings = {"relu", "elu", "softplus"})
    void vjpMatchesFiniteDifferencesForInputAndEveryParameter(String activation) {
        ConvNet net = tiny(activation, 1);
        // Non-zero biases so the bias gradients are not checked at a special point.
        Map<String, INDArray> p = net.parameters();
        for (int l = 0; l < 3; l++) {
            p.put("b" + l, FiniteDifferences.gaussian(100 + l, p.get("b" + l).shape()).muli(0.1));
        }
        net.setParameters(p);
        INDArray x = FiniteDifferences.gaussian(2, 2, 2, 8, 8);
        INDArray v = FiniteDifferences.gaussian(3, 2, 2, 8, 8);
        ConvNet.Vjp vjp = net.vjp(x, v);
        assertArrayEquals(net.forward(x).ravel().toDoubleVector(), vjp.output().ravel().toDoubleVector(), 1e-12);

        double h = 1e-5;
        INDArray dx = FiniteDifferences.gaussian(4, x.shape());
        double fdInput = FiniteDifferences.directional(z -> FiniteDifferences.dot(net.forward(z), v), x, dx, h);
        double adInput = FiniteDifferences.dot(vjp.input(), dx);
        assertTrue(FiniteDifferences.relativeError(fdInput, adInput) <= 1e-6, "input: fd " + fdInput + " vjp " + adInput);

        assertEquals(net.parameters().keySet(), vjp.parameters().keySet());
        long seed = 10;
        for (String name : p.keySet()) {
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

    /**
     * The forward-mode tangent pass against central differences of N along t (h = 1e-5), and
     * ⟨J t, w⟩ = ⟨t, J^T w⟩ against the VJP (both exact: 1e-10 relative).
     */
    @ParameterizedTest
    @ValueSource(strings = {"relu", "elu", "softplus"})
    void jvpMatchesFiniteDifferencesAndTheVjp(String activation) {
        ConvNet net = tiny(activation, 12);
        INDArray x = FiniteDifferences.gaussian(13, 2, 2, 8, 8);
        INDArray t = FiniteDifferences.gaussian(14, 2, 2, 8, 8);
        INDArray w = FiniteDifferences.gaussian(15, 2, 2, 8, 8);
        INDArray jt = net.jvp(x, t);
        double h = 1e-5;
        INDArray fd = net.forward(x.add(t.mul(h))).sub(net.forward(x.sub(t.mul(h)))).divi(2 * h);
        double err = fd.sub(jt).norm2Number().doubleValue() / jt.norm2Number().doubleValue();
        assertTrue(err <= 1e-6, "JVP vs finite differences: " + err);
        double left = FiniteDifferences.dot(jt, w);
        double right = FiniteDifferences.dot(t, net.vjp(x, w).input());
        assertTrue(FiniteDifferences.relativeError(left, right) <= 1e-10, left + " vs " + right);
    }

    /** The NHWC graphs (the default) compute the same function and gradients as the NCHW one. */
    @Test
    void nhwcLayoutGivesTheSameOutputAndVjp() {
        ConvNet net = tiny("elu", 16);
        INDArray x = FiniteDifferences.gaussian(17, 2, 2, 8, 6);
        INDArray v = FiniteDifferences.gaussian(18, 2, 2, 8, 6);
        net.useLayouts(ConvNet.Layout.NCHW, ConvNet.Layout.NCHW);
        ConvNet.Vjp nchw = net.vjp(x, v);
        INDArray y = net.forward(x);
        net.useLayouts(ConvNet.Layout.NHWC, ConvNet.Layout.NHWC);
        ConvNet.Vjp nhwc = net.vjp(x, v);
        assertArrayEquals(y.ravel().toDoubleVector(), net.forward(x).ravel().toDoubleVector(), 1e-12);
        assertArrayEquals(nchw.input().ravel().toDoubleVector(), nhwc.input().ravel().toDoubleVector(), 1e-12);
        for (String name : nchw.parameters().keySet()) {
            assertArrayEquals(nchw.parameters().get(name).ravel().toDoubleVector(),
                    nhwc.parameters().get(name).ravel().toDoubleVector(), 1e-12, name);
        }
    }

    @Test
    void buildSharesParametersAcrossCallsAndWithTheNetwork() {
        ConvNet net = tiny("relu", 5);
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("x", DataType.DOUBLE, -1, 2, -1, -1);
        // Two unrolled applications share one set of variables.
        SDVariable twice = net.build(sd, net.build(sd, in)).rename("twice");
        assertEquals(6, sd.variables().stream().filter(v -> v.name().startsWith(ConvNet.VARIABLE_PREFIX)).count());
        INDArray x = FiniteDifferences.gaussian(6, 1, 2, 8, 8);
        INDArray expected = net.forward(net.forward(x));
        assertArrayEquals(expected.ravel().toDoubleVector(), sd.output(Map.of("x", x), "twice").get("twice").ravel().toDoubleVector(), 1e-12);

        Map<String, INDArray> p = net.parameters();
        p.get("w0").muli(2);
        net.setParameters(p);
        INDArray after = net.forward(net.forward(x));
        assertTrue(after.sub(expected).norm2Number().doubleValue() > 1e-3, "parameters changed the output");
        assertArrayEquals(after.ravel().toDoubleVector(), sd.output(Map.of("x", x), "twice").get("twice").ravel().toDoubleVector(), 1e-12);
    }

    @Test
    void saveAndLoadReproduceTheNetwork(@TempDir Path dir) {
        ConvNet net = tiny("elu", 7);
        Map<String, INDArray> p = net.parameters();
        p.get("b1").addi(0.3);
        net.setParameters(p);
        net.save(dir);
        ConvNet loaded = ConvNet.load(dir);
        INDArray x = FiniteDifferences.gaussian(8, 2, 2, 8, 8);
        assertArrayEquals(net.forward(x).ravel().toDoubleVector(), loaded.forward(x).ravel().toDoubleVector(), 0.0);
        assertEquals(net.architecture(), loaded.architecture());
        assertEquals(DataType.DOUBLE, loaded.dataType());
    }

    @Test
    void defaultNetworkIsMolsFiveLayerCnn() {
        ConvNet net = ConvNet.create(NetworkSpec.DEFAULT, 2, 2, 0, DataType.FLOAT);
        // 2→64→64→64→64→2 with 3×3 kernels and biases.
        long expected = (9 * 2 * 64 + 64) + 3 * (9 * 64 * 64 + 64) + (9 * 64 * 2 + 2);
        assertEquals(expected, net.parameterCount());
        assertEquals(5, net.architecture().layers());
        INDArray y = net.forward(FiniteDifferences.gaussian(1, 1, 2, 16, 12).castTo(DataType.FLOAT));
        assertArrayEquals(new long[] {1, 2, 16, 12}, y.shape());
        assertEquals(DataType.FLOAT, y.dataType());
    }

    @Test
    void regularizingGradientNetworkMapsRealImagesToRealImages() {
        ConvNet g = ConvNet.createRegularizingGradient(new NetworkSpec(2, 4, 3, "relu", null), 1, DataType.DOUBLE);
        assertEquals(1, g.architecture().channelsIn());
        assertEquals(1, g.architecture().channelsOut());
        assertArrayEquals(new long[] {3, 1, 8, 8}, g.forward(FiniteDifferences.gaussian(1, 3, 1, 8, 8)).shape());
    }

    @Test
    void rejectsInputsWithTheWrongChannelCount() {
        ConvNet net = tiny("relu", 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.forward(FiniteDifferences.gaussian(1, 1, 3, 8, 8)));
        assertTrue(e.getMessage().contains("[B, 2, H, W]"), e.getMessage());
    }
}
