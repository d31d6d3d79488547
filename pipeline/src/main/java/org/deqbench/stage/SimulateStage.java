package org.deqbench.stage;

import org.deqbench.data.GroundTruthSource;
import org.deqbench.data.SimulatedData;
import org.deqbench.data.SimulatedSplit;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqbench.physics.ForwardModels;
import org.deqbench.physics.HostArrays;
import org.deqbench.physics.LinearOperator;
import org.deqbench.physics.Noise;
import org.deqbench.plan.NodeContext;
import org.deqbench.plan.NodeOutput;
import org.deqbench.progress.Progress;
import org.deqbench.plan.Stage;
import org.deqbench.spec.Problem;
import org.deqbench.spec.SpecLoader;
import org.deqbench.spec.TaskSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The {@code simulate} stage: turns a task spec into a data set in the run store — ground truth,
 * operator parameters and noisy measurements b = A x + n for a train and a test split — with a
 * manifest complete enough to rebuild A x from the files in numpy (layout: {@link SimulatedData};
 * operators: {@link ForwardModels}).
 *
 * <p>Ground truth comes from the task's {@link GroundTruthSource} and is scaled to max magnitude
 * 1 per example. Operator parameters come from the source when real data carry them (coil maps,
 * MoDL masks) and are drawn otherwise. Measurements are computed in float64 from the float32
 * ground truth and parameters exactly as stored, then noise N(0, σ²) is added on measured entries
 * only, from the stream (task, split, "noise", index). Every random quantity has its own stream,
 * so the same spec and seed give bit-identical files whatever the shard size. Splits larger than
 * {@code shard_size} are written in shards, shown by one {@link Progress}.
 */
public final class SimulateStage implements Stage {
    @Override
    public String name() {
        return "simulate";
    }

    @Override
    public void run(NodeContext ctx) throws Exception {
        TaskSpec task = ctx.task();
        long seed = ctx.spec().seed();
        NodeOutput out = ctx.output();
        writeTask(out, task);
        Map<String, INDArray> shared = ForwardModels.sharedParameters(task);
        for (var e : shared.entrySet()) {
            out.writeArray(e.getKey() + ".npy", e.getValue(), e.getKey(), describeParameter(task, e.getKey()));
        }
        Map<String, Long> measured = new LinkedHashMap<>();
        try (GroundTruthSource source = GroundTruthSource.open(task, ctx.specDir(), seed);
             Progress progress = Progress.start("simulate/" + task.name(), (long) task.train() + task.test())) {
            for (String split : List.of(SimulatedData.TRAIN, SimulatedData.TEST)) {
                measured.put(split, simulateSplit(out, task, seed, split, source, shared, progress));
            }
            conventions(out, task, seed, source, measured);
        }
    }

    private static void writeTask(NodeOutput out, TaskSpec task) throws IOException {
        Files.writeString(out.resolve(SimulatedData.TASK_FILE), SpecLoader.canonicalMapper()
                .writerWithDefaultPrettyPrinter().writeValueAsString(task));
        out.addFile(SimulatedData.TASK_FILE, "task_spec", "json",
                "the task section of the experiment spec these data were simulated from (snake_case keys)");
    }

    /** File name of one shard of a per-example array: {@code split/base.npy} if unsharded. */
    static String shardFile(String split, String base, int shard, int shards) {
        return shards == 1 ? split + "/" + base + ".npy" : String.format("%s/%s.%05d.npy", split, base, shard);
    }

    /** File base name of a per-example parameter role. */
    static String baseName(String role) {
        return role.equals(ForwardModels.MASK) ? "masks" : role;
    }

