package org.deqbench.train;

import java.util.Map;
import java.util.Random;
import org.deqbench.data.Phantoms;
import org.deqbench.physics.CoilMaps;
import org.deqbench.physics.ForwardModels;
import org.deqbench.physics.Masks;
import org.deqbench.physics.MultiCoilMri;
import org.deqbench.spec.MriSpec;
import org.deqbench.spec.Problem;
import org.deqbench.spec.TaskSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A tiny multi-coil MRI data set for tests: ellipse phantoms, 2 coils, 2× Cartesian undersampling. */
final class TinyMri {
    private TinyMri() {
    }

    static TaskSpec task(int size) {
        return new TaskSpec("tiny", Problem.MRI, java.util.List.of(size, size), null, null, null, null, null,
                new MriSpec(2, "cartesian", 2.0, 0.25, null, null), null, null, null, null);
    }

    static ExampleSet examples(int n, int size, long seed) {
        Random rng = new Random(seed);
        INDArray gt = Nd4j.create(DataType.DOUBLE, n, 2, size, size);
        INDArray maps = Nd4j.create(DataType.DOUBLE, n, 2, 2, size, size);
        INDArray masks = Nd4j.create(DataType.DOUBLE, n, size, size);
        for (int i = 0; i < n; i++) {
            gt.slice(i).assign(Nd4j.create(Phantoms.image("ellipses", size, size, true, rng), new long[] {2, size, size}));
            maps.slice(i).assign(CoilMaps.simulate(2, size, size, rng, DataType.DOUBLE));
            masks.slice(i).assign(Masks.cartesian(size, size, 2.0, 0.25, rng).castTo(DataType.DOUBLE));
        }
        INDArray b = new MultiCoilMri(maps, masks).apply(gt);
        b.addi(Nd4j.getRandom().nextGaussian(b.shape()).castTo(DataType.DOUBLE).muli(0.01)
                .muli(masks.reshape(n, 1, 1, size, size)));
        return new ExampleSet(task(size), gt, b, Map.of(ForwardModels.COIL_MAPS, maps, ForwardModels.MASK, masks),
                DataType.FLOAT);
    }
}
