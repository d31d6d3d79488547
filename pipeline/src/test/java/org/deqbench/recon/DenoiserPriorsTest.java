package org.deqbench.recon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deqbench.nn.ConvNet;
import org.deqbench.physics.Identity;
import org.deqbench.physics.LinearOperator;
import org.deqbench.physics.MultiCoilMri;
import org.deqbench.spec.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Plug-and-play and RED with a fixed CNN denoiser, in double precision: their measurement
 * vector-Jacobian products (a backward sweep through the iterations run) against central
 * differences of the reconstruction map, the RED iteration against its defining update, and the
 * divergence guard.
 */
class DenoiserPriorsTest {
    static final DataType D = DataType.DOUBLE;

    static ConvNet denoiser(double weightScale) {
        ConvNet net = ConvNet.create(new NetworkSpec(2, 4, 3, "softplus", null), 2, 2, 13, D);
        var p = net.parameters();
        p.replaceAll((k, v) -> k.startsWith("w") ? v.mul(weightScale) : v.add(0.02));
        net.setParameters(p);
        return net;
    }

    /**
     * ⟨(∂f/∂b)^T v, d⟩ against (⟨f(b + hd), v⟩ − ⟨f(b − hd), v⟩)/2h with h = 1e-5, 12 iterations
     * (the tolerance 1e-30 is never met, so both sides run the same map): the map is a smooth
     * composition, so truncation O(h²) ≈ 1e-10 and rounding ≈ 1e-16/h ≈ 1e-11; 1e-6 relative.
     */
    @Test
    void measurementVjpsMatchFiniteDifferences() {
        MultiCoilMri op = DeqReconstructorTest.operator();
        INDArray b = op.apply(Nd4j.randn(D, 2, 2, 8, 8));
        INDArray v = Nd4j.randn(D, 2, 2, 8, 8);
        INDArray d = Nd4j.randn(D, b.shape());
        for (Reconstructor.Differentiable f : new Reconstructor.Differentiable[] {
                new PlugAndPlay(denoiser(0.3), 12, 1e-30), new RegularizationByDenoising(denoiser(0.3), 0.5, 12, 1e-30)}) {
            double h = 1e-5;
            double fd = (inner(f.reconstruct(b.add(d.mul(h)), op), v) - inner(f.reconstruct(b.sub(d.mul(h)), op), v)) / (2 * h);
            double vjp = inner(f.measurementVjp(b, op, v), d);
            assertEquals(fd, vjp, 1e-6 * Math.abs(fd), f.getClass().getSimpleName() + ": fd " + fd + " vs " + vjp);
        }
    }

    /**
     * RED's iterate after one step is x₀ − γ(A^H(Ax₀ − b) + λ(x₀ − D(x₀))) with x₀ = A^H b and
     * γ = 1/(‖A‖² + 2λ) (‖A‖ ≤ 1 proven for normalised coil maps; here the operator's own bound),
     * to 1e-12; and with A = I and a zero network (D = I), PnP starts at its fixed point
     * x₀ = A^H b = b (z = b, D(b) = b): it returns b after one step with change 0.
     */
    @Test
    void iterationsFollowTheirUpdates() {
        MultiCoilMri op = DeqReconstructorTest.operator();
        INDArray b = op.apply(Nd4j.randn(D, 2, 2, 8, 8));
        ConvNet net = denoiser(0.3);
        double lambda = 0.5;
        INDArray x0 = op.adjoint(b);
        double norm = op.normBound();
        double gamma = 1 / (norm * norm + 2 * lambda);
        INDArray expected = x0.sub(op.normal(x0).subi(x0).addi(net.forward(x0).muli(lambda)).muli(gamma));
        INDArray x1 = new RegularizationByDenoising(net, lambda, 1, 1e-30).reconstruct(b, op);
        assertEquals(0, x1.sub(expected).norm2Number().doubleValue(), 1e-12 * expected.norm2Number().doubleValue());

        ConvNet zero = denoiser(0.0);
        var p = zero.parameters();
        p.replaceAll((k, v) -> v.mul(0));
        zero.setParameters(p);
        LinearOperator id = new Identity(new long[] {2, 8, 8});
        INDArray y = Nd4j.randn(D, 2, 2, 8, 8);
        IterationOutcome o = new PlugAndPlay(zero, 50, 1e-12).outcome(y, id);
        assertEquals(0, o.x().sub(y).norm2Number().doubleValue(), 1e-12);
        assertEquals(1, o.iterations()[0]);
        assertTrue(o.converged()[0] && o.converged()[1]);
    }

    /**
     * An expansive denoiser (weights 4× He-initialised) drives PnP's iterates up on the null space
     * of A: the example is frozen, flagged diverged, and the reconstruction stays finite and below
     * the guard.
     */
    @Test
    void divergingIteratesAreStoppedAndReported() {
        MultiCoilMri op = DeqReconstructorTest.operator();
        INDArray b = op.apply(Nd4j.randn(D, 2, 2, 8, 8));
        IterationOutcome o = new PlugAndPlay(denoiser(4.0), 500, 1e-12).outcome(b, op);
        assertTrue(o.diverged()[0] || o.diverged()[1], "an expansive denoiser diverges");
        assertTrue(!o.x().isNaN().any() && !o.x().isInfinite().any(), "finite reconstruction");
        for (int i = 0; i < 2; i++) {
            double n = o.x().slice(i).norm2Number().doubleValue();
            double limit = DenoiserIterations.DIVERGENCE_FACTOR * Math.max(1, op.adjoint(b).slice(i).norm2Number().doubleValue());
            assertTrue(n <= limit, "frozen below the guard: " + n + " vs " + limit);
        }
    }

    private static double inner(INDArray a, INDArray b) {
        return a.mul(b).sumNumber().doubleValue();
    }
}
