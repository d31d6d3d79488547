package org.deqbench.recon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deqbench.nn.ConvNet;
import org.deqbench.physics.Inpainting;
import org.deqbench.physics.LinearOperator;
import org.deqbench.physics.MultiCoilMri;
import org.deqbench.spec.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ELDER's minimisation and its implicit gradients, in double precision, on the real multi-coil MRI
 * operator and on inpainting (whose A has a null space that only R constrains).
 */
class ElderReconstructorTest {
    static final DataType D = DataType.DOUBLE;
    static final int H = 8;
    static final int W = 8;

    /** A smooth (softplus) 2-layer 4-channel N with non-zero biases. */
    static ConvNet network(int channels, long seed) {
        ConvNet net = ConvNet.create(new NetworkSpec(2, 4, 3, "softplus", null), channels, channels, seed, D);
        Map<String, INDArray> p = net.parameters();
        p.replaceAll((k, v) -> k.startsWith("w") ? v.mul(0.5) : v.add(0.05));
        net.setParameters(p);
        return net;
    }

    // the descent targets ‖∇F‖ ≤ 1e-8 ‖A^H b‖ and reaches 1e-8..1e-7 (a line search on F resolves
    // decreases only down to ‖∇F‖ ≈ 1e-8 relative in double: ElderReconstructor.RESOLVED_DECREASE);
    // CG on H u = g runs to 1e-12. With h = 1e-3 central differences carry O(h²) ≈ 1e-6
    // truncation and up to ~1e-7/h = 1e-4 solver noise relative to O(1) derivatives, so 1e-3
    // relative separates a right gradient from a wrong one (a missing term or a wrong sign is off
    // by O(1))
    static final ElderReconstructor.Settings TIGHT = new ElderReconstructor.Settings(2000, 1e-8, 500, 1e-12);

    /**
     * ∂ℓ/∂θ (a weight of each layer and a bias), ∂ℓ/∂τ and ∂ℓ/∂b for ℓ = ⟨x*, v⟩ against central
     * differences of re-solved minimisers; relative tolerance 1e-3 (see {@link #TIGHT}).
     */
    @Test
    void implicitGradientsMatchFiniteDifferencesOfTheMinimiser() {
        ConvNet net = network(2, 3);
        MultiCoilMri op = DeqReconstructorTest.operator();
        INDArray truth = Nd4j.randn(D, 2, 2, H, W);
        INDArray b = op.apply(truth).addi(Nd4j.randn(D, 2, 2, 2, H, W).muli(0.05)
                .muli(op.masks().reshape(2, 1, 1, H, W)));
        INDArray v = Nd4j.randn(D, 2, 2, H, W);
        double lambda = 2.0;
        ElderReconstructor elder = new ElderReconstructor(net, lambda, TIGHT);
        ElderReconstructor.Forward f = elder.forward(b, op);
        for (int i = 0; i < 2; i++) {
            assertTrue(f.stationarity()[i] <= 1e-7, "forward example " + i + ": stationarity " + f.stationarity()[i]
                    + " after " + f.iterations()[i] + " steps");
        }
        ElderReconstructor.Backward g = elder.backward(f, v);
        assertTrue(g.solve().converged(), "backward " + g.solve());
        double h = 1e-3;

        double tau = 1 / lambda;
        double up = loss(new ElderReconstructor(net, 1 / (tau + h), TIGHT), b, op, v);
        double down = loss(new ElderReconstructor(net, 1 / (tau - h), TIGHT), b, op, v);
        assertClose((up - down) / (2 * h), g.tau(), "τ");

        for (String name : new String[] {"w0", "w1", "b0"}) {
            INDArray grad = g.parameters().get(name);
            long index = Math.min(5, grad.length() - 1);
            Map<String, INDArray> p = net.parameters();
            double orig = p.get(name).getDouble(index);
            p.get(name).putScalar(index, orig + h);
            net.setParameters(p);
            double pu = loss(elder, b, op, v);
            p.get(name).putScalar(index, orig - h);
            net.setParameters(p);
            double pd = loss(elder, b, op, v);
            p.get(name).putScalar(index, orig);
            net.setParameters(p);
            assertClose((pu - pd) / (2 * h), grad.getDouble(index), name + "[" + index + "]");
        }

        // measurements along a random direction of the sampled entries
        INDArray d = Nd4j.randn(D, b.shape()).muli(op.masks().reshape(2, 1, 1, H, W));
        double bu = loss(elder, b.add(d.mul(h)), op, v);
        double bd = loss(elder, b.sub(d.mul(h)), op, v);
        assertClose((bu - bd) / (2 * h), g.measurements().mul(d).sumNumber().doubleValue(), "b along d");
        assertEquals(g.measurements(), elder.measurementVjp(b, op, v));
    }

