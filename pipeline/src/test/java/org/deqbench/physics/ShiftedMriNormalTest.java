package org.deqbench.physics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The shifted, interleaved A^H A of 2D and 2D+time MRI ({@link ShiftedMriNormal}) against
 * A^H(A x) through the exact, shifting {@code apply} and {@code adjoint}: on odd and even sizes
 * (where ifftshift and fftshift differ), with column-sampled masks (row transforms only) and
 * general masks (2D transforms), per-example and shared parameters. Tolerance 1e-12 relative in
 * double: both sides are the same exact operator, so only FFT round-off (~1e-15 per transform)
 * separates them.
 */
class ShiftedMriNormalTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("2D even, columns", 1, 6, 8, true, 2, 2),
                Arguments.of("2D odd, columns", 1, 7, 5, true, 2, 2),
                Arguments.of("2D even, general", 1, 8, 6, false, 2, 2),
                Arguments.of("2D odd, general", 1, 5, 9, false, 3, 3),
                Arguments.of("2D odd, shared parameters", 1, 5, 7, false, 1, 3),
                Arguments.of("2D+time even, columns", 3, 6, 4, true, 2, 2),
                Arguments.of("2D+time odd, general", 3, 5, 7, false, 2, 2),
                Arguments.of("2D+time odd, columns", 2, 7, 9, true, 1, 2),
                Arguments.of("2D prime row length 7, columns (rows convolved)", 1, 6, 7, true, 2, 2),
                Arguments.of("2D row length 58 = 2·29, columns (rows convolved)", 1, 4, 58, true, 1, 1),
                Arguments.of("2D+time row length 22 = 2·11, columns (rows convolved)", 2, 5, 22, true, 2, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fastNormalEqualsAdjointOfApplyInDouble(String name, int frames, int h, int w, boolean columns,
                                                int parameterSets, int batch) {
        Random rng = new Random(h * 31 + w * 7 + frames);
        MultiCoilMri a = operator(frames, h, w, columns, parameterSets, rng);
        INDArray x = OperatorRegistry.randomBatch(batch, a.domainShape(), rng, DataType.DOUBLE);
        INDArray direct = a.adjoint(a.apply(x));
        double scale = direct.norm2Number().doubleValue();

        INDArray viaNormal = a.normal(x);
        assertArrayEquals(direct.shape(), viaNormal.shape());
        double relNormal = direct.sub(viaNormal).norm2Number().doubleValue() / scale;
        assertTrue(relNormal <= 1e-12, name + ": ‖normal − A^H A‖ / ‖A^H A‖ = " + relNormal);

        // every row path: transforms (length W, or convolved through a power of two) and gemms
        for (ShiftedMriNormal.RowPath path : ShiftedMriNormal.RowPath.values()) {
            ShiftedMriNormal k = a.shiftedNormal(path);
            assertEquals(columns, k.rowTransformsOnly(),
                    "column-sampled masks take the row form, others the 2D one");
            boolean gemms = columns && (path == ShiftedMriNormal.RowPath.GEMM || path == ShiftedMriNormal.RowPath.AUTO
                    && ShiftedMriNormal.gemmCheaper(w, mostSampled(a, frames, h, w, parameterSets)));
            assertEquals(gemms, k.rowGemms(), path + ": rows through gemms");
            // rows whose length has a prime factor above 5 are convolved through a power-of-two transform
            int expected = columns && !gemms && ShiftedMriNormal.largestPrimeFactor(w) > 5
                    ? Integer.highestOneBit(2 * w - 1) << 1 : 0;
            assertEquals(expected, k.rowConvolutionLength(), path + ": convolution length");
            double[] u = k.load(x);
            double[] out = new double[u.length];
            k.normal(u, out);
            INDArray viaHost = k.store(out, DataType.DOUBLE);
            double relHost = direct.sub(viaHost).norm2Number().doubleValue() / scale;
            assertTrue(relHost <= 1e-12, name + ", " + path + ": ‖host normal − A^H A‖ / ‖A^H A‖ = " + relHost);
            // load and store are inverse permutations: the layout keeps every value and the norm
            assertEquals(0.0, k.store(u, DataType.DOUBLE).sub(x).norm2Number().doubleValue(), 0.0);
            assertEquals(x.norm2Number().doubleValue(), norm(u), 1e-12 * norm(u));
        }
    }

    /** The most sampled columns of any mask frame, counted on the masks' first rows. */
    private static int mostSampled(MultiCoilMri a, int frames, int h, int w, int sets) {
        INDArray masks = a.masks().reshape(sets * frames, h, w);
        int most = 0;
        for (int m = 0; m < sets * frames; m++) {
            int n = 0;
            for (int c = 0; c < w; c++) {
                n += masks.getDouble(m, 0, c) != 0 ? 1 : 0;
            }
            most = Math.max(most, n);
        }
        return most;
    }

    /**
     * In float32 the row gemms stay within 1e-5 relative of the double operator (inputs rounded to
     * float, about 1e-7 per value); without the gemms, or asked for double, the operator is itself.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void float32RowGemmsStayCloseToDouble(String name, int frames, int h, int w, boolean columns,
                                          int parameterSets, int batch) {
        Random rng = new Random(h * 17 + w * 3 + frames);
        MultiCoilMri a = operator(frames, h, w, columns, parameterSets, rng);
        ShiftedMriNormal k = a.shiftedNormal(ShiftedMriNormal.RowPath.GEMM);
        assertSame(k, k.inPrecision(DataType.DOUBLE));
        HostNormal f = k.inPrecision(DataType.FLOAT);
        if (!columns) {
            assertSame(k, f, name + ": without row gemms there is no float32 form");
            return;
        }
        double[] u = k.load(OperatorRegistry.randomBatch(batch, a.domainShape(), rng, DataType.DOUBLE));
        double[] exact = new double[u.length];
        double[] single = new double[u.length];
        k.normal(u, exact);
        f.normal(u, single);
        double rel = distance(single, exact) / norm(exact);
        assertTrue(rel <= 1e-5, name + ": ‖float32 − double‖ / ‖double‖ = " + rel);
        assertTrue(rel > 0, name + ": the float32 form rounds (else it is not float32)");
    }

    /**
     * The gemm path's cost rule picks gemms where few columns are sampled and transforms where many
     * are: at the 256×232 slice of the official brain data, 6× (39 columns) takes the gemms and a
     * fully sampled row (232) the transforms.
     */
    @org.junit.jupiter.api.Test
    void aRowPathPropertyOtherThanTheThreeIsRefused() {
        String old = System.getProperty(ShiftedMriNormal.RowPath.PROPERTY);
        System.setProperty(ShiftedMriNormal.RowPath.PROPERTY, "fft");
        try {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    ShiftedMriNormal.RowPath::fromProperty);
            assertTrue(e.getMessage().contains("auto, gemm or transform, found 'fft'"), e.getMessage());
            System.setProperty(ShiftedMriNormal.RowPath.PROPERTY, " Gemm ");
            assertEquals(ShiftedMriNormal.RowPath.GEMM, ShiftedMriNormal.RowPath.fromProperty());
        } finally {
            if (old == null) {
                System.clearProperty(ShiftedMriNormal.RowPath.PROPERTY);
            } else {
                System.setProperty(ShiftedMriNormal.RowPath.PROPERTY, old);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void gemmRuleFollowsTheSampledColumns() {
        assertTrue(ShiftedMriNormal.gemmCheaper(232, 39));
        assertTrue(!ShiftedMriNormal.gemmCheaper(232, 232));
        assertTrue(!ShiftedMriNormal.gemmCheaper(256, 256));
    }

    /**
     * The per-row Cholesky inverse of μ I + ν A^H A (column-sampled masks) undoes the matrix:
     * ‖M⁻¹(M u) − u‖ / ‖u‖ ≤ 1e-10 in double (M's condition number here is below 1e3, so
     * round-off stays far below that); general masks have no such inverse.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rowBlockInverseUndoesTheDataConsistencyMatrix(String name, int frames, int h, int w, boolean columns,
                                                       int parameterSets, int batch) {
        Random rng = new Random(h * 13 + w + frames);
        MultiCoilMri a = operator(frames, h, w, columns, parameterSets, rng);
        double mu = 0.05;
        double nu = 1.5;
        HostNormal k = a.hostNormal();
        HostNormal.Inverse inverse = k.inverse(mu, nu);
        if (!columns) {
            assertEquals(null, inverse, name + ": only column-sampled masks have the row-block inverse");
            return;
        }
        double[] u = k.load(OperatorRegistry.randomBatch(batch, a.domainShape(), rng, DataType.DOUBLE));
        double[] mu1 = new double[u.length];
        k.normal(u, mu1);
        for (int i = 0; i < u.length; i++) {
            mu1[i] = mu * u[i] + nu * mu1[i];
        }
        double[] back = new double[u.length];
        inverse.apply(mu1, back);
        double rel = distance(back, u) / norm(u);
        assertTrue(rel <= 1e-10, name + ": ‖M⁻¹ M u − u‖ / ‖u‖ = " + rel);
    }

    private static MultiCoilMri operator(int frames, int h, int w, boolean columns, int sets, Random rng) {
        int coils = 3;
        double[] maps = new double[sets * coils * 2 * h * w];
        for (int i = 0; i < maps.length; i++) {
            maps[i] = rng.nextGaussian();
        }
        double[] masks = new double[sets * frames * h * w];
        for (int m = 0; m < sets * frames; m++) {
            double[] one = columns ? Masks.cartesianColumns(h, w, 2, 0.2, rng) : randomMask(h, w, rng);
            System.arraycopy(one, 0, masks, m * h * w, h * w);
        }
        INDArray s = HostArrays.fromDouble(maps, new long[] {sets, coils, 2, h, w}, DataType.DOUBLE);
        if (frames == 1) {
            return new MultiCoilMri(s, HostArrays.fromDouble(masks, new long[] {sets, h, w}, DataType.DOUBLE));
        }
        return MultiCoilMri.dynamic(s, HostArrays.fromDouble(masks, new long[] {sets, frames, h, w}, DataType.DOUBLE));
    }

    /** A real-valued weight per k-space sample (not 0/1, to catch a misplaced weight). */
    private static double[] randomMask(int h, int w, Random rng) {
        double[] m = new double[h * w];
        for (int i = 0; i < m.length; i++) {
            m[i] = rng.nextDouble() < 0.4 ? 0.0 : 0.5 + rng.nextDouble();
        }
        return m;
    }

    /** ‖a − b‖₂. */
    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d * d;
        }
        return Math.sqrt(s);
    }
}
