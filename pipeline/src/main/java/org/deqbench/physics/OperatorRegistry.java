package org.deqbench.physics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.deqbench.spec.BlurSpec;
import org.deqbench.spec.MriSpec;
import org.deqbench.spec.Problem;
import org.deqbench.spec.TaskSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every operator the benchmark knows, each with a small random instance: the forward model of
 * every {@link Problem} (built through {@link ForwardModels}, exactly as the simulate stage and
 * the data reader build them), mask variants, and the building blocks and algebra on their own.
 * The generic operator tests (adjointness, normal operator, operator norm against a dense matrix)
 * run over this list, so a new operator is tested the moment it is registered here. Sizes are odd
 * and even so that FFT centring is exercised.
 */
public final class OperatorRegistry {
    /**
     * A registered operator.
     *
     * @param name   short name, shown in test reports
     * @param batch  batch size its parameters are built for
     * @param create builds a small instance (the same parameters on every call)
     */
    public record Entry(String name, int batch, Supplier<LinearOperator> create) {
        @Override
        public String toString() {
            return name;
        }
    }

    private OperatorRegistry() {
    }

    /** All registered operators at tiny sizes. */
    public static List<Entry> all() {
        List<Entry> e = new ArrayList<>();
        MriSpec cartesian = new MriSpec(3, "cartesian", 2.0, 0.25, null, true);
        MriSpec vd = new MriSpec(2, "variable-density", null, 0.2, 0.4, true);
        e.add(problem("mri", Problem.MRI, 5, 6, 1, cartesian, null, null, null, 2));
        e.add(problem("mri-variable-density", Problem.MRI, 6, 5, 1, vd, null, null, null, 2));
        e.add(problem("single-coil-mri", Problem.SINGLE_COIL_MRI, 7, 4, 1,
                new MriSpec(1, "cartesian", 2.0, 0.25, null, true), null, null, null, 2));
        e.add(problem("dynamic-mri", Problem.DYNAMIC_MRI, 4, 5, 2, new MriSpec(2, "cartesian", 2.0, 0.2, null, true),
                null, null, null, 2));
        e.add(problem("mri-3d", Problem.MRI_3D, 3, 4, 3, new MriSpec(2, "cartesian", 2.0, 0.3, null, true),
                null, null, null, 1));
        e.add(problem("denoise", Problem.DENOISE, 6, 5, 1, null, null, null, null, 2));
        e.add(problem("deblur", Problem.DEBLUR, 8, 7, 1, null, new BlurSpec(3, 1.0), null, null, 2));
        e.add(problem("super-resolution", Problem.SUPER_RESOLUTION, 8, 6, 1, null, new BlurSpec(3, 0.8), 2, null, 2));
        e.add(problem("inpaint", Problem.INPAINT, 6, 7, 1, null, null, null, 0.4, 2));
        e.add(new Entry("blur-asymmetric-kernel", 2, () -> {
            Random r = new Random(5);
            double[] k = new double[9];
            for (int i = 0; i < k.length; i++) {
                k[i] = r.nextDouble();
            }
            return new Blur(HostArrays.fromDouble(k, new long[] {3, 3}, DataType.DOUBLE), 2, 6, 5);
        }));
        e.add(new Entry("decimation-x3", 2, () -> new Decimation(3, 1, 6, 9)));
        // a kernel of mixed sign: max |K̂| is then below ‖K‖₁, and its aliases differ over the grid
        e.add(new Entry("blur-mixed-sign-kernel", 2, () -> mixedSignBlur(6, 9)));
        e.add(new Entry("super-resolution-x3-mixed-sign-kernel", 2, () -> {
            Blur blur = mixedSignBlur(6, 9);
            return Operators.compose(new Decimation(3, 1, 6, 9), blur, blur.decimatedNorm(3));
        }));
        e.add(new Entry("scaled-mri", 2, () -> Operators.scale(problem("", Problem.MRI, 4, 4, 1, cartesian, null, null,
                null, 2).create().get(), -0.7)));
        e.add(new Entry("inpaint-after-blur", 2, () -> Operators.compose(
                problem("", Problem.INPAINT, 7, 6, 1, null, null, null, 0.3, 2).create().get(),
                problem("", Problem.DEBLUR, 7, 6, 1, null, new BlurSpec(5, 1.2), null, null, 2).create().get())));
        return e;
    }

    private static Blur mixedSignBlur(int h, int w) {
        Random r = new Random(11);
        double[] k = new double[9];
        for (int i = 0; i < k.length; i++) {
            k[i] = r.nextDouble() - 0.5;
        }
        return new Blur(HostArrays.fromDouble(k, new long[] {3, 3}, DataType.DOUBLE), 1, h, w);
    }

    /** The operator of {@code problem} at a tiny size with parameters drawn as the simulate stage draws them. */
    static Entry problem(String name, Problem problem, int h, int w, int frames, MriSpec mri, BlurSpec blur,
                         Integer factor, Double missingRatio, int batch) {
        TaskSpec t = new TaskSpec("op-" + problem.key(), problem, List.of(h, w), frames, null, batch, 1, null, mri,
                blur, factor, missingRatio, null);
        return new Entry(name, batch, () -> {
            Map<String, long[]> shapes = ForwardModels.exampleParameterShapes(t, ForwardModels.coils(t));
            Map<String, INDArray> params = new LinkedHashMap<>();
            for (var s : shapes.entrySet()) {
                int len = Math.toIntExact(java.util.Arrays.stream(s.getValue()).reduce(1L, (a, b) -> a * b));
                double[] all = new double[batch * len];
                for (int i = 0; i < batch; i++) {
                    double[] v = ForwardModels.drawExample(t, 17, "train", i, Set.of()).get(s.getKey());
                    System.arraycopy(v, 0, all, i * len, len);
                }
                long[] shape = new long[s.getValue().length + 1];
                shape[0] = batch;
                System.arraycopy(s.getValue(), 0, shape, 1, s.getValue().length);
                params.put(s.getKey(), HostArrays.fromDouble(all, shape, DataType.DOUBLE));
            }
            params.putAll(ForwardModels.sharedParameters(t));
            return ForwardModels.operator(t, params);
        });
    }

    /** A random batch {@code [batch, shape...]} of N(0, 1) entries (complex where the shape is complex). */
    public static INDArray randomBatch(int batch, long[] shape, Random rng, DataType type) {
        long[] full = new long[shape.length + 1];
        full[0] = batch;
        System.arraycopy(shape, 0, full, 1, shape.length);
        return Noise.gaussian(full, 1.0, rng, type);
    }
}
