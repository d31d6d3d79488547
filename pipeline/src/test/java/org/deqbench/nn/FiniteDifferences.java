package org.deqbench.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Central finite differences of scalar functions along random directions, in double precision. */
final class FiniteDifferences {
    private FiniteDifferences() {
    }

    /** A Gaussian array of {@code shape} from {@code seed}, in double. */
    static INDArray gaussian(long seed, long... shape) {
        SplittableRandom random = new SplittableRandom(seed);
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] values = new double[(int) n];
        for (int i = 0; i < values.length; i++) {
            double u = 1.0 - random.nextDouble();
            values[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
        }
        return Nd4j.create(values, shape, DataType.DOUBLE);
    }

    /** (f(x + h d) − f(x − h d)) / 2h. */
    static double directional(Function<INDArray, Double> f, INDArray x, INDArray d, double h) {
        double plus = f.apply(x.add(d.mul(h)));
        double minus = f.apply(x.sub(d.mul(h)));
        return (plus - minus) / (2 * h);
    }

    static double dot(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).mul(b.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
    }

    static double relativeError(double expected, double actual) {
        return Math.abs(expected - actual) / Math.max(Math.abs(expected), 1e-300);
    }

    /**
     * Asserts ‖expected − actual‖ ≤ tol·‖expected‖ (in double, same shape), refusing a zero
     * {@code expected}, against which the comparison would be vacuous.
     */
    static void assertRelativeClose(INDArray expected, INDArray actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double scale = expected.norm2Number().doubleValue();
        double err = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).norm2Number().doubleValue();
        assertTrue(scale > 0, what + " is zero: the comparison would be vacuous");
        assertTrue(err <= tol * scale, what + ": relative difference " + err / scale + " > " + tol);
    }
}