    /**
     * The objective never increases between consecutive iterations on any image, the final value
     * is F at the returned x (recomputed independently: ½‖Ax − b‖² + τ·½‖x − N(x)‖² from the
     * operator and network), and every image reaches stationarity ‖∇F‖ ≤ 1e-6‖A^H b‖ (from
     * about 1 at x₀ = A^H b; the solver's own target is 1e-8) — on
     * inpainting, where 40 % of the pixels are seen only through R.
     */
    @Test
    void objectiveDecreasesMonotonicallyToAStationaryPoint() {
        ConvNet net = network(1, 4);
        int n = 3;
        Nd4j.getRandom().setSeed(21);
        INDArray masks = Nd4j.rand(D, n, H, W).gt(0.4).castTo(D);
        LinearOperator op = new Inpainting(masks, 1);
        INDArray b = op.apply(Nd4j.rand(D, n, 1, H, W)).addi(Nd4j.randn(D, n, 1, H, W).muli(0.02));
        ElderReconstructor elder = new ElderReconstructor(net, 5.0, new ElderReconstructor.Settings(3000, 1e-8, 10, 1e-6));
        ElderReconstructor.Forward f = elder.forward(b, op);
        for (int i = 0; i < n; i++) {
            double[] trace = f.objective().get(i);
            assertEquals(f.iterations()[i] + 1, trace.length, "one value per iterate");
            assertTrue(trace.length > 2, "image " + i + " took steps");
            for (int k = 1; k < trace.length; k++) {
                assertTrue(trace[k] <= trace[k - 1], "image " + i + ": F rose at step " + k + ": " + trace[k - 1]
                        + " -> " + trace[k]);
            }
            assertTrue(f.stationarity()[i] <= 1e-6, "image " + i + " stationarity " + f.stationarity()[i]);
            INDArray xi = f.x().slice(i).reshape(1, 1, H, W);
            INDArray data = op.apply(f.x()).slice(i).sub(b.slice(i));
            INDArray reg = xi.sub(net.forward(xi));
            double expected = 0.5 * data.mul(data).sumNumber().doubleValue()
                    + elder.tau() * 0.5 * reg.mul(reg).sumNumber().doubleValue();
            assertEquals(expected, trace[trace.length - 1], 1e-12 * Math.abs(expected), "final F of image " + i);
            INDArray grad = elder.gradient(op, op.adjoint(b), f.x()).slice(i);
            assertTrue(grad.norm2Number().doubleValue() <= 1e-6 * op.adjoint(b).slice(i).norm2Number().doubleValue(),
                    "gradient at the returned x of image " + i);
        }
    }

    private static double loss(ElderReconstructor elder, INDArray b, LinearOperator op, INDArray v) {
        return elder.forward(b, op).x().mul(v).sumNumber().doubleValue();
    }

    private static void assertClose(double fd, double analytic, String what) {
        assertEquals(fd, analytic, 1e-3 * Math.max(1e-2, Math.abs(fd)), what + ": fd " + fd + " vs " + analytic);
    }
}
