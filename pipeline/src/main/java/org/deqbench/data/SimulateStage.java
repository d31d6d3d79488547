package org.deqbench.data;

import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deqbench.physics.CoilMaps;
import org.deqbench.physics.ForwardModels;
import org.deqbench.physics.HostArrays;
import org.deqbench.physics.LinearOperator;
import org.deqbench.physics.Masks;
import org.deqbench.physics.Noise;
import org.deqbench.physics.Seeds;
import org.deqbench.plan.NodeContext;
import org.deqbench.plan.NodeOutput;
import org.deqbench.plan.Stage;
import org.deqbench.spec.MriSpec;
import org.deqbench.spec.SpecLoader;
import org.deqbench.spec.TaskSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The {@code simulate} stage: turns a task spec into a data set in the run store — ground truth,
 * operator parameters and noisy measurements b = A x + n for a train and a test split — with a
 * manifest complete enough to rebuild b from x in numpy (see {@link SimulatedData} for the
 * layout).
 *
 * <p>Every random quantity has its own stream ({@link Seeds}) labelled by (task, split, what,
 * example index), so the same spec and seed give bit-identical files regardless of shard size.
 * Measurements are computed from the float32 ground truth and parameters exactly as stored.
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
        switch (task.problem()) {
            case MRI -> {
                for (String split : List.of(SimulatedData.TRAIN, SimulatedData.TEST)) {
                    simulateMri(out, task, seed, split);
                }
                mriConventions(out, task, seed);
            }
            default -> throw new UnsupportedOperationException("simulate does not support problem '"
                    + task.problem().key() + "' yet (task '" + task.name() + "')");
        }
    }

    private static void writeTask(NodeOutput out, TaskSpec task) throws IOException {
        Files.writeString(out.resolve(SimulatedData.TASK_FILE), SpecLoader.canonicalMapper()
                .writerWithDefaultPrettyPrinter().writeValueAsString(task));
        out.addFile(SimulatedData.TASK_FILE, "task_spec", "json",
                "the task section of the experiment spec these data were simulated from (snake_case keys)");
    }

    private static int count(TaskSpec task, String split) {
        return split.equals(SimulatedData.TRAIN) ? task.train() : task.test();
    }

    /** File name of one shard of a per-example array: {@code role.npy} if unsharded. */
    static String shardFile(String split, String base, int shard, int shards) {
        return shards == 1 ? split + "/" + base + ".npy" : String.format("%s/%s.%05d.npy", split, base, shard);
    }

    private static void simulateMri(NodeOutput out, TaskSpec task, long seed, String split) {
        int n = count(task, split);
        int h = task.height();
        int w = task.width();
        MriSpec mri = task.mri();
        int coils = mri.coils();
        int plane = h * w;
        int shardSize = task.shardSize();
        int shards = (n + shardSize - 1) / shardSize;
        double[] sharedMask = mri.maskPerExample() ? null
                : mask(task, Seeds.random(seed, task.name(), split, "mask"));
        for (int s = 0; s < shards; s++) {
            int from = s * shardSize;
            int m = Math.min(shardSize, n - from);
            double[] gt = new double[m * 2 * plane];
            double[] masks = new double[m * plane];
            double[] maps = new double[m * coils * 2 * plane];
            for (int i = 0; i < m; i++) {
                int index = from + i;
                double[] x = Phantoms.ellipses(h, w, true, Seeds.random(seed, task.name(), split, "ground_truth", index));
                System.arraycopy(scaleToMaxMagnitude(x, plane), 0, gt, i * 2 * plane, 2 * plane);
                double[] mask = sharedMask != null ? sharedMask
                        : mask(task, Seeds.random(seed, task.name(), split, "mask", index));
                System.arraycopy(mask, 0, masks, i * plane, plane);
                double[] s1 = CoilMaps.simulateValues(coils, h, w, Seeds.random(seed, task.name(), split, "coil_maps", index));
                System.arraycopy(s1, 0, maps, i * coils * 2 * plane, coils * 2 * plane);
            }
            INDArray gtArr = HostArrays.fromDouble(gt, new long[] {m, 2, h, w}, DataType.FLOAT);
            INDArray maskArr = HostArrays.fromDouble(masks, new long[] {m, h, w}, DataType.FLOAT);
            INDArray mapArr = HostArrays.fromDouble(maps, new long[] {m, coils, 2, h, w}, DataType.FLOAT);
            LinearOperator a = ForwardModels.operator(task, Map.of(ForwardModels.MASK, maskArr,
                    ForwardModels.COIL_MAPS, mapArr));
            double[] b = HostArrays.toDouble(a.apply(gtArr.castTo(DataType.DOUBLE)));
            int per = coils * 2 * plane;
            for (int i = 0; i < m; i++) {
                double[] y = new double[per];
                System.arraycopy(b, i * per, y, 0, per);
                Noise.addInPlace(y, task.noise().sigma(), Noise.stream(seed, task.name(), split, from + i),
                        java.util.Arrays.copyOfRange(masks, i * plane, (i + 1) * plane));
                System.arraycopy(y, 0, b, i * per, per);
            }
            INDArray bArr = HostArrays.fromDouble(b, new long[] {m, coils, 2, h, w}, DataType.FLOAT);
            out.writeArray(shardFile(split, "ground_truth", s, shards), gtArr, SimulatedSplit.GROUND_TRUTH,
                    "complex images x [N, 2, H, W] (real, imag), each scaled to max |x| = 1");
            out.writeArray(shardFile(split, "measurements", s, shards), bArr, SimulatedSplit.MEASUREMENTS,
                    "k-space b[n, c] = masks[n] * F(coil_maps[n, c] * x[n]) + masks[n] * noise, [N, coils, 2, H, W]");
            out.writeArray(shardFile(split, "masks", s, shards), maskArr, ForwardModels.MASK,
                    "k-space sampling masks [N, H, W], 1 = sampled, centred layout (DC at [H//2, W//2])");
            out.writeArray(shardFile(split, "coil_maps", s, shards), mapArr, ForwardModels.COIL_MAPS,
                    "coil sensitivity maps S [N, coils, 2, H, W], sum_c |S_c|^2 = 1 at every pixel");
        }
    }

    private static double[] mask(TaskSpec task, Random rng) {
        MriSpec mri = task.mri();
        double[] m = Masks.cartesianColumns(task.height(), task.width(), mri.acceleration(), mri.centreFraction(), rng);
        if (Masks.samplingRatio(m) == 0) {
            throw new IllegalArgumentException("task '" + task.name() + "': the mask samples nothing; check mri.acceleration");
        }
        return m;
    }

    /** Scales a complex image (planes [2, plane]) to max magnitude 1 (an all-zero image stays zero). */
    static double[] scaleToMaxMagnitude(double[] x, int plane) {
        double max = 0;
        for (int i = 0; i < plane; i++) {
            max = Math.max(max, Math.hypot(x[i], x[plane + i]));
        }
        if (max == 0) {
            return x;
        }
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] / max;
        }
        return y;
    }

    private static void mriConventions(NodeOutput out, TaskSpec task, long seed) {
        out.convention("problem", task.problem().key());
        out.convention("complex_layout", "the axis of size 2 just before the spatial axes holds (real, imaginary)");
        out.convention("fft", "orthonormal centred: F(x) = fftshift(fft2(ifftshift(x, axes=(-2, -1)), norm='ortho'),"
                + " axes=(-2, -1)); DC at [H//2, W//2]");
        out.convention("forward_model", "b[n, c] = masks[n] * F(coil_maps[n, c] * x[n]) + masks[n] * noise[n, c]"
                + " (complex arithmetic; A = M F S)");
        out.convention("mask", "cartesian phase-encode lines (columns); acceleration " + task.mri().acceleration()
                + ", centre fraction " + task.mri().centreFraction()
                + (task.mri().maskPerExample() ? ", a different mask per example" : ", one mask for all examples of a split"));
        out.convention("noise_sigma", task.noise().sigma());
        out.convention("noise", "white Gaussian, N(0, noise_sigma^2) per real component on sampled entries only; "
                + "E||b - A x||^2 = noise_sigma^2 * (number of measured real entries = 2 * coils * sum(mask))");
        out.convention("seed", seed);
        Map<String, Object> streams = new LinkedHashMap<>();
        streams.put("rule", "java.util.Random seeded by the first 8 bytes of SHA-256(seed, labels...)");
        streams.put("labels", List.of("[task, split, 'ground_truth', index]", "[task, split, 'mask'(, index)]",
                "[task, split, 'coil_maps', index]", "[task, split, 'noise', index]"));
        out.convention("random_streams", streams);
        out.convention("dtype", "float32 files; measurements computed in float64 from the stored float32 x and parameters");
    }
}
