package org.deqbench.physics;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every operator the benchmark knows, each with a small random instance. The generic operator
 * tests (adjointness, normal operator, operator norm against a dense matrix) run over this list,
 * so a new operator is tested the moment it is registered here.
 */
public final class OperatorRegistry {
    /**
     * A registered operator.
     *
     * @param name   short name, shown in test reports
     * @param batch  batch size its parameters are built for
     * @param create builds a small instance (same instance parameters on every call)
     */
    public record Entry(String name, int batch, Supplier<LinearOperator> create) {
        @Override
        public String toString() {
            return name;
        }
    }

    private OperatorRegistry() {
    }

    /** All registered operators at tiny sizes (odd and even, so FFT centring is exercised). */
    public static List<Entry> all() {
        List<Entry> e = new ArrayList<>();
        e.add(new Entry("multi-coil-mri", 2, () -> multiCoil(2, 3, 7, 6, 2.0, 11)));
        e.add(new Entry("multi-coil-mri-shared-params", 3, () -> multiCoil(1, 2, 6, 8, 3.0, 12)));
        return e;
    }

    static MultiCoilMri multiCoil(int batch, int coils, int h, int w, double acceleration, long seed) {
        INDArray maps = Nd4j.create(DataType.DOUBLE, batch, coils, 2, h, w);
        INDArray masks = Nd4j.create(DataType.DOUBLE, batch, h, w);
        for (int b = 0; b < batch; b++) {
            maps.putSlice(b, CoilMaps.simulate(coils, h, w, Seeds.random(seed, "coil_maps", b), DataType.DOUBLE));
            masks.putSlice(b, HostArrays.fromDouble(Masks.cartesianColumns(h, w, acceleration, 0.25,
                    Seeds.random(seed, "mask", b)), new long[] {h, w}, DataType.DOUBLE));
        }
        return new MultiCoilMri(maps, masks);
    }

    /** A random batch {@code [batch, shape...]} of N(0, 1) entries (complex inputs where the shape is complex). */
    public static INDArray randomBatch(int batch, long[] shape, Random rng, DataType type) {
        long[] full = new long[shape.length + 1];
        full[0] = batch;
        System.arraycopy(shape, 0, full, 1, shape.length);
        return Noise.gaussian(full, 1.0, rng, type);
    }
}