    private static long[] batch(int n, long[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    private static int length(long[] shape) {
        return Math.toIntExact(Arrays.stream(shape).reduce(1L, (a, b) -> a * b));
    }

    /** Simulates one split; returns the number of measured real entries (for the noise check). */
    private static long simulateSplit(NodeOutput out, TaskSpec task, long seed, String split,
                                      GroundTruthSource source, Map<String, INDArray> shared, Progress progress) {
        int n = split.equals(SimulatedData.TRAIN) ? task.train() : task.test();
        long[] image = ForwardModels.imageShape(task);
        int imageLen = length(image);
        Map<String, long[]> paramShapes = ForwardModels.exampleParameterShapes(task, source.coils());
        int shardSize = task.shardSize();
        int shards = (n + shardSize - 1) / shardSize;
        double sigma = task.noise().sigma();
        long measured = 0;
        for (int s = 0; s < shards; s++) {
            int from = s * shardSize;
            int m = Math.min(shardSize, n - from);
            double[] gt = new double[m * imageLen];
            Map<String, double[]> params = new LinkedHashMap<>();
            paramShapes.forEach((role, shape) -> params.put(role, new double[m * length(shape)]));
            for (int i = 0; i < m; i++) {
                int index = from + i;
                GroundTruthSource.Example ex = source.example(split, index);
                if (ex.groundTruth().length != imageLen) {
                    throw new IllegalStateException("source of task '" + task.name() + "' returned "
                            + ex.groundTruth().length + " values for example " + index + ", expected "
                            + Arrays.toString(image));
                }
                System.arraycopy(scaleToMaxMagnitude(ex.groundTruth(), (int) image[0]), 0, gt, i * imageLen, imageLen);
                Map<String, double[]> p = new LinkedHashMap<>(ForwardModels.drawExample(task, seed, split, index,
                        source.providedParameters()));
                p.putAll(ex.parameters());
                for (var e : paramShapes.entrySet()) {
                    double[] v = p.get(e.getKey());
                    int len = length(e.getValue());
                    if (v == null || v.length != len) {
                        throw new IllegalStateException("task '" + task.name() + "': parameter '" + e.getKey()
                                + "' of example " + index + " has " + (v == null ? "no" : v.length) + " values, expected "
                                + Arrays.toString(e.getValue()));
                    }
                    System.arraycopy(v, 0, params.get(e.getKey()), i * len, len);
                }
            }
            INDArray gtArr = HostArrays.fromDouble(gt, batch(m, image), DataType.FLOAT);
            Map<String, INDArray> opParams = new LinkedHashMap<>();
            for (var e : params.entrySet()) {
                opParams.put(e.getKey(), HostArrays.fromDouble(e.getValue(), batch(m, paramShapes.get(e.getKey())), DataType.FLOAT));
            }
            opParams.putAll(shared);
            LinearOperator a = ForwardModels.operator(task, opParams);
            double[] b = HostArrays.toDouble(a.apply(gtArr.castTo(DataType.DOUBLE)));
            int per = length(a.rangeShape());
            for (int i = 0; i < m; i++) {
                Map<String, double[]> example = new LinkedHashMap<>();
                for (var e : params.entrySet()) {
                    example.put(e.getKey(), HostArrays.toDouble(opParams.get(e.getKey()).slice(i)));
                }
                double[] support = ForwardModels.measuredSupport(task, example);
                double[] y = Arrays.copyOfRange(b, i * per, (i + 1) * per);
                Noise.addInPlace(y, sigma, Noise.stream(seed, task.name(), split, from + i), support);
                System.arraycopy(y, 0, b, i * per, per);
                measured += support == null ? per : (long) (per / support.length) * nonZero(support);
            }
            INDArray bArr = HostArrays.fromDouble(b, batch(m, a.rangeShape()), DataType.FLOAT);
            out.writeArray(shardFile(split, "ground_truth", s, shards), gtArr, SimulatedSplit.GROUND_TRUTH,
                    describeGroundTruth(task));
            out.writeArray(shardFile(split, "measurements", s, shards), bArr, SimulatedSplit.MEASUREMENTS,
                    describeMeasurements(task));
            for (var e : opParams.entrySet()) {
                if (!shared.containsKey(e.getKey())) {
                    out.writeArray(shardFile(split, baseName(e.getKey()), s, shards), e.getValue(), e.getKey(),
                            describeParameter(task, e.getKey()));
                }
            }
            progress.stepBy(m);
        }
        return measured;
    }

    private static long nonZero(double[] v) {
        long k = 0;
        for (double x : v) {
            k += x != 0 ? 1 : 0;
        }
        return k;
    }

    /** Scales an image of {@code channels} planes to max magnitude sqrt(Σ_c x_c²) = 1 (zero stays zero). */
    static double[] scaleToMaxMagnitude(double[] x, int channels) {
        int plane = x.length / channels;
        double max = 0;
        for (int i = 0; i < plane; i++) {
            double s = 0;
            for (int c = 0; c < channels; c++) {
                s += x[c * plane + i] * x[c * plane + i];
            }
            max = Math.max(max, s);
        }
        max = Math.sqrt(max);
        if (max == 0) {
            return x;
        }
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] / max;
        }
        return y;
    }

    private static String imageAxes(TaskSpec t) {
        return switch (t.problem()) {
            case DYNAMIC_MRI -> "[N, 2, T, H, W] (T frames)";
            case MRI_3D -> "[N, 2, D, H, W] (D slices)";
            default -> t.problem().complex() ? "[N, 2, H, W]" : "[N, 1, H, W]";
        };
    }

    private static String describeGroundTruth(TaskSpec t) {
        return (t.problem().complex() ? "complex images x " + imageAxes(t) + " (real, imag)"
                : "real images x " + imageAxes(t)) + ", each scaled to max magnitude 1";
    }

    private static String describeMeasurements(TaskSpec t) {
        String shape = switch (t.problem()) {
            case MRI, SINGLE_COIL_MRI -> "k-space [N, coils, 2, H, W], zero where unsampled";
            case DYNAMIC_MRI -> "k-space [N, coils, 2, T, H, W], zero where unsampled";
            case MRI_3D -> "k-space [N, coils, 2, D, H, W], zero where unsampled";
            case SUPER_RESOLUTION -> "low-resolution images [N, 1, H/s, W/s]";
            case INPAINT -> "observed images [N, 1, H, W], zero at missing pixels";
            default -> "degraded images [N, 1, H, W]";
        };
        return shape + ": " + ForwardModels.describe(t);
    }

