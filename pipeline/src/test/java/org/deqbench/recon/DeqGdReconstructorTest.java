package org.deqbench.recon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.deqbench.nn.ConvNet;
import org.deqbench.physics.MultiCoilMri;
import org.deqbench.spec.DeqSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DEQ-GD's gradients in double precision with the real (JTransforms) multi-coil MRI operator: the
 * implicit gradient of the fixed point (θ, λ, b) and the gradient of the bound's numerator
 * ‖T(x̄) − x̄‖²/n (θ, λ), each against central finite differences.
 */
class DeqGdReconstructorTest {
    static final DataType D = DataType.DOUBLE;
    static final double ETA = 0.5;
    static final double LAMBDA = 2.0;
    // with these unnormalised random coil maps η = 0.5 is too long a step for plain iteration to
    // converge (see the Jacobian-free test), but Anderson acceleration solves x = T(x) to 1e-13 and
    // the implicit gradient needs only I − J_T invertible; exact 40-step CG starts, so finite
    // differences see only O(h²) truncation (≈1e-10) and ≈1e-13/h solver noise
    static final DeqSpec TIGHT = new DeqSpec(ETA, LAMBDA, 800, 1e-13, "anderson", 5, "implicit", 800, 1e-13, 30);
    static final double H = 1e-5;

    @Test
    void implicitGradientsMatchFiniteDifferencesOfTheFixedPoint() {
        ConvNet net = DeqReconstructorTest.contractiveNet();
        MultiCoilMri op = DeqReconstructorTest.operator();
        INDArray x = Nd4j.randn(D, 2, 2, 8, 8);
        INDArray b = op.apply(x).addi(Nd4j.randn(D, 2, 2, 2, 8, 8).muli(0.05)
                .muli(op.masks().reshape(2, 1, 1, 8, 8)));
        INDArray v = Nd4j.randn(D, 2, 2, 8, 8);
        DeqGdReconstructor deq = new DeqGdReconstructor(net, LAMBDA, TIGHT, 40);
        DeqGdReconstructor.Forward f = deq.forward(b, op, null);
        assertTrue(f.solve().converged(), "forward " + f.solve());
        DeqGdReconstructor.Backward g = deq.backward(f, v);
        assertTrue(g.solve().converged(), "backward " + g.solve());
        // the fixed point satisfies λ A^H(A x − b) + x − N(x) = 0 (relative to ‖λ A^H b‖)
        INDArray eq = op.normal(f.x()).subi(op.adjoint(b)).muli(LAMBDA).addi(f.x()).subi(net.forward(f.x()));
        assertEquals(0, eq.norm2Number().doubleValue() / op.adjoint(b).muli(LAMBDA).norm2Number().doubleValue(), 1e-10);

        double up = new DeqGdReconstructor(net, LAMBDA + H, TIGHT, 40).forward(b, op, null).x().mul(v).sumNumber().doubleValue();
        double down = new DeqGdReconstructor(net, LAMBDA - H, TIGHT, 40).forward(b, op, null).x().mul(v).sumNumber().doubleValue();
        assertClose((up - down) / (2 * H), g.cotangents().lambda(), "λ");

        ToDoubleFunction<ConvNet> loss = n -> deq.forward(b, op, null).x().mul(v).sumNumber().doubleValue();
        checkParameters(net, g.cotangents().parameters(), loss);

        INDArray db = g.cotangents().measurements();
        int checked = 0;
        INDArray sampled = op.masks().reshape(2, 1, 1, 8, 8).broadcast(2, 2, 2, 8, 8);
        for (long i = 0; i < b.length() && checked < 2; i += 37) {
            double orig = b.getDouble(i);
            b.putScalar(i, orig + H);
            double bu = loss.applyAsDouble(net);
            b.putScalar(i, orig - H);
            double bd = loss.applyAsDouble(net);
            b.putScalar(i, orig);
            assertClose((bu - bd) / (2 * H), db.getDouble(i), "b[" + i + "]");
            checked += sampled.getDouble(i) > 0 ? 1 : 0;
        }
        assertEquals(2, checked, "two sampled measurement entries checked");
        assertEquals(db, deq.measurementVjp(b, op, v));
    }

    @Test
    void boundNumeratorGradientsMatchFiniteDifferences() {
        ConvNet net = DeqReconstructorTest.contractiveNet();
        MultiCoilMri op = DeqReconstructorTest.operator();
        INDArray gt = Nd4j.randn(D, 2, 2, 8, 8);
        INDArray b = op.apply(gt).addi(Nd4j.randn(D, 2, 2, 2, 8, 8).muli(0.05));
        DeqGdReconstructor deq = new DeqGdReconstructor(net, LAMBDA, TIGHT, 40);
        GradientDescentIteration.Data d = deq.data(b, op);
        DeqGdReconstructor.ResidualLoss l = deq.residualLoss(d, gt);
        INDArray r = deq.iteration().apply(d, gt).sub(gt);
        assertEquals(r.mul(r).sumNumber().doubleValue() / r.length(), l.value(), 1e-12 * l.value(), "value");

        double up = new DeqGdReconstructor(net, LAMBDA + H, TIGHT, 40).residualLoss(d, gt).value();
        double down = new DeqGdReconstructor(net, LAMBDA - H, TIGHT, 40).residualLoss(d, gt).value();
        assertClose((up - down) / (2 * H), l.cotangents().lambda(), "λ");
        checkParameters(net, l.cotangents().parameters(), n -> deq.residualLoss(d, gt).value());
    }

