package org.deqbench.recon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.deqbench.nn.ConvNet;
import org.deqbench.physics.LinearOperator;
import org.deqbench.physics.OperatorRegistry;
import org.deqbench.spec.NetworkSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MoDL's backward sweep (exact data-consistency gradients) against central finite differences of
 * ℓ = ⟨x_K, v⟩, in double precision, on every registered operator (3D networks for 2D+time and 3D MRI).
 */
class ModlTest {
    static final DataType D = DataType.DOUBLE;

    static Stream<OperatorRegistry.Entry> operators() {
        return OperatorRegistry.all().stream()
                .filter(e -> !e.name().isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("operators")
    void gradientsMatchFiniteDifferences(OperatorRegistry.Entry entry) {
        LinearOperator op = entry.create().get();
        int channels = (int) op.domainShape()[0];
        Random rng = new Random(3);
        int spatialDims = op.domainShape().length - 1;
        ConvNet net = ConvNet.create(new NetworkSpec(2, 3, 3, "softplus", null), spatialDims, channels, channels, 11, D);
        // CG to 1e-10 within the cap, so the forward map is the exact inverse the gradient assumes
        Modl modl = new Modl(net, Modl.logLambdaOf(0.4, D), 2, 200);
        INDArray x = OperatorRegistry.randomBatch(entry.batch(), op.domainShape(), rng, D);
        INDArray b = op.apply(x).addi(OperatorRegistry.randomBatch(entry.batch(), op.rangeShape(), rng, D).muli(0.1));
        INDArray v = OperatorRegistry.randomBatch(entry.batch(), op.domainShape(), rng, D);

        Modl.Gradients g = modl.backward(modl.forward(b, op), v);

        // central differences with h = 1e-4: truncation O(h²) ~ 1e-8 relative; CG stops at relative residual
        // 1e-10, which moves the loss by ~1e-10 relative and the difference quotient by ~1e-6. Hence 1e-5.
        double h = 1e-4;
        Map<String, INDArray> params = net.parameters();
        for (String name : new String[] {"w0", "b0", "w1"}) {
            INDArray p = params.get(name);
            for (long i : new long[] {0, p.length() / 2, p.length() - 1}) {
                double orig = p.getDouble(i);
                p.putScalar(i, orig + h);
                net.setParameters(params);
                double plus = loss(modl, b, op, v);
                p.putScalar(i, orig - h);
                net.setParameters(params);
                double minus = loss(modl, b, op, v);
                p.putScalar(i, orig);
                net.setParameters(params);
                assertClose((plus - minus) / (2 * h), g.parameters().get(name).getDouble(i), name + "[" + i + "]");
            }
        }
        double logL = modl.logLambda().getDouble(0);
        modl.logLambda().putScalar(0, logL + h);
        double plus = loss(modl, b, op, v);
        modl.logLambda().putScalar(0, logL - h);
        double minus = loss(modl, b, op, v);
        modl.logLambda().putScalar(0, logL);
        assertClose((plus - minus) / (2 * h), g.lambda() * modl.lambda(), "log lambda");

        for (long i : new long[] {1, b.length() / 3, b.length() - 2}) {
            double orig = b.getDouble(i);
            b.putScalar(i, orig + h);
            plus = loss(modl, b, op, v);
            b.putScalar(i, orig - h);
            minus = loss(modl, b, op, v);
            b.putScalar(i, orig);
            assertClose((plus - minus) / (2 * h), g.measurements().getDouble(i), "b[" + i + "]");
        }
        assertTrue(modl.forward(b, op).cgResidual() < 1e-9, "forward CG converged");
    }

    private static double loss(Modl modl, INDArray b, LinearOperator op, INDArray v) {
        return modl.forward(b, op).x().mul(v).sumNumber().doubleValue();
    }

    private static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-5 * Math.abs(expected) + 1e-8, what);
    }
}
