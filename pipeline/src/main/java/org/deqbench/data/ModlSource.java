package org.deqbench.data;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.deqbench.physics.ForwardModels;
import org.deqbench.spec.Problem;
import org.deqbench.spec.TaskSpec;

/**
 * Ground truth, coil maps and masks from an HDF5 file in the layout of MoDL's
 * {@code dataset.hdf5} (Aggarwal et al. 2019): {@code trnOrg} [N, H, W] complex images,
 * {@code trnCsm} [N, coils, H, W] complex coil maps, {@code trnMask} [N, H, W] sampling masks,
 * and {@code tstOrg} / {@code tstCsm} / {@code tstMask} for the test split; the first
 * {@code train} (resp. {@code test}) items are used. The task size must equal [H, W].
 *
 * <p>MoDL's forward model uses the uncentred FFT ({@code np.fft.fft2(csm * x) / sqrt(H W)}), so
 * its masks have DC at [0, 0]; they are moved to this benchmark's centred layout with
 * {@code np.fft.fftshift(mask)} (the two problems differ only by a fixed unitary modulation of
 * k-space). Masks become 0/1. Images are scaled to max |x| = 1; {@code mri.coils} and the spec's
 * mask settings are ignored.
 */
final class ModlSource implements GroundTruthSource {
    private final TaskSpec task;
    private final Hdf5Reader reader;
    private final int coils;

    ModlSource(TaskSpec task, Path file) {
        this.task = task;
        this.reader = new Hdf5Reader(file, "task '" + task.name() + "' (source.layout modl)");
        try {
            int[] org = reader.complexDims("trnOrg", "trnOrg [N, H, W] complex (MoDL layout)");
            int[] csm = reader.complexDims("trnCsm", "trnCsm [N, coils, H, W] complex (MoDL layout)");
            reader.dataset("trnMask", "trnMask [N, H, W] (MoDL layout)");
            int[] tst = reader.complexDims("tstOrg", "tstOrg [N, H, W] complex (MoDL layout)");
            reader.dataset("tstCsm", "tstCsm [N, coils, H, W] complex (MoDL layout)");
            reader.dataset("tstMask", "tstMask [N, H, W] (MoDL layout)");
            if (org.length != 3 || csm.length != 4) {
                throw new IllegalArgumentException("task '" + task.name() + "': " + file + " has trnOrg "
                        + java.util.Arrays.toString(org) + " and trnCsm " + java.util.Arrays.toString(csm)
                        + "; expected [N, H, W] and [N, coils, H, W]");
            }
            if (org[1] != task.height() || org[2] != task.width()) {
                throw new IllegalArgumentException("task '" + task.name() + "': size " + task.size() + " differs from the images of "
                        + file + " (" + org[1] + "x" + org[2] + "); the MoDL layout needs size: [" + org[1] + ", " + org[2] + "]");
            }
            if (org[0] < task.train() || tst[0] < task.test()) {
                throw new IllegalArgumentException("task '" + task.name() + "': " + file + " holds " + org[0]
                        + " training and " + tst[0] + " test images; train = " + task.train() + " and test = "
                        + task.test() + " are needed");
            }
            this.coils = csm[1];
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    @Override
    public Example example(String split, int index) {
        String prefix = split.equals(SimulatedData.TRAIN) ? "trn" : "tst";
        int h = task.height();
        int w = task.width();
        int p = h * w;
        double[] x = reader.complex(prefix + "Org", "MoDL images", index, 1);
        double m = 0;
        for (int i = 0; i < p; i++) {
            m = Math.max(m, Math.hypot(x[i], x[p + i]));
        }
        if (m > 0) {
            for (int i = 0; i < x.length; i++) {
                x[i] /= m;
            }
        }
        double[] raw = reader.real(prefix + "Mask", "MoDL masks", index, 1);
        double[] mask = new double[p];
        int hb = h - h / 2;
        int wb = w - w / 2;
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                // fftshift: out[k] = in[(k + ceil(n/2)) mod n]
                mask[r * w + c] = raw[((r + hb) % h) * w + (c + wb) % w] != 0 ? 1 : 0;
            }
        }
        Map<String, double[]> params = new LinkedHashMap<>();
        params.put(ForwardModels.MASK, mask);
        if (task.problem() != Problem.SINGLE_COIL_MRI) {
            // [2, coils, H, W] → [coils, 2, H, W]
            double[] s = reader.complex(prefix + "Csm", "MoDL coil maps", index, 1);
            double[] maps = new double[coils * 2 * p];
            for (int c = 0; c < coils; c++) {
                System.arraycopy(s, c * p, maps, c * 2 * p, p);
                System.arraycopy(s, coils * p + c * p, maps, c * 2 * p + p, p);
            }
            params.put(ForwardModels.COIL_MAPS, maps);
        }
        return new Example(x, params);
    }

    @Override
    public Set<String> providedParameters() {
        return task.problem() == Problem.SINGLE_COIL_MRI ? Set.of(ForwardModels.MASK)
                : Set.of(ForwardModels.MASK, ForwardModels.COIL_MAPS);
    }

    @Override
    public int coils() {
        return task.problem() == Problem.SINGLE_COIL_MRI ? 1 : coils;
    }

    @Override
    public String describe() {
        return "MoDL-layout data " + reader.file() + " (" + coils + " coils): trn*/tst* images, coil maps and masks;"
                + " masks fftshift-ed to the centred layout";
    }

    @Override
    public void close() {
        reader.close();
    }
}
