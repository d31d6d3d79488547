package org.deqbench.physics;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one path between ND4J arrays and Java {@code double[]} buffers in C (row-major) order.
 * Operators here loop over plain arrays in double precision (FFTs, complex products, masks) and
 * convert back to the caller's dtype once, so float32 and float64 inputs take the same code.
 */
public final class HostArrays {
    private HostArrays() {
    }

    /** A fresh C-order copy of {@code a}'s values in double precision. */
    public static double[] toDouble(INDArray a) {
        return a.dup('c').data().asDouble();
    }

    /** A new C-order array of {@code type} holding {@code values} with {@code shape}. */
    public static INDArray fromDouble(double[] values, long[] shape, DataType type) {
        long n = Arrays.stream(shape).reduce(1L, (p, q) -> p * q);
        if (n != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " values, found " + values.length);
        }
        INDArray d = Nd4j.create(values, shape, 'c');
        return type == DataType.DOUBLE ? d : d.castTo(type);
    }

    /** Whether {@code shape} is {@code [batch, expected...]} for some batch size. */
    public static boolean isBatchOf(long[] shape, long[] expected) {
        if (shape.length != expected.length + 1) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (shape[i + 1] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** {@code [B, rest...]} as text, for error messages. */
    public static String batchShape(long[] rest) {
        StringBuilder sb = new StringBuilder("[B");
        for (long r : rest) {
            sb.append(", ").append(r);
        }
        return sb.append(']').toString();
    }
}
