package org.deqbench.recon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.jtransforms.fft.DoubleFFT_1D;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MriGraphTest {
    static final DataType D = DataType.DOUBLE;

    /** Graph with outputs ax, ahy, ahax for placeholders x, y, maps, mask. */
    static SameDiff graph(int coils, int h, int w) {
        LinearSubgraphSession.install();
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", D, -1, 2, h, w);
        SDVariable y = sd.placeHolder("y", D, -1, coils, 2, h, w);
        SDVariable maps = sd.placeHolder("maps", D, -1, coils, 2, h, w);
        SDVariable mask = sd.placeHolder("mask", D, -1, h, w);
        MriGraph mri = new MriGraph(sd, maps, mask, coils, h, w, D);
        mri.forward(x).rename("ax");
        mri.adjoint(y).rename("ahy");
        mri.normal(x).rename("ahax");
        return sd;
    }

    @Test
    void adjointMatchesForwardOnRandomMapsMasksAndOddSizes() {
        for (int[] size : new int[][] {{8, 8}, {7, 10}}) {
            int c = 2;
            int h = size[0];
            int w = size[1];
            Nd4j.getRandom().setSeed(5);
            INDArray x = Nd4j.randn(D, 3, 2, h, w);
            INDArray y = Nd4j.randn(D, 3, c, 2, h, w);
            INDArray maps = Nd4j.randn(D, 3, c, 2, h, w);
            INDArray mask = Nd4j.rand(D, 3, h, w).gt(0.5).castTo(D);
            Map<String, INDArray> out = graph(c, h, w).output(Map.of("x", x, "y", y, "maps", maps, "mask", mask),
                    "ax", "ahy", "ahax");
            double lhs = out.get("ax").mul(y).sumNumber().doubleValue();
            double rhs = x.mul(out.get("ahy")).sumNumber().doubleValue();
            // double precision sums of ~1e3 terms of size ~1: agreement to 1e-10 relative
            assertEquals(lhs, rhs, 1e-10 * Math.abs(lhs) + 1e-10, "⟨Ax, y⟩ vs ⟨x, A^H y⟩ at " + h + "x" + w);
            double nx = x.mul(out.get("ahax")).sumNumber().doubleValue();
            double ax2 = out.get("ax").mul(out.get("ax")).sumNumber().doubleValue();
            assertEquals(ax2, nx, 1e-10 * ax2, "⟨x, A^H A x⟩ = ‖Ax‖²");
        }
    }

    @Test
    void graphOperatorEqualsTheJTransformsOperatorOfThePhysicsPackage() {
        for (int[] size : new int[][] {{8, 8}, {9, 6}}) {
            int c = 2;
            int h = size[0];
            int w = size[1];
            Nd4j.getRandom().setSeed(11);
            INDArray x = Nd4j.randn(D, 2, 2, h, w);
            INDArray y = Nd4j.randn(D, 2, c, 2, h, w);
            INDArray maps = Nd4j.randn(D, 2, c, 2, h, w);
            INDArray mask = Nd4j.rand(D, 2, h, w).gt(0.5).castTo(D);
            org.deqbench.physics.MultiCoilMri ref = new org.deqbench.physics.MultiCoilMri(maps, mask);
            Map<String, INDArray> out = graph(c, h, w).output(Map.of("x", x, "y", y, "maps", maps, "mask", mask),
                    "ax", "ahy", "ahax");
            // both in float64: equal to rounding of O(H + W)-term sums (FFT vs dense DFT)
            assertEquals(0, out.get("ax").sub(ref.apply(x)).norm2Number().doubleValue(), 1e-11 * ref.apply(x).norm2Number().doubleValue());
            assertEquals(0, out.get("ahy").sub(ref.adjoint(y)).norm2Number().doubleValue(), 1e-11 * ref.adjoint(y).norm2Number().doubleValue());
            assertEquals(0, out.get("ahax").sub(ref.normal(x)).norm2Number().doubleValue(), 1e-11 * ref.normal(x).norm2Number().doubleValue());
            assertEquals(0, ref.coilMaps().sub(maps).norm2Number().doubleValue(), 0.0);
            assertEquals(0, ref.masks().sub(mask).norm2Number().doubleValue(), 0.0);
        }
    }

    @Test
    void fullySampledSingleCoilWithUnitMapIsUnitary() {
        int h = 6;
        int w = 9;
        INDArray x = Nd4j.randn(D, 2, 2, h, w);
        INDArray maps = Nd4j.zeros(D, 2, 1, 2, h, w);
        maps.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.point(0)).assign(1);
        INDArray mask = Nd4j.ones(D, 2, h, w);
        Map<String, INDArray> out = graph(1, h, w).output(Map.of("x", x, "y", Nd4j.zeros(D, 2, 1, 2, h, w),
                "maps", maps, "mask", mask), "ax", "ahax");
        // F^H F = I and ‖F x‖ = ‖x‖ to double rounding
        assertEquals(0, out.get("ahax").sub(x).norm2Number().doubleValue(), 1e-12 * x.norm2Number().doubleValue());
        assertEquals(x.norm2Number().doubleValue(), out.get("ax").norm2Number().doubleValue(), 1e-12 * x.norm2Number().doubleValue());
    }

    @Test
    void dftMatrixIsTheCentredOrthonormalFftOfJTransforms() {
        for (int n : new int[] {8, 9}) {
            INDArray[] d = MriGraph.centredDft(n, D);
            java.util.Random r = new java.util.Random(n);
            double[] xr = new double[n];
            double[] xi = new double[n];
            for (int i = 0; i < n; i++) {
                xr[i] = r.nextGaussian();
                xi[i] = r.nextGaussian();
            }
            // fftshift(fft(ifftshift(x))) / √n with numpy's shift conventions
            double[] buf = new double[2 * n];
            for (int m = 0; m < n; m++) {
                int src = (m + n / 2) % n; // ifftshift
                buf[2 * m] = xr[src];
                buf[2 * m + 1] = xi[src];
            }
            new DoubleFFT_1D(n).complexForward(buf);
            for (int k = 0; k < n; k++) {
                int j = Math.floorMod(k - n / 2, n); // fftshift
                double er = buf[2 * j] / Math.sqrt(n);
                double ei = buf[2 * j + 1] / Math.sqrt(n);
                double gr = 0;
                double gi = 0;
                for (int i = 0; i < n; i++) {
                    double ar = d[0].getDouble(k, i);
                    double ai = d[1].getDouble(k, i);
                    gr += ar * xr[i] - ai * xi[i];
                    gi += ar * xi[i] + ai * xr[i];
                }
                assertEquals(er, gr, 1e-12, "n=" + n + " k=" + k);
                assertEquals(ei, gi, 1e-12, "n=" + n + " k=" + k);
            }
        }
    }
}
