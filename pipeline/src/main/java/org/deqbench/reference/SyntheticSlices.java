package org.deqbench.reference;

import java.util.Random;
import org.deqbench.data.Phantoms;
import org.deqbench.physics.CoilMaps;
import org.deqbench.physics.Masks;
import org.deqbench.physics.MultiCoilMri;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Synthetic multi-coil MRI slices for comparing implementations on identical inputs: textured
 * {@code anatomy} phantoms with a smooth random phase scaled to maximum magnitude 1 (the MOL data's
 * scaling), simulated coil maps with Σ|S_c|² = 1, random Cartesian phase-encode masks with a fully
 * sampled centre (8 % of the columns), and b = A x + n with N(0, σ²) on sampled entries only.
 * Everything is float32 and derived from one seed.
 *
 * @param groundTruth  x {@code [N, 2, H, W]}
 * @param measurements b {@code [N, C, 2, H, W]}
 * @param coilMaps     S {@code [N, C, 2, H, W]}
 * @param masks        M {@code [N, H, W]}
 */
public record SyntheticSlices(INDArray groundTruth, INDArray measurements, INDArray coilMaps, INDArray masks) {
    /** Fraction of fully sampled centre columns. */
    static final double CENTRE_FRACTION = 0.08;

    public static SyntheticSlices generate(int n, int height, int width, int coils, double acceleration, double sigma,
                                           long seed) {
        Random rng = new Random(seed);
        INDArray gt = Nd4j.create(DataType.DOUBLE, n, 2, height, width);
        INDArray maps = Nd4j.create(DataType.DOUBLE, n, coils, 2, height, width);
        INDArray masks = Nd4j.create(DataType.DOUBLE, n, height, width);
        for (int i = 0; i < n; i++) {
            gt.slice(i).assign(Nd4j.create(Phantoms.image("anatomy", height, width, true, rng),
                    new long[] {2, height, width}));
            maps.slice(i).assign(CoilMaps.simulate(coils, height, width, rng, DataType.DOUBLE));
            masks.slice(i).assign(Masks.cartesian(height, width, acceleration, CENTRE_FRACTION, rng)
                    .castTo(DataType.DOUBLE));
        }
        INDArray b = new MultiCoilMri(maps, masks).apply(gt);
        double[] noise = new double[(int) b.length()];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = sigma * rng.nextGaussian();
        }
        b.addi(Nd4j.create(noise, b.shape(), DataType.DOUBLE).muli(masks.reshape(n, 1, 1, height, width)));
        return new SyntheticSlices(gt.castTo(DataType.FLOAT), b.castTo(DataType.FLOAT), maps.castTo(DataType.FLOAT),
                masks.castTo(DataType.FLOAT));
    }
}
