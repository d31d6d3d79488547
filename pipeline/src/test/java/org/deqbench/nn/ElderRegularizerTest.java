package org.deqbench.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deqbench.spec.NetworkSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ElderRegularizerTest {

    private static ElderRegularizer tiny(String activation) {
        ConvNet net = ConvNet.create(new NetworkSpec(3, 4, 3, activation, null), 2, 2, 11, DataType.DOUBLE);
        Map<String, INDArray> p = net.parameters();
        for (int l = 0; l < 3; l++) {
            p.put("b" + l, FiniteDifferences.gaussian(40 + l, p.get("b" + l).shape()).muli(0.1));
        }
        net.setParameters(p);
        return new ElderRegularizer(net);
    }

    /**
     * The explicit ∇R against directional central differences of R (h = 1e-5, double): R is
     * smooth (elu is C¹ with a Lipschitz derivative, softplus C^∞), so 1e-6 relative holds with
     * margin. Also R itself against ½‖x − N(x)‖² from the network.
     */
    @ParameterizedTest
    @ValueSource(strings = {"elu", "softplus"})
    void gradientOfRMatchesFiniteDifferencesOfR(String activation) {
        ElderRegularizer elder = tiny(activation);
        INDArray x = FiniteDifferences.gaussian(1, 2, 2, 8, 8);
        INDArray r = x.sub(elder.network().forward(x));
        double expected = 0.5 * FiniteDifferences.dot(r, r);
        double value = elder.value(x).sumNumber().doubleValue();
        assertTrue(FiniteDifferences.relativeError(expected, value) <= 1e-12, expected + " vs " + value);

        INDArray grad = elder.gradient(x);
        for (long seed = 2; seed < 5; seed++) {
            INDArray d = FiniteDifferences.gaussian(seed, x.shape());
            double fd = FiniteDifferences.directional(z -> elder.value(z).sumNumber().doubleValue(), x, d, 1e-5);
            double ad = FiniteDifferences.dot(grad, d);
            assertTrue(FiniteDifferences.relativeError(fd, ad) <= 1e-6, "fd " + fd + " vs explicit " + ad);
        }
    }

    /**
     * First-order autodiff of the explicit ∇R graph: ⟨∇R(x), v⟩ differentiated with respect to x
     * (a Hessian-vector product) and every parameter, against central differences (h = 1e-5).
     * Softplus: every term is C^∞, so 1e-6 relative.
     */
    @Test
    void gradientVjpMatchesFiniteDifferencesForInputAndParameters() {
        ElderRegularizer elder = tiny("softplus");
        ConvNet net = elder.network();
        INDArray x = FiniteDifferences.gaussian(5, 2, 2, 8, 8);
        INDArray v = FiniteDifferences.gaussian(6, 2, 2, 8, 8);
        ElderRegularizer.GradientVjp vjp = elder.gradientVjp(x, v);
        assertArrayEquals(elder.gradient(x).ravel().toDoubleVector(), vjp.gradient().ravel().toDoubleVector(), 1e-12);
        double h = 1e-5;
        INDArray dx = FiniteDifferences.gaussian(7, x.shape());
        double fdx = FiniteDifferences.directional(z -> FiniteDifferences.dot(elder.gradient(z), v), x, dx, h);
        assertTrue(FiniteDifferences.relativeError(fdx, FiniteDifferences.dot(vjp.input(), dx)) <= 1e-6, "input");

        Map<String, INDArray> p = net.parameters();
        long seed = 50;
        for (String name : p.keySet()) {
            INDArray d = FiniteDifferences.gaussian(seed++, p.get(name).shape());
            double fd = FiniteDifferences.directional(theta -> {
                Map<String, INDArray> q = new LinkedHashMap<>(p);
                q.put(name, theta);
                net.setParameters(q);
                return FiniteDifferences.dot(elder.gradient(x), v);
            }, p.get(name), d, h);
            net.setParameters(p);
            double ad = FiniteDifferences.dot(vjp.parameters().get(name), d);
            assertTrue(FiniteDifferences.relativeError(fd, ad) <= 1e-6, name + ": fd " + fd + " vs " + ad);
        }
    }

    @Test
    void refusesReluBecauseItsDerivativeIsNotDifferentiable() {
        ConvNet net = ConvNet.create(new NetworkSpec(2, 4, 3, "relu", null), 2, 2, 1, DataType.DOUBLE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ElderRegularizer(net));
        assertTrue(e.getMessage().contains("elu or softplus"), e.getMessage());
    }
}
