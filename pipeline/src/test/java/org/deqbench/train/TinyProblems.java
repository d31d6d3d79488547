package org.deqbench.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.deqbench.data.Phantoms;
import org.deqbench.physics.ForwardModels;
import org.deqbench.physics.HostArrays;
import org.deqbench.physics.LinearOperator;
import org.deqbench.spec.BlurSpec;
import org.deqbench.spec.MriSpec;
import org.deqbench.spec.Problem;
import org.deqbench.spec.TaskSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A tiny data set of every problem for tests: ellipse phantoms (sequences and volumes for the
 * problems with frames), operator parameters drawn exactly as the simulate stage draws them, and
 * measurements b = A x + 0.01 n.
 */
final class TinyProblems {
    private TinyProblems() {
    }

    static TaskSpec task(Problem p, int size) {
        MriSpec mri = p.isMri() ? new MriSpec(p == Problem.SINGLE_COIL_MRI ? 1 : 2, "cartesian", 2.0, 0.3, null, true)
                : null;
        BlurSpec blur = p == Problem.DEBLUR || p == Problem.SUPER_RESOLUTION ? new BlurSpec(3, 0.8) : null;
        Integer frames = p == Problem.DYNAMIC_MRI || p == Problem.MRI_3D ? 4 : null;
        return new TaskSpec("tiny-" + p.key(), p, List.of(size, size), frames, null, null, null, null, mri, blur,
                p == Problem.SUPER_RESOLUTION ? 2 : null, p == Problem.INPAINT ? 0.3 : null, null);
    }

    static ExampleSet examples(Problem p, int n, int size, long seed) {
        TaskSpec t = task(p, size);
        Random rng = new Random(seed);
        long[] image = ForwardModels.imageShape(t);
        int len = (int) java.util.Arrays.stream(image).reduce(1, (a, b) -> a * b);
        double[] gt = new double[n * len];
        Map<String, long[]> shapes = ForwardModels.exampleParameterShapes(t, ForwardModels.coils(t));
        Map<String, double[]> params = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            double[] x = switch (p) {
                case DYNAMIC_MRI -> Phantoms.sequence("ellipses", t.frames(), size, size, rng);
                case MRI_3D -> Phantoms.volume("ellipses", t.frames(), size, size, rng);
                default -> Phantoms.image("ellipses", size, size, p.complex(), rng);
            };
            System.arraycopy(x, 0, gt, i * len, len);
            Map<String, double[]> drawn = ForwardModels.drawExample(t, seed, "train", i, Set.of());
            for (var e : drawn.entrySet()) {
                double[] all = params.computeIfAbsent(e.getKey(), k -> new double[n * e.getValue().length]);
                System.arraycopy(e.getValue(), 0, all, i * e.getValue().length, e.getValue().length);
            }
        }
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        for (var e : params.entrySet()) {
            arrays.put(e.getKey(), HostArrays.fromDouble(e.getValue(), batched(n, shapes.get(e.getKey())), DataType.DOUBLE));
        }
        Map<String, INDArray> shared = ForwardModels.sharedParameters(t);
        Map<String, INDArray> all = new LinkedHashMap<>(arrays);
        all.putAll(shared);
        INDArray x = HostArrays.fromDouble(gt, batched(n, image), DataType.DOUBLE);
        LinearOperator op = ForwardModels.operator(t, all);
        INDArray b = op.apply(x);
        b.addi(org.deqbench.physics.Noise.gaussian(b.shape(), 0.01, new Random(seed + 1), DataType.DOUBLE));
        return new ExampleSet(t, x, b, arrays, shared, DataType.FLOAT);
    }

    private static long[] batched(int n, long[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }
}
