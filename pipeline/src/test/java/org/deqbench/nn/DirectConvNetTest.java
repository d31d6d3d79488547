package org.deqbench.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Stream;
import org.deqbench.spec.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The op-by-op forward pass and VJP ({@link DirectConvNet}, what {@link ConvNet#forward} and
 * {@link ConvNet#vjp} run) against SameDiff's automatic differentiation of the same graph
 * ({@code calculateGradientsAndOutputs}, which differentiates each convolution with
 * {@code conv2d_bp}/{@code conv3dnew_bp}), on small shapes, every activation, every path (oneDNN
 * in both layouts, shifted gemms), 2D and 3D, float32 and float64.
 */
class DirectConvNetTest {
    /**
     * Relative tolerance ‖direct − graph‖ / ‖graph‖ per array: both sides run the same kernels on
     * the same data, so the differences are reassociation in sums (the bias gradients, the
     * session's loss gradient); 1e-5 in float32 (unit roundoff 6e-8 times sums of a few hundred
     * terms) and 1e-10 in float64. A wrong transposition, a missing activation derivative or a
     * gradient of the wrong layer is off by O(1).
     */
    static double tolerance(DataType dtype) {
        return dtype == DataType.DOUBLE ? 1e-10 : 1e-5;
    }

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (DataType dtype : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (String activation : new String[] {"relu", "elu", "softplus"}) {
                for (ConvolutionPath path : ConvolutionPath.values()) {
                    b.add(Arguments.of(2, activation, path, dtype));
                }
            }
            for (ConvolutionPath path : ConvolutionPath.values()) {
                b.add(Arguments.of(3, "relu", path, dtype));
            }
        }
        return b.build();
    }

    static ConvNet network(int spatialDims, String activation, DataType dtype) {
        ConvNet net = ConvNet.create(new NetworkSpec(3, 5, 3, activation, null), spatialDims, 2, 2, 7, dtype);
        Map<String, INDArray> p = net.parameters();
        for (int l = 0; l < 3; l++) {
            // non-zero biases, so that bias gradients and activation kinks sit at generic points
            p.put("b" + l, FiniteDifferences.gaussian(40 + l, p.get("b" + l).shape()).muli(0.1).castTo(dtype));
        }
        net.setParameters(p);
        return net;
    }

    static long[] shape(int spatialDims) {
        return spatialDims == 2 ? new long[] {2, 2, 9, 7} : new long[] {2, 2, 4, 6, 5};
    }

    @ParameterizedTest(name = "{0}D {1} {2} {3}")
    @MethodSource("cases")
    void directVjpEqualsSameDiffGradients(int spatialDims, String activation, ConvolutionPath path,
                                          DataType dtype) {
        ConvNet.Layout layout = path.layout();
        ConvNet net = network(spatialDims, activation, dtype);
        INDArray x = FiniteDifferences.gaussian(1, shape(spatialDims)).castTo(dtype);
        INDArray v = FiniteDifferences.gaussian(2, shape(spatialDims)).castTo(dtype);
        net.usePaths(path, path);
        // a call on other data first, so that the intermediate arrays the network keeps between
        // calls hold stale values: a kernel that accumulated into them instead of overwriting
        // would be caught below
        INDArray other = FiniteDifferences.gaussian(3, shape(spatialDims)).castTo(dtype).muli(5);
        net.vjp(other, other);
        net.forward(other);
        ConvNet.Vjp direct = net.vjp(x, v);
        ConvNet.Vjp graph = net.graphVjp(x, v, layout);
        double tol = tolerance(dtype);
        FiniteDifferences.assertRelativeClose(graph.output(), direct.output(), tol, "output");
        FiniteDifferences.assertRelativeClose(graph.output(), net.forward(x), tol, "forward");
        FiniteDifferences.assertRelativeClose(net.graphForward(x, layout), net.forward(x), tol, "forward against the graph");
        FiniteDifferences.assertRelativeClose(graph.input(), direct.input(), tol, "input gradient");
        assertEquals(graph.parameters().keySet(), direct.parameters().keySet());
        for (String name : graph.parameters().keySet()) {
            FiniteDifferences.assertRelativeClose(graph.parameters().get(name), direct.parameters().get(name), tol, name);
        }
    }

    /** The spectral variant maps the direct weight gradients to raw ones as the graph path does. */
    @Test
    void spectralVariantGradientsEqualTheGraphs() {
        ConvNet net = ConvNet.createSpectral(new NetworkSpec(3, 4, 3, "relu", 0.9), 2, 2, 8, 8, 3,
                DataType.DOUBLE);
        INDArray x = FiniteDifferences.gaussian(5, 1, 2, 8, 8);
        INDArray v = FiniteDifferences.gaussian(6, 1, 2, 8, 8);
        ConvNet.Vjp direct = net.vjp(x, v);
        ConvNet.Vjp graph = net.graphVjp(x, v, ConvNet.Layout.NCHW);
        for (String name : graph.parameters().keySet()) {
            FiniteDifferences.assertRelativeClose(graph.parameters().get(name), direct.parameters().get(name), 1e-10, name);
        }
    }

    /**
     * Two networks with the same architecture (a trained one and its reloaded copy) use the layout
     * chosen once per shape, so they agree exactly.
     */
    @Test
    void layoutChosenOncePerShapeIsSharedByEqualNetworks() {
        ConvNet a = network(2, "elu", DataType.FLOAT);
        ConvNet b = network(2, "elu", DataType.FLOAT);
        INDArray x = FiniteDifferences.gaussian(8, 3, 2, 10, 10).castTo(DataType.FLOAT);
        INDArray v = FiniteDifferences.gaussian(9, 3, 2, 10, 10).castTo(DataType.FLOAT);
        assertArrayEquals(a.forward(x).ravel().toFloatVector(), b.forward(x).ravel().toFloatVector(), 0f);
        assertArrayEquals(a.vjp(x, v).parameters().get("w1").ravel().toFloatVector(),
                b.vjp(x, v).parameters().get("w1").ravel().toFloatVector(), 0f);
        long chosen = LayoutChoice.made().stream()
                .filter(e -> e.getKey().architecture().equals(a.architecture()) && e.getKey().shape().get(0) == 3)
                .count();
        assertEquals(LayoutChoice.pinned() == null ? 2 : 0, chosen, "one forward and one VJP choice for the shape");
        // the measurement times the oneDNN paths only; the shifted gemms are used only when pinned
        LayoutChoice.made().stream()
                .filter(e -> e.getKey().architecture().equals(a.architecture()) && e.getKey().shape().get(0) == 3)
                .forEach(e -> {
                    assertEquals(java.util.Set.copyOf(LayoutChoice.MEASURED), e.getValue().millis().keySet(), "timed paths");
                    assertTrue(LayoutChoice.MEASURED.contains(e.getValue().path()), "chosen " + e.getValue().path());
                });
    }

    @Test
    void aMistypedPinnedLayoutIsRefusedWithThePropertyName() {
        String before = System.getProperty(LayoutChoice.PROPERTY);
        try {
            System.setProperty(LayoutChoice.PROPERTY, "nwhc");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, LayoutChoice::pinned);
            assertTrue(e.getMessage().contains(LayoutChoice.PROPERTY) && e.getMessage().contains("nwhc"),
                    e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(LayoutChoice.PROPERTY);
            } else {
                System.setProperty(LayoutChoice.PROPERTY, before);
            }
        }
    }
}
