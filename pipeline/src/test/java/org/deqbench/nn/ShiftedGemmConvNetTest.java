package org.deqbench.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * The shifted-gemm path ({@link ShiftedGemmConvNet}) against the oneDNN path it stands beside
 * ({@link DirectConvNet}, channels first): forward pass, input gradient and every parameter
 * gradient, on odd image sizes, batches above 1, 1- and 2-channel first layers, kernels 1, 3 and
 * 5, 2D and 3D, float32 and float64.
 */
class ShiftedGemmConvNetTest {
    /**
     * Relative tolerance ‖gemm − oneDNN‖ / ‖oneDNN‖ per array: both compute the same sums in
     * another order, so they differ by float rounding — 1e-5 in float32 (unit roundoff 6e-8 times
     * sums of a few hundred terms), 1e-10 in float64. A wrong tap offset, an unflipped kernel in
     * the input gradient or padding left non-zero is off by O(1).
     */
    static double tolerance(DataType dtype) {
        return dtype == DataType.DOUBLE ? 1e-10 : 1e-5;
    }

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (DataType dtype : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (int channels : new int[] {1, 2}) {
                for (String activation : new String[] {"relu", "elu", "softplus"}) {
                    b.add(Arguments.of(2, 3, activation, channels, dtype));
                }
                b.add(Arguments.of(3, 3, "relu", channels, dtype));
            }
            b.add(Arguments.of(2, 5, "elu", 2, dtype));
            b.add(Arguments.of(2, 1, "softplus", 1, dtype));
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0}D k={1} {2} Cin={3} {4}")
    @MethodSource("cases")
    void gemmPathEqualsTheOneDnnPath(int spatialDims, int kernel, String activation, int channels, DataType dtype) {
        ConvNet net = ConvNet.create(new NetworkSpec(3, 6, kernel, activation, null), spatialDims, channels,
                channels, 11, dtype);
        Map<String, INDArray> p = net.parameters();
        for (int l = 0; l < 3; l++) {
            // non-zero biases: a bias added on the padding would then show
            p.put("b" + l, FiniteDifferences.gaussian(20 + l, p.get("b" + l).shape()).muli(0.1).castTo(dtype));
        }
        net.setParameters(p);
        long[] shape = spatialDims == 2 ? new long[] {3, channels, 7, 5} : new long[] {2, channels, 3, 5, 4};
        INDArray x = FiniteDifferences.gaussian(3, shape).castTo(dtype);
        INDArray v = FiniteDifferences.gaussian(4, shape).castTo(dtype);

        net.usePaths(ConvolutionPath.NCHW, ConvolutionPath.NCHW);
        INDArray forward = net.forward(x);
        ConvNet.Vjp expected = net.vjp(x, v);
        net.usePaths(ConvolutionPath.GEMM, ConvolutionPath.GEMM);
        ConvNet.Vjp actual = net.vjp(x, v);

        double tol = tolerance(dtype);
        FiniteDifferences.assertRelativeClose(forward, net.forward(x), tol, "forward");
        FiniteDifferences.assertRelativeClose(expected.output(), actual.output(), tol, "VJP output");
        FiniteDifferences.assertRelativeClose(expected.input(), actual.input(), tol, "input gradient");
        assertEquals(expected.parameters().keySet(), actual.parameters().keySet());
        for (String name : expected.parameters().keySet()) {
            FiniteDifferences.assertRelativeClose(expected.parameters().get(name), actual.parameters().get(name), tol, name);
        }
    }

    /**
     * The input gradient reads tap t̄ where the forward pass reads tap t; that is the adjoint only
     * if o_t + o_{t̄} = 2c for every tap, and every view stays inside the buffer. Exact integers.
     */
    @Test
    void tapOffsetsPairUpAroundTheKernelCentre() {
        for (ShiftedGemmConvNet.Grid grid : new ShiftedGemmConvNet.Grid[] {
                new ShiftedGemmConvNet.Grid(3, new long[] {7, 5}, 3),
                new ShiftedGemmConvNet.Grid(2, new long[] {3, 5, 4}, 3),
                new ShiftedGemmConvNet.Grid(1, new long[] {6, 9}, 5)}) {
            int taps = grid.taps();
            assertEquals(grid.centre(), grid.offset(taps / 2), "the middle tap is the centre");
            for (int t = 0; t < taps; t++) {
                assertEquals(2 * grid.centre(), grid.offset(t) + grid.offset(taps - 1 - t), "tap " + t);
                assertTrue(grid.offset(t) + grid.rows() <= grid.length(), "tap " + t + " view inside the buffer");
            }
            assertEquals(0, grid.offset(0));
        }
    }
}
