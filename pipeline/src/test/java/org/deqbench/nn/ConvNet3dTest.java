package org.deqbench.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
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

/** The 3D network ({@code [B, C, D, H, W]}, conv3d) on tiny volumes, in double precision. */
class ConvNet3dTest {
    /** Volumes of 3×5×4 voxels: unequal sizes, so a swapped axis cannot go unnoticed. */
    static final long[] VOLUME = {3, 5, 4};

    /** Three layers so that two activations sit between convolutions; 4 channels, 2 in and out. */
    static ConvNet tiny(String activation, long seed) {
        return ConvNet.create(new NetworkSpec(3, 4, 3, activation, null), 3, 2, 2, seed, DataType.DOUBLE);
    }

    static INDArray volumes(long seed, int batch, int channels) {
        return FiniteDifferences.gaussian(seed, batch, channels, VOLUME[0], VOLUME[1], VOLUME[2]);
    }

    /** Non-zero biases, so that bias handling and gradients are not checked at a special point. */
    static Map<String, INDArray> withBiases(ConvNet net, long seed) {
        Map<String, INDArray> p = net.parameters();
        for (int l = 0; l < net.architecture().layers(); l++) {
            p.put("b" + l, FiniteDifferences.gaussian(seed + l, p.get("b" + l).shape()).muli(0.1));
        }
        net.setParameters(p);
        return p;
    }

    @Test
    void architectureRecordsTheRankAndWeightsAreFiveDimensional() {
        ConvNet net = tiny("relu", 1);
        assertEquals(3, net.architecture().spatialDims());
        Map<String, INDArray> p = net.parameters();
        assertArrayEquals(new long[] {3, 3, 3, 2, 4}, p.get("w0").shape());
        assertArrayEquals(new long[] {3, 3, 3, 4, 4}, p.get("w1").shape());
        assertArrayEquals(new long[] {3, 3, 3, 4, 2}, p.get("w2").shape());
        assertEquals((27 * 2 * 4 + 4) + (27 * 4 * 4 + 4) + (27 * 4 * 2 + 2), net.parameterCount());
        assertEquals(1.0, net.activationLipschitz());
        assertEquals(2, tiny2d().architecture().spatialDims());
    }

    private static ConvNet tiny2d() {
        return ConvNet.create(new NetworkSpec(3, 4, 3, "relu", null), 2, 2, 1, DataType.DOUBLE);
    }

    /**
     * N(x) against the stack written out with loops ({@link DirectConvolution}): conv3d with
     * "same" zero padding and bias, φ between layers. Both sum the same ~200 products per output
     * in double, so they agree to rounding (1e-12 absolute on outputs of order 1).
     */
    @ParameterizedTest
    @ValueSource(strings = {"relu", "elu", "softplus"})
    void forwardMatchesADirectLoopImplementation(String activation) {
        ConvNet net = tiny(activation, 2);
        Map<String, INDArray> p = withBiases(net, 50);
        INDArray x = volumes(3, 2, 2);
        INDArray h = x;
        for (int l = 0; l < 3; l++) {
            h = DirectConvolution.conv3d(h, p.get("w" + l), p.get("b" + l));
            if (l < 2) {
                h = DirectConvolution.activate(h, activation);
            }
        }
        INDArray y = net.forward(x);
        assertArrayEquals(new long[] {2, 2, 3, 5, 4}, y.shape());
        assertArrayEquals(h.ravel().toDoubleVector(), y.ravel().toDoubleVector(), 1e-12);
        assertTrue(y.norm2Number().doubleValue() > 0.1, "a non-trivial output");
    }

