package org.deqbench.recon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deqbench.nn.ConvNet;
import org.deqbench.physics.MultiCoilMri;
import org.deqbench.spec.DeqSpec;
import org.deqbench.spec.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The implicit gradient of MOL's fixed point with the real (JTransforms) multi-coil MRI operator
 * against central finite differences of re-solved fixed points, in double precision.
 */
class DeqReconstructorTest {
    static final DataType D = DataType.DOUBLE;
    static final int H = 8;
    static final int W = 8;
    static final int C = 2;

    /** A smooth 2-layer 4-channel H scaled to be contractive. */
    static ConvNet contractiveNet() {
        ConvNet net = ConvNet.create(new NetworkSpec(2, 4, 3, "elu", null), 2, 2, 3, D);
        Map<String, INDArray> p = net.parameters();
        p.replaceAll((k, v) -> k.startsWith("w") ? v.mul(0.4) : v.add(0.05));
        net.setParameters(p);
        return net;
    }

    static MultiCoilMri operator() {
        Nd4j.getRandom().setSeed(9);
        INDArray maps = Nd4j.randn(D, 2, C, 2, H, W).muli(0.6);
        INDArray mask = Nd4j.rand(D, 2, H, W).gt(0.45).castTo(D);
        return new MultiCoilMri(maps, mask);
    }

    // exact DC solves (30 CG steps on 128 unknowns) and a tight fixed point, so the map is the
    // analytic one and finite differences see only O(h²) truncation and ~1e-12/h solver noise
    static final DeqSpec TIGHT = new DeqSpec(0.9, 2.0, 500, 1e-13, "anderson", 5, "implicit", 500, 1e-13, 30);

    @Test
    void implicitGradientsMatchFiniteDifferencesOfTheFixedPoint() {
        ConvNet net = contractiveNet();
        MultiCoilMri op = operator();
        INDArray x = Nd4j.randn(D, 2, 2, H, W);
        INDArray b = op.apply(x).addi(Nd4j.randn(D, 2, C, 2, H, W).muli(0.05).muli(op.masks().reshape(2, 1, 1, H, W)));
        INDArray v = Nd4j.randn(D, 2, 2, H, W);
        DeqReconstructor deq = new DeqReconstructor(net, 2.0, TIGHT, 60);
        DeqReconstructor.Forward f = deq.forward(b, op, null);
        assertTrue(f.solve().converged(), "forward " + f.solve());
        DeqReconstructor.Backward g = deq.backward(f, v);
        assertTrue(g.solve().converged(), "backward " + g.solve());
        double h = 1e-5;

        // λ
        double up = loss(new DeqReconstructor(net, 2.0 + h, TIGHT, 60), b, op, v);
        double down = loss(new DeqReconstructor(net, 2.0 - h, TIGHT, 60), b, op, v);
        assertClose((up - down) / (2 * h), g.cotangents().lambda(), "λ");

        // network parameters: a weight of each layer and a bias
        for (String name : new String[] {"w0", "b1"}) {
            INDArray grad = g.cotangents().parameters().get(name);
            long index = Math.min(5, grad.length() - 1);
            Map<String, INDArray> p = net.parameters();
            double orig = p.get(name).getDouble(index);
            p.get(name).putScalar(index, orig + h);
            net.setParameters(p);
            double pu = loss(deq, b, op, v);
            p.get(name).putScalar(index, orig - h);
            net.setParameters(p);
            double pd = loss(deq, b, op, v);
            p.get(name).putScalar(index, orig);
            net.setParameters(p);
            assertClose((pu - pd) / (2 * h), grad.getDouble(index), name + "[" + index + "]");
        }

        // measurements, at sampled entries (unsampled ones are zeroed by the mask: gradient 0)
        INDArray db = g.cotangents().measurements();
        INDArray sampled = op.masks().reshape(2, 1, 1, H, W).broadcast(2, C, 2, H, W);
        int checked = 0;
        for (long i = 0; i < b.length() && checked < 2; i += 37) {
            double orig = b.getDouble(i);
            b.putScalar(i, orig + h);
            double bu = loss(deq, b, op, v);
            b.putScalar(i, orig - h);
            double bd = loss(deq, b, op, v);
            b.putScalar(i, orig);
            assertClose((bu - bd) / (2 * h), db.getDouble(i), "b[" + i + "]");
            checked += sampled.getDouble(i) > 0 ? 1 : 0;
        }
        assertEquals(db, deq.measurementVjp(b, op, v));
    }

    @Test
    void jacobianFreeBackwardReturnsTheCotangentItself() {
        ConvNet net = contractiveNet();
        MultiCoilMri op = operator();
        INDArray b = op.apply(Nd4j.randn(D, 2, 2, H, W));
        DeqSpec jf = new DeqSpec(0.5, 2.0, 500, 1e-10, "anderson", 5, "jacobian-free", 500, 1e-10, 10);
        DeqReconstructor deq = new DeqReconstructor(net, 2.0, jf, 30);
        DeqReconstructor.Forward f = deq.forward(b, op, null);
        assertTrue(f.solve().converged());
        INDArray v = Nd4j.randn(D, 2, 2, H, W);
        DeqReconstructor.Backward g = deq.backward(f, v);
        assertEquals(0, g.solve().iterations());
        assertEquals(v, g.solve().x());
    }

    private static double loss(DeqReconstructor deq, INDArray b, MultiCoilMri op, INDArray v) {
        return deq.forward(b, op, null).x().mul(v).sumNumber().doubleValue();
    }

    /** Relative 1e-5: FD truncation O(h²) ≈ 1e-10 and solver noise 1e-13/1e-5 are far below. */
    private static void assertClose(double fd, double analytic, String what) {
        assertEquals(fd, analytic, 1e-5 * Math.max(1e-2, Math.abs(fd)), what + ": fd " + fd + " vs " + analytic);
    }

    /**
     * With an identity weight γ ≠ 1 (the official code's M = γI + αλA^H A) the solved fixed point
     * satisfies λ A^H(Ax − b) + (x − H(x)) + ((γ − 1)/α) x = 0: residual below 1e-9 relative to
     * ‖λ A^H b‖ in double precision (fixed point to 1e-13, exact 30-step CG on 128 unknowns), and
     * the γ = 1 equation is violated by the extra term, so the weight is really applied.
     */
    @Test
    void identityWeightMovesTheFixedPointAsDerived() {
        ConvNet net = contractiveNet();
        MultiCoilMri op = operator();
        INDArray b = op.apply(Nd4j.randn(D, 2, 2, H, W));
        double alpha = 0.9;
        double lambda = 2.0;
        double gamma = 1.2;
        MolIteration it = new MolIteration(net, alpha, lambda, TIGHT.cgIterations(), gamma);
        DeqReconstructor deq = new DeqReconstructor(it, TIGHT, new DeqReconstructor.Start(0.5, 60, null));
        INDArray x = deq.forward(b, op, null).x();
        INDArray score = op.adjoint(op.apply(x).subi(b)).muli(lambda).addi(x.sub(net.forward(x)));
        INDArray shifted = score.add(x.mul((gamma - 1) / alpha));
        double scale = op.adjoint(b).norm2Number().doubleValue() * lambda;
        assertTrue(shifted.norm2Number().doubleValue() / scale < 1e-9, "residual " + shifted.norm2Number());
        assertTrue(score.norm2Number().doubleValue() / scale > 1e-3, "γ = 1 equation " + score.norm2Number());
    }
}
