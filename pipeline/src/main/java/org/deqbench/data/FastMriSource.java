package org.deqbench.data;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.deqbench.physics.Fft2;
import org.deqbench.physics.ForwardModels;
import org.deqbench.spec.Problem;
import org.deqbench.spec.TaskSpec;

/**
 * Ground truth and coil maps from fully sampled multi-coil k-space in the fastMRI layout: dataset
 * {@code kspace} [slices, coils, H0, W0], complex, centred (DC at [H0/2, W0/2], the convention of
 * fastMRI's {@code fft2c}, which is {@link Fft2}'s); an optional {@code reconstruction_rss} is not
 * needed. Slice i of the file is training example i; the test split takes the slices after the
 * training ones.
 *
 * <p>Per slice: coil images I_c = F^H k_c, centre-cropped to the task size [H, W] (removing
 * fastMRI's readout oversampling, as fastMRI's own centre crop does); coil maps estimated from
 * the centre of k-space — L_c = F^H(g ⊙ F I_c) with a Gaussian window g of standard deviation
 * H/16 × W/16 around DC, S_c = L_c / sqrt(Σ_c' |L_c'|² + ε), ε = 1e-12 · max Σ|L|² — so that
 * Σ_c |S_c|² ≈ 1; and the ground truth is the coil combination x = Σ_c conj(S_c) I_c, scaled to
 * max |x| = 1. Measurements are then simulated from x and S like phantoms' (so that A x = b
 * holds exactly up to the added noise). The file fixes the number of coils ({@code mri.coils}
 * is ignored).
 */
final class FastMriSource implements GroundTruthSource {
    static final String KSPACE = "kspace";
    private static final String EXPECTED = "kspace [slices, coils, H, W], complex (fastMRI layout)";

    private final TaskSpec task;
    private final Hdf5Reader reader;
    private final int coils;
    private final int h0;
    private final int w0;

    FastMriSource(TaskSpec task, Path file) {
        this.task = task;
        this.reader = new Hdf5Reader(file, "task '" + task.name() + "' (source.layout fastmri)");
        int[] dims = reader.complexDims(KSPACE, EXPECTED);
        if (dims.length != 4) {
            reader.close();
            throw new IllegalArgumentException("task '" + task.name() + "': dataset '" + KSPACE + "' of " + file
                    + " has shape " + java.util.Arrays.toString(dims) + "; expected " + EXPECTED);
        }
        this.coils = dims[1];
        this.h0 = dims[2];
        this.w0 = dims[3];
        if (task.height() > h0 || task.width() > w0) {
            reader.close();
            throw new IllegalArgumentException("task '" + task.name() + "': size " + task.size()
                    + " is larger than the k-space of " + file + " (" + h0 + "x" + w0 + "); choose a size ≤ that");
        }
        if (task.train() + task.test() > dims[0]) {
            reader.close();
            throw new IllegalArgumentException("task '" + task.name() + "': " + file + " holds " + dims[0]
                    + " slices; train + test = " + (task.train() + task.test()) + " are needed");
        }
    }

    @Override
    public Example example(String split, int index) {
        int slice = GroundTruthSource.position(task, split, index);
        double[] k = reader.complex(KSPACE, EXPECTED, slice, 1); // [2, coils, H0, W0]
        int h = task.height();
        int w = task.width();
        int p0 = h0 * w0;
        int p = h * w;
        int block = coils * p0;
        Fft2 full = new Fft2(h0, w0);
        Fft2 small = new Fft2(h, w);
        double[] images = new double[coils * 2 * p];
        double[] low = new double[coils * 2 * p];
        double[] coil = new double[2 * p0];
        double[] tmp = new double[2 * p];
        int r0 = h0 / 2 - h / 2;
        int c0 = w0 / 2 - w / 2;
        double[] window = new double[p];
        double sy = Math.max(1.0, h / 16.0);
        double sx = Math.max(1.0, w / 16.0);
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                double dy = (r - h / 2) / sy;
                double dx = (c - w / 2) / sx;
                window[r * w + c] = Math.exp(-(dy * dy + dx * dx) / 2);
            }
        }
        for (int c = 0; c < coils; c++) {
            full.transform(k, c * p0, block + c * p0, coil, 0, p0, true);
            int io = c * 2 * p;
            for (int r = 0; r < h; r++) {
                System.arraycopy(coil, (r0 + r) * w0 + c0, images, io + r * w, w);
                System.arraycopy(coil, p0 + (r0 + r) * w0 + c0, images, io + p + r * w, w);
            }
            small.forward(images, io, tmp, 0);
            for (int i = 0; i < p; i++) {
                tmp[i] *= window[i];
                tmp[p + i] *= window[i];
            }
            small.inverse(tmp, 0, low, io);
        }
        double[] ss = new double[p];
        double max = 0;
        for (int i = 0; i < p; i++) {
            for (int c = 0; c < coils; c++) {
                double re = low[c * 2 * p + i];
                double im = low[c * 2 * p + p + i];
                ss[i] += re * re + im * im;
            }
            max = Math.max(max, ss[i]);
        }
        double eps = 1e-12 * max;
        double[] maps = new double[coils * 2 * p];
        double[] x = new double[2 * p];
        for (int i = 0; i < p; i++) {
            double n = 1 / Math.sqrt(ss[i] + eps);
            for (int c = 0; c < coils; c++) {
                double sr = low[c * 2 * p + i] * n;
                double si = low[c * 2 * p + p + i] * n;
                maps[c * 2 * p + i] = sr;
                maps[c * 2 * p + p + i] = si;
                double ir = images[c * 2 * p + i];
                double ii = images[c * 2 * p + p + i];
                x[i] += sr * ir + si * ii;
                x[p + i] += sr * ii - si * ir;
            }
        }
        double m = 0;
        for (int i = 0; i < p; i++) {
            m = Math.max(m, Math.hypot(x[i], x[p + i]));
        }
        if (m > 0) {
            for (int i = 0; i < x.length; i++) {
                x[i] /= m;
            }
        }
        return task.problem() == Problem.SINGLE_COIL_MRI ? new Example(x, Map.of())
                : new Example(x, Map.of(ForwardModels.COIL_MAPS, maps));
    }

    @Override
    public Set<String> providedParameters() {
        return task.problem() == Problem.SINGLE_COIL_MRI ? Set.of() : Set.of(ForwardModels.COIL_MAPS);
    }

    @Override
    public int coils() {
        return task.problem() == Problem.SINGLE_COIL_MRI ? 1 : coils;
    }

    @Override
    public String describe() {
        return "fastMRI k-space " + reader.file() + " (" + coils + " coils, " + h0 + "x" + w0 + "): x = sum_c conj(S_c) I_c"
                + " of the centre-cropped coil images, S estimated from the Gaussian-windowed k-space centre";
    }

    @Override
    public void close() {
        reader.close();
    }
}
