package org.deqbench.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J's float32 n×n matrix product on fixed random operands, the yardstick the kernel benchmarks
 * ({@link KernelBenchmark}, {@code bench reference}) express the CNN's throughput against.
 */
public final class GemmTimer {
    private final int n;
    private final INDArray a;
    private final INDArray b;
    private final INDArray c;

    public GemmTimer(int n) {
        this.n = n;
        a = Nd4j.rand(DataType.FLOAT, n, n);
        b = Nd4j.rand(DataType.FLOAT, n, n);
        c = Nd4j.zeros(DataType.FLOAT, n, n);
    }

    /** Flops of an n×n by n×n product: 2n³. */
    public static double flops(int n) {
        return 2.0 * n * n * (double) n;
    }

    /** Flops of this timer's product. */
    public double flops() {
        return flops(n);
    }

    /** Wall-clock seconds of one product. */
    public double seconds() {
        long t0 = System.nanoTime();
        Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        return (System.nanoTime() - t0) / 1e9;
    }
}