    /**
     * Directional central differences (h = 1e-5) of ⟨N(x), v⟩ against J^T v for the input and
     * each parameter tensor, in double: truncation O(h²) ≈ 1e-10 and rounding ≈ 1e-11 relative,
     * so 1e-6 leaves room for a ReLU kink within h of some pre-activation (rare).
     */
    @ParameterizedTest
    @ValueSource(strings = {"relu", "elu", "softplus"})
    void vjpMatchesFiniteDifferencesForInputAndEveryParameter(String activation) {
        ConvNet net = tiny(activation, 4);
        Map<String, INDArray> p = withBiases(net, 60);
        INDArray x = volumes(5, 2, 2);
        INDArray v = volumes(6, 2, 2);
        ConvNet.Vjp vjp = net.vjp(x, v);
        assertArrayEquals(net.forward(x).ravel().toDoubleVector(), vjp.output().ravel().toDoubleVector(), 1e-12);
        assertArrayEquals(x.shape(), vjp.input().shape());

        double h = 1e-5;
        INDArray dx = volumes(7, 2, 2);
        double fdInput = FiniteDifferences.directional(z -> FiniteDifferences.dot(net.forward(z), v), x, dx, h);
        double adInput = FiniteDifferences.dot(vjp.input(), dx);
        assertTrue(FiniteDifferences.relativeError(fdInput, adInput) <= 1e-6, "input: fd " + fdInput + " vjp " + adInput);

        assertEquals(net.parameters().keySet(), vjp.parameters().keySet());
        long seed = 70;
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
     * The tangent pass against central differences of N along t (h = 1e-5; 1e-6 relative in the
     * norm, as in 2D), ⟨J t, w⟩ = ⟨t, J^T w⟩ against the VJP (both exact: 1e-10), and the Jacobian
     * Gram operator as J^T (J t).
     */
    @ParameterizedTest
    @ValueSource(strings = {"relu", "elu", "softplus"})
    void jvpMatchesFiniteDifferencesAndTheVjp(String activation) {
        ConvNet net = tiny(activation, 8);
        withBiases(net, 80);
        INDArray x = volumes(9, 2, 2);
        INDArray t = volumes(10, 2, 2);
        INDArray w = volumes(11, 2, 2);
        INDArray jt = net.jvp(x, t);
        assertArrayEquals(x.shape(), jt.shape());
        double h = 1e-5;
        INDArray fd = net.forward(x.add(t.mul(h))).sub(net.forward(x.sub(t.mul(h)))).divi(2 * h);
        double err = fd.sub(jt).norm2Number().doubleValue() / jt.norm2Number().doubleValue();
        assertTrue(err <= 1e-6, "JVP vs finite differences: " + err);
        double left = FiniteDifferences.dot(jt, w);
        double right = FiniteDifferences.dot(t, net.vjp(x, w).input());
        assertTrue(FiniteDifferences.relativeError(left, right) <= 1e-10, left + " vs " + right);
        INDArray gram = net.jacobianGram(x).apply(t);
        assertArrayEquals(net.vjp(x, jt).input().ravel().toDoubleVector(), gram.ravel().toDoubleVector(), 1e-12);
    }

    /** NDHWC and NCDHW graphs compute the same function and gradients (to double rounding). */
    @Test
    void channelsLastAndChannelsFirstLayoutsAgree() {
        ConvNet net = tiny("elu", 12);
        withBiases(net, 90);
        INDArray x = volumes(13, 2, 2);
        INDArray v = volumes(14, 2, 2);
        net.useLayouts(ConvNet.Layout.NCHW, ConvNet.Layout.NCHW);
        INDArray first = net.forward(x);
        ConvNet.Vjp firstVjp = net.vjp(x, v);
        net.useLayouts(ConvNet.Layout.NHWC, ConvNet.Layout.NHWC);
        INDArray last = net.forward(x);
        ConvNet.Vjp lastVjp = net.vjp(x, v);
        assertArrayEquals(first.ravel().toDoubleVector(), last.ravel().toDoubleVector(), 1e-12);
        assertArrayEquals(firstVjp.input().ravel().toDoubleVector(), lastVjp.input().ravel().toDoubleVector(), 1e-12);
        for (String name : firstVjp.parameters().keySet()) {
            assertArrayEquals(firstVjp.parameters().get(name).ravel().toDoubleVector(),
                    lastVjp.parameters().get(name).ravel().toDoubleVector(), 1e-12, name);
        }
    }

    /** {@link ConvNet#build} into another graph gives N on volumes too (unrolled methods use it). */
    @Test
    void buildIntoAnotherGraphMatchesForward() {
        ConvNet net = tiny("relu", 15);
        withBiases(net, 100);
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("x", DataType.DOUBLE, -1, 2, -1, -1, -1);
        net.build(sd, in).rename("y");
        INDArray x = volumes(16, 1, 2);
        assertArrayEquals(net.forward(x).ravel().toDoubleVector(),
                sd.output(Map.of("x", x), "y").get("y").ravel().toDoubleVector(), 1e-12);
    }

    /** Bit-identical outputs after a round trip through the files, for a plain and a spectral network. */
    @Test
    void saveAndLoadReproduceTheNetwork(@TempDir Path dir) {
        ConvNet net = tiny("softplus", 17);
        withBiases(net, 110);
        net.save(dir.resolve("plain"));
        ConvNet loaded = ConvNet.load(dir.resolve("plain"));
        INDArray x = volumes(18, 2, 2);
        assertEquals(net.architecture(), loaded.architecture());
        assertEquals(3, loaded.architecture().spatialDims());
        assertArrayEquals(net.forward(x).ravel().toDoubleVector(), loaded.forward(x).ravel().toDoubleVector(), 0.0);

        ConvNet spectral = ConvNet.createSpectral(new NetworkSpec(3, 4, 3, "relu", 0.5), 2, 2,
                new SpectralNormalization.Settings(0.5, VOLUME, 16, 16, 1e-6, 0.01), 19, DataType.DOUBLE);
        spectral.save(dir.resolve("spectral"));
        ConvNet reloaded = ConvNet.load(dir.resolve("spectral"));
        assertEquals(spectral.spectralNormalization().settings(), reloaded.spectralNormalization().settings());
        assertArrayEquals(VOLUME, reloaded.spectralNormalization().settings().spatialShape());
        assertArrayEquals(spectral.forward(x).ravel().toDoubleVector(), reloaded.forward(x).ravel().toDoubleVector(),
                0.0);
    }

    /**
     * A {@code network.json} of format version 1 (written before networks had a spatial rank: no
     * {@code spatial_dims}, spectral {@code height}/{@code width}) still loads, as a 2D network.
     */
    @Test
    void version1FilesLoadAsTwoDimensionalNetworks(@TempDir Path dir) throws IOException {
        ConvNet net = ConvNet.createSpectral(new NetworkSpec(3, 4, 3, "relu", 0.5), 2, 2, 6, 5, 20, DataType.DOUBLE);
        net.save(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode tree = (ObjectNode) json.readTree(dir.resolve("network.json").toFile());
        tree.put("format_version", 1);
        ((ObjectNode) tree.get("architecture")).remove("spatial_dims");
        ObjectNode spectral = (ObjectNode) tree.get("spectral");
        spectral.remove("spatial_shape");
        spectral.put("height", 6);
        spectral.put("width", 5);
        json.writeValue(dir.resolve("network.json").toFile(), tree);

        ConvNet loaded = ConvNet.load(dir);
        assertEquals(2, loaded.architecture().spatialDims());
        assertEquals(net.spectralNormalization().settings(), loaded.spectralNormalization().settings());
        INDArray x = FiniteDifferences.gaussian(21, 1, 2, 6, 5);
        assertArrayEquals(net.forward(x).ravel().toDoubleVector(), loaded.forward(x).ravel().toDoubleVector(), 0.0);
    }

    @Test
    void layerOperatorsActOnVolumes() {
        ConvNet net = tiny("relu", 22);
        List<ConvolutionOperator> ops = net.layerOperators(VOLUME);
        assertEquals(3, ops.size());
        assertArrayEquals(new long[] {1, 4, 3, 5, 4}, ops.get(1).domainShape());
        INDArray x = volumes(23, 1, 2);
        // The first layer's operator is the first convolution without its bias.
        assertArrayEquals(DirectConvolution.conv3d(x, net.parameters().get("w0"), null).ravel().toDoubleVector(),
                ops.get(0).apply(x).ravel().toDoubleVector(), 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.layerOperators(5, 4));
        assertTrue(e.getMessage().contains("{D, H, W}"), e.getMessage());
    }

    @Test
    void rejectsImagesAndNamesTheExpectedShape() {
        ConvNet net = tiny("relu", 24);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.forward(FiniteDifferences.gaussian(1, 1, 2, 8, 8)));
        assertTrue(e.getMessage().contains("[B, 2, D, H, W]"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ConvNet.create(new NetworkSpec(3, 4, 3, "relu", null), 4, 2, 2, 1, DataType.DOUBLE));
    }

    @Test
    void elderRejectsThreeDimensionalNetworksWithAClearMessage() {
        ConvNet net = tiny("elu", 25);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ElderRegularizer(net));
        assertTrue(e.getMessage().contains("2D networks") && e.getMessage().contains("3D network"), e.getMessage());
    }
}
