package org.deqbench.data;

import org.deqbench.stage.SimulateStage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deqbench.physics.Fft2;
import org.deqbench.physics.Fft3;
import org.deqbench.physics.HostArrays;
import org.deqbench.plan.Manifest;
import org.deqbench.plan.ManifestEntry;
import org.deqbench.plan.NodeExecutor;
import org.deqbench.plan.NodeInput;
import org.deqbench.plan.RunStore;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.SpecLoader;
import org.deqbench.spec.TaskSpec;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The example specs under {@code experiments/} validate and simulate every task deterministically,
 * and their files are self-describing: the measurements are rebuilt from the ground truth and the
 * operator parameters using only the manifest's conventions (the way a numpy user would: centred
 * orthonormal FFT, coil products, masks, periodic convolution written out directly here, not the
 * pipeline's operators).
 */
class ExperimentSpecsSimulateTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"problems-tiny.yaml", "restoration.yaml"})
    void everyTaskSimulatesBitIdenticallyAndRebuildsFromItsManifest(String name) throws Exception {
        Path spec = Path.of("..", "experiments", name);
        ExperimentSpec s = SpecLoader.load(spec);
        for (TaskSpec task : s.tasks()) {
            Path a = NodeExecutor.run(new SimulateStage(), spec, tmp.resolve("a"), task.name(), null, false).dir();
            Path b = NodeExecutor.run(new SimulateStage(), spec, tmp.resolve("b"), task.name(), null, false).dir();
            List<Path> files = files(a);
            assertEquals(files, files(b), task.name());
            for (Path f : files) {
                assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)),
                        task.name() + ": " + f + " differs between two runs of the same spec");
            }
            NodeInput in = new RunStore(tmp.resolve("a")).input("simulate/" + task.name());
            for (String split : List.of("train", "test")) {
                rebuild(in, task, split);
            }
        }
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals(RunStore.MARKER))
                    .map(dir::relativize).sorted().toList();
        }
    }

    private static double[] byRole(NodeInput in, String split, String role, long[][] shape) {
        List<ManifestEntry> e = in.manifest().files().stream()
                .filter(f -> f.role().equals(role) && f.file().startsWith(split + "/")).toList();
        assertEquals(1, e.size(), "one " + role + " file in " + split + " (no shards at this size)");
        INDArray a = in.array(e.get(0).file());
        shape[0] = a.shape();
        return HostArrays.toDouble(a);
    }

    /**
     * b − A x from the files is the noise: its norm is σ·sqrt(m) for the manifest's m measured real
     * entries (recounted here from the masks), up to chi-square fluctuations of relative size
     * 1/sqrt(2m) ≤ 1 % at these sizes (m ≥ 4096), so ±8 % cannot fail by chance; it is exactly 0
     * where nothing is measured. The reader's operator gives the same residual (float32 round-off).
     */
    private static void rebuild(NodeInput in, TaskSpec task, String split) {
        Manifest manifest = in.manifest();
        long[][] xs = new long[1][];
        long[][] bs = new long[1][];
        long[][] ms = new long[1][];
        long[][] ss = new long[1][];
        double[] x = byRole(in, split, "ground_truth", xs);
        double[] b = byRole(in, split, "measurements", bs);
        String problem = (String) manifest.conventions().get("problem");
        assertEquals(task.problem().key(), problem);
        double sigma = ((Number) manifest.conventions().get("noise_sigma")).doubleValue();
        double[] ax = new double[b.length];
        double[] measured = new double[b.length]; // 1 where b is measured
        int n = (int) xs[0][0];
        switch (problem) {
            case "mri", "single-coil-mri", "dynamic-mri", "mri-3d" -> {
                double[] masks = byRole(in, split, "mask", ms);
                double[] maps = problem.equals("single-coil-mri") ? null : byRole(in, split, "coil_maps", ss);
                int coils = (int) bs[0][1];
                int h = task.height();
                int w = task.width();
                int frames = problem.equals("dynamic-mri") || problem.equals("mri-3d") ? task.frames() : 1;
                int plane = frames * h * w;
                int mapPlane = problem.equals("dynamic-mri") ? h * w : plane;
                Fft2 f2 = new Fft2(h, w);
                Fft3 f3 = problem.equals("mri-3d") ? new Fft3(frames, h, w) : null;
                double[] coil = new double[2 * plane];
                for (int i = 0; i < n; i++) {
                    for (int c = 0; c < coils; c++) {
                        int xo = i * 2 * plane;
                        int so = (i * coils + c) * 2 * mapPlane;
                        for (int p = 0; p < plane; p++) {
                            double sr = maps == null ? 1 : maps[so + p % mapPlane];
                            double si = maps == null ? 0 : maps[so + mapPlane + p % mapPlane];
                            coil[p] = sr * x[xo + p] - si * x[xo + plane + p];
                            coil[plane + p] = sr * x[xo + plane + p] + si * x[xo + p];
                        }
                        int bo = (i * coils + c) * 2 * plane;
                        if (f3 != null) {
                            f3.transform(coil, 0, plane, ax, bo, bo + plane, false);
                        } else {
                            for (int t = 0; t < frames; t++) {
                                f2.transform(coil, t * h * w, plane + t * h * w, ax, bo + t * h * w, bo + plane + t * h * w, false);
                            }
                        }
                        for (int p = 0; p < plane; p++) {
                            double m = masks[i * plane + p];
                            ax[bo + p] *= m;
                            ax[bo + plane + p] *= m;
                            measured[bo + p] = m;
                            measured[bo + plane + p] = m;
                        }
                    }
                }
            }
            case "denoise" -> {
                System.arraycopy(x, 0, ax, 0, x.length);
                java.util.Arrays.fill(measured, 1);
            }
            case "deblur", "super-resolution" -> {
                INDArray kernel = in.array("kernel.npy");
                int s = problem.equals("super-resolution") ? ((Number) manifest.conventions().get("factor")).intValue() : 1;
                int h = task.height();
                int w = task.width();
                int lo = (h / s) * (w / s);
                for (int i = 0; i < n; i++) {
                    double[] xi = java.util.Arrays.copyOfRange(x, i * h * w, (i + 1) * h * w);
                    System.arraycopy(convolveWrapDecimate(xi, h, w, HostArrays.toDouble(kernel), (int) kernel.size(0), s),
                            0, ax, i * lo, lo);
                }
                java.util.Arrays.fill(measured, 1);
            }
            case "inpaint" -> {
                double[] masks = byRole(in, split, "mask", ms);
                for (int p = 0; p < x.length; p++) {
                    ax[p] = x[p] * masks[p];
                    measured[p] = masks[p];
                }
            }
            default -> throw new AssertionError(problem);
        }
        double sq = 0;
        double outside = 0;
        long m = 0;
        double[] residual = new double[b.length];
        for (int p = 0; p < b.length; p++) {
            residual[p] = b[p] - ax[p];
            sq += residual[p] * residual[p];
            outside += measured[p] == 0 ? Math.abs(residual[p]) : 0;
            m += measured[p] != 0 ? 1 : 0;
        }
        @SuppressWarnings("unchecked")
        Map<String, Number> entries = (Map<String, Number>) manifest.conventions().get("measured_entries");
        assertEquals(m, entries.get(split).longValue(), task.name() + "/" + split + ": measured entries");
        double expected = sigma * Math.sqrt(m);
        assertEquals(expected, Math.sqrt(sq), 0.08 * expected, task.name() + "/" + split + ": ||b - A x|| vs sigma sqrt(m)");
        assertEquals(0, outside, 0, task.name() + "/" + split + ": nothing measured outside the mask");
        SimulatedSplit data = SimulatedData.load(in, split);
        double[] viaReader = HostArrays.toDouble(data.operator(0, data.size()).apply(data.groundTruth().castTo(DataType.DOUBLE)));
        double diff = 0;
        double norm = 0;
        for (int p = 0; p < b.length; p++) {
            diff += Math.pow(b[p] - viaReader[p] - residual[p], 2);
            norm += b[p] * b[p];
        }
        assertTrue(Math.sqrt(diff) <= 1e-5 * Math.sqrt(norm), task.name() + "/" + split
                + ": the reader's operator is the documented forward model (difference " + Math.sqrt(diff) + ")");
    }

    /** scipy.ndimage.convolve(x, k, mode='wrap')[::s, ::s] of one image [h, w], written out. */
    private static double[] convolveWrapDecimate(double[] xv, int h, int w, double[] kv, int ks, int s) {
        int c = ks / 2;
        double[] out = new double[(h / s) * (w / s)];
        for (int i = 0; i < h; i += s) {
            for (int j = 0; j < w; j += s) {
                double sum = 0;
                for (int a = 0; a < ks; a++) {
                    for (int bb = 0; bb < ks; bb++) {
                        sum += kv[a * ks + bb] * xv[Math.floorMod(i - a + c, h) * w + Math.floorMod(j - bb + c, w)];
                    }
                }
                out[(i / s) * (w / s) + j / s] = sum;
            }
        }
        return out;
    }
}