    /**
     * The finite-difference Lipschitz estimate r = ‖T(x̄ + sδ) − T(x̄)‖/s of bound training's
     * denominator: its value from T directly, its (θ, λ) gradient with δ fixed against central
     * differences (tolerance as above: everything is float64 and explicit, no solve), and, with δ
     * the steepest direction of J_T(x̄) (30 power steps), r within 1 % of the power-iteration
     * estimate of ‖J_T(x̄)‖₂: the two differ by the curvature of T over the step s = 10⁻³‖x̄‖
     * (N has ReLU kinks) and by both power iterations' errors (about 0.15 % here).
     */
    @Test
    void contractionEstimateGradientsMatchFiniteDifferences() {
        ConvNet net = DeqReconstructorTest.contractiveNet();
        MultiCoilMri op = DeqReconstructorTest.operator();
        INDArray gt = Nd4j.randn(D, 2, 2, 8, 8);
        INDArray b = op.apply(gt).addi(Nd4j.randn(D, 2, 2, 2, 8, 8).muli(0.05));
        DeqGdReconstructor deq = new DeqGdReconstructor(net, LAMBDA, TIGHT, 40);
        GradientDescentIteration.Data d = deq.data(b, op);
        INDArray delta = deq.steepestDirection(d, gt, 30, 5);
        assertEquals(1.0, delta.norm2Number().doubleValue(), 1e-9, "unit direction");
        double s = 1e-3 * gt.norm2Number().doubleValue();
        DeqGdReconstructor.Contraction c = deq.contraction(d, gt, delta, s);
        INDArray diff = deq.iteration().apply(d, gt.add(delta.mul(s))).sub(deq.iteration().apply(d, gt));
        assertEquals(diff.norm2Number().doubleValue() / s, c.value(), 1e-12 * c.value(), "value");

        double up = new DeqGdReconstructor(net, LAMBDA + H, TIGHT, 40).contraction(d, gt, delta, s).value();
        double down = new DeqGdReconstructor(net, LAMBDA - H, TIGHT, 40).contraction(d, gt, delta, s).value();
        assertClose((up - down) / (2 * H), c.lambda(), "λ");
        checkParameters(net, c.parameters(), n -> deq.contraction(d, gt, delta, s).value());

        double norm = deq.localLipschitz(d, gt);
        assertEquals(norm, c.value(), 1e-2 * norm, "r against ||J_T||_2");
    }

    /**
     * {@code deq.backward: jacobian-free} with a plain forward solve: no backward iterations, u = g,
     * and the cotangents are the iteration map's at x* for u = g (exactly the same arrays' values).
     */
    @Test
    void jacobianFreeBackwardUsesTheCotangentItselfWithAPlainForwardSolve() {
        ConvNet net = DeqReconstructorTest.contractiveNet();
        MultiCoilMri op = DeqReconstructorTest.operator();
        INDArray b = op.apply(Nd4j.randn(D, 2, 2, 8, 8));
        // a shorter step than above: plain iteration contracts once η(‖A‖² + 1/λ) < 2 (near N ≡ 0)
        DeqSpec jf = new DeqSpec(0.2, 0.5, 800, 1e-10, "plain", 5, "jacobian-free", 800, 1e-10, 30);
        DeqGdReconstructor deq = new DeqGdReconstructor(net, 0.5, jf, 40);
        DeqGdReconstructor.Forward f = deq.forward(b, op, null);
        assertTrue(f.solve().converged(), "plain forward " + f.solve());
        INDArray v = Nd4j.randn(D, 2, 2, 8, 8);
        DeqGdReconstructor.Backward g = deq.backward(f, v);
        assertEquals(0, g.solve().iterations());
        assertEquals(v, g.solve().x());
        GradientDescentIteration.Cotangents c = deq.iteration().cotangents(f.data(), f.x(), v);
        assertEquals(c.lambda(), g.cotangents().lambda(), 0.0);
        assertEquals(c.measurements(), g.cotangents().measurements());
        assertEquals(c.parameters().get("w0"), g.cotangents().parameters().get("w0"));
    }

    /** A weight of the first layer and a bias of the second: analytic against central differences. */
    private static void checkParameters(ConvNet net, Map<String, INDArray> grads, ToDoubleFunction<ConvNet> loss) {
        for (String name : new String[] {"w0", "b1"}) {
            INDArray grad = grads.get(name);
            long index = Math.min(5, grad.length() - 1);
            Map<String, INDArray> p = net.parameters();
            double orig = p.get(name).getDouble(index);
            p.get(name).putScalar(index, orig + H);
            net.setParameters(p);
            double pu = loss.applyAsDouble(net);
            p.get(name).putScalar(index, orig - H);
            net.setParameters(p);
            double pd = loss.applyAsDouble(net);
            p.get(name).putScalar(index, orig);
            net.setParameters(p);
            assertClose((pu - pd) / (2 * H), grad.getDouble(index), name + "[" + index + "]");
        }
    }

    /** Relative 1e-5 (floor 1e-2 absolute scale): truncation ≈1e-10 and solver noise ≈1e-8 are far below. */
    private static void assertClose(double fd, double analytic, String what) {
        assertEquals(fd, analytic, 1e-5 * Math.max(1e-2, Math.abs(fd)), what + ": fd " + fd + " vs " + analytic);
    }
}