    private static String describeParameter(TaskSpec t, String role) {
        return switch (role) {
            case ForwardModels.MASK -> switch (t.problem()) {
                case INPAINT -> "pixel masks [N, H, W], 1 = observed, 0 = missing";
                case DYNAMIC_MRI -> "k-space sampling masks [N, T, H, W], one per frame, 1 = sampled, DC at [T, H//2, W//2]";
                case MRI_3D -> "k-space sampling masks [N, D, H, W], 1 = sampled, DC at [D//2, H//2, W//2]";
                default -> "k-space sampling masks [N, H, W], 1 = sampled, centred layout (DC at [H//2, W//2])";
            };
            case ForwardModels.COIL_MAPS -> "coil sensitivity maps S " + (t.problem() == Problem.MRI_3D
                    ? "[N, coils, 2, D, H, W]" : "[N, coils, 2, H, W]") + " (real, imag), sum_c |S_c|^2 = 1"
                    + (t.problem() == Problem.DYNAMIC_MRI ? "; shared by all frames of an example" : "");
            case ForwardModels.KERNEL -> "normalised Gaussian blur kernel [k, k] (sum 1), shared by all examples;"
                    + " applied as periodic convolution centred at [k//2, k//2]";
            default -> role;
        };
    }

    private static void conventions(NodeOutput out, TaskSpec t, long seed, GroundTruthSource source,
                                    Map<String, Long> measured) {
        out.convention("problem", t.problem().key());
        out.convention("forward_model", ForwardModels.describe(t));
        out.convention("image_layout", imageAxes(t));
        if (t.problem().complex()) {
            out.convention("complex_layout", "the axis of size 2 just before the spatial (and frame/slice) axes"
                    + " holds (real, imaginary)");
        }
        if (t.problem().isMri()) {
            out.convention("fft", t.problem() == Problem.MRI_3D
                    ? "orthonormal centred 3D: F3(x) = fftshift(fftn(ifftshift(x, axes=(-3, -2, -1)), axes=(-3, -2, -1),"
                            + " norm='ortho'), axes=(-3, -2, -1)); DC at [D//2, H//2, W//2]"
                    : "orthonormal centred: F(x) = fftshift(fft2(ifftshift(x, axes=(-2, -1)), norm='ortho'),"
                            + " axes=(-2, -1)); DC at [H//2, W//2]");
            out.convention("coils", source.coils());
            var mri = t.mri();
            if (t.source().type().equals("hdf5") && t.source().layout().equals("modl")) {
                out.convention("mask", "from the data file (MoDL layout), fftshift-ed to the centred layout");
            } else {
                String pattern = mri.mask().equals("cartesian")
                        ? (t.problem() == Problem.MRI_3D
                                ? "3D Cartesian: readout along H fully sampled, (D, W) phase-encode points drawn with"
                                        + " variable density at ratio 1/acceleration = " + (1 / mri.acceleration())
                                : "Cartesian phase-encode lines (columns, every row) at acceleration " + mri.acceleration())
                        : "variable-density random points at sampling ratio " + mri.samplingRatio();
                out.convention("mask", pattern + ", centre fraction " + mri.centreFraction()
                        + (t.problem() == Problem.DYNAMIC_MRI ? ", a different mask for every frame" : "")
                        + (mri.maskPerExample() ? ", a different mask per example"
                                : ", the same mask(s) for every example of both splits"));
            }
        }
        if (t.blur() != null) {
            Map<String, Object> kernel = new LinkedHashMap<>();
            kernel.put("file", "kernel.npy");
            kernel.put("size", t.blur().kernelSize());
            kernel.put("sigma", t.blur().sigma());
            out.convention("kernel", kernel);
        }
        if (t.problem() == Problem.SUPER_RESOLUTION) {
            out.convention("factor", t.factor());
            out.convention("decimation", "keep x[..., ::factor, ::factor] (the first pixel of every factor x factor block)");
        }
        if (t.problem() == Problem.INPAINT) {
            out.convention("missing_ratio", t.missingRatio());
        }
        out.convention("noise_sigma", t.noise().sigma());
        out.convention("noise", "white Gaussian, N(0, noise_sigma^2) per real entry (complex: per real and per imaginary"
                + " part) on measured entries only; E||b - A x||^2 = noise_sigma^2 * measured_entries");
        out.convention("measured_entries", measured);
        out.convention("source", source.describe());
        out.convention("seed", seed);
        Map<String, Object> streams = new LinkedHashMap<>();
        streams.put("rule", "java.util.Random seeded by the first 8 bytes of SHA-256(seed, labels...)");
        streams.put("labels", List.of("[task, split, 'ground_truth', index]", "[task, split, 'mask', index] or [task, 'mask']",
                "[task, split, 'coil_maps', index]", "[task, split, 'phase', index] (image folders)",
                "[task, split, 'noise', index]"));
        out.convention("random_streams", streams);
        out.convention("dtype", "float32 files; measurements computed in float64 from the stored float32 x and parameters");
    }
}
