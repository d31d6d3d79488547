package org.deqbench.physics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.deqbench.spec.MriSpec;
import org.deqbench.spec.Problem;
import org.deqbench.spec.TaskSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The forward model of every {@link Problem}: the shapes of its images and measurements, how its
 * operator parameters are drawn, and its operator built from parameters (as stored with the data,
 * named by manifest role). The {@code simulate} stage, the data reader and the operator tests all
 * go through here, so a data set can always be rebuilt into the operator that produced it.
 *
 * <table>
 *   <caption>operators by problem (shapes without the batch axis)</caption>
 *   <tr><th>problem</th><th>x</th><th>b = A x + n</th><th>A</th><th>parameters</th></tr>
 *   <tr><td>mri</td><td>[2, H, W]</td><td>[coils, 2, H, W]</td><td>M F S</td><td>mask [H, W], coil_maps [coils, 2, H, W]</td></tr>
 *   <tr><td>single-coil-mri</td><td>[2, H, W]</td><td>[1, 2, H, W]</td><td>M F</td><td>mask [H, W]</td></tr>
 *   <tr><td>dynamic-mri</td><td>[2, T, H, W]</td><td>[coils, 2, T, H, W]</td><td>M_t F S per frame</td><td>mask [T, H, W], coil_maps [coils, 2, H, W]</td></tr>
 *   <tr><td>mri-3d</td><td>[2, D, H, W]</td><td>[coils, 2, D, H, W]</td><td>M F₃ S</td><td>mask [D, H, W], coil_maps [coils, 2, D, H, W]</td></tr>
 *   <tr><td>denoise</td><td>[1, H, W]</td><td>[1, H, W]</td><td>I</td><td>—</td></tr>
 *   <tr><td>deblur</td><td>[1, H, W]</td><td>[1, H, W]</td><td>K ⊛ (periodic)</td><td>kernel [k, k] (shared)</td></tr>
 *   <tr><td>super-resolution</td><td>[1, H, W]</td><td>[1, H/s, W/s]</td><td>D_s (K ⊛)</td><td>kernel [k, k] (shared), factor s</td></tr>
 *   <tr><td>inpaint</td><td>[1, H, W]</td><td>[1, H, W]</td><td>m ⊙</td><td>mask [H, W]</td></tr>
 * </table>
 */
public final class ForwardModels {
    /** Role of per-example sampling / pixel masks. */
    public static final String MASK = "mask";
    /** Role of per-example coil maps. */
    public static final String COIL_MAPS = "coil_maps";
    /** Role of the blur kernel shared by all examples. */
    public static final String KERNEL = "kernel";

    private ForwardModels() {
    }

    /** Image channels: 2 (real, imaginary) for MRI, 1 for the real restoration problems. */
    public static int channels(TaskSpec t) {
        return t.problem().complex() ? 2 : 1;
    }

    /** Whether images have a frame/slice axis: {@code [C, T, H, W]}. */
    public static boolean hasFrames(TaskSpec t) {
        return t.problem() == Problem.DYNAMIC_MRI || t.problem() == Problem.MRI_3D;
    }

    /** Shape of one ground-truth example. */
    public static long[] imageShape(TaskSpec t) {
        return hasFrames(t) ? new long[] {2, t.frames(), t.height(), t.width()}
                : new long[] {channels(t), t.height(), t.width()};
    }

    /** Number of coils of the task: 1 for single-coil MRI, {@code mri.coils} for other MRI, 0 otherwise. */
    public static int coils(TaskSpec t) {
        if (!t.problem().isMri()) {
            return 0;
        }
        return t.problem() == Problem.SINGLE_COIL_MRI ? 1 : t.mri().coils();
    }

    /** Shapes of one example's own parameters, by role, for {@code coils} coils. */
    public static Map<String, long[]> exampleParameterShapes(TaskSpec t, int coils) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long h = t.height();
        long w = t.width();
        long f = t.frames();
        switch (t.problem()) {
            case MRI -> {
                m.put(MASK, new long[] {h, w});
                m.put(COIL_MAPS, new long[] {coils, 2, h, w});
            }
            case SINGLE_COIL_MRI -> m.put(MASK, new long[] {h, w});
            case DYNAMIC_MRI -> {
                m.put(MASK, new long[] {f, h, w});
                m.put(COIL_MAPS, new long[] {coils, 2, h, w});
            }
            case MRI_3D -> {
                m.put(MASK, new long[] {f, h, w});
                m.put(COIL_MAPS, new long[] {coils, 2, f, h, w});
            }
            case INPAINT -> m.put(MASK, new long[] {h, w});
            case DENOISE, DEBLUR, SUPER_RESOLUTION -> {
            }
        }
        return m;
    }

    /** Parameters shared by all examples of the task (the blur kernel), as float32 arrays. */
    public static Map<String, INDArray> sharedParameters(TaskSpec t) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        if (t.problem() == Problem.DEBLUR || t.problem() == Problem.SUPER_RESOLUTION) {
            int k = t.blur().kernelSize();
            if (k > Math.min(t.height(), t.width())) {
                throw new IllegalArgumentException("task '" + t.name() + "': blur.kernel_size " + k
                        + " is larger than the image " + t.height() + "x" + t.width());
            }
            m.put(KERNEL, HostArrays.fromDouble(Blur.gaussianKernel(k, t.blur().sigma()), new long[] {k, k}, DataType.FLOAT));
        }
        return m;
    }

    /**
     * Draws the parameters of example {@code index} of {@code split} (except the roles in
     * {@code provided}, which come from the data source). Streams, from {@link Seeds}:
     * masks {@code (task, split, "mask", index)} — or {@code (task, "mask")} for one mask shared
     * by every example of both splits when {@code mri.mask_per_example} is false — and coil maps
     * {@code (task, split, "coil_maps", index)}. Inpainting masks are always per example.
     */
    public static Map<String, double[]> drawExample(TaskSpec t, long seed, String split, int index, Set<String> provided) {
        Map<String, double[]> m = new LinkedHashMap<>();
        for (String role : exampleParameterShapes(t, coils(t)).keySet()) {
            if (provided.contains(role)) {
                continue;
            }
            switch (role) {
                case MASK -> {
                    boolean perExample = t.problem() == Problem.INPAINT || t.mri().maskPerExample();
                    Random rng = perExample ? Seeds.random(seed, t.name(), split, "mask", index)
                            : Seeds.random(seed, t.name(), "mask");
                    m.put(MASK, mask(t, rng));
                }
                case COIL_MAPS -> {
                    Random rng = Seeds.random(seed, t.name(), split, "coil_maps", index);
                    m.put(COIL_MAPS, t.problem() == Problem.MRI_3D
                            ? CoilMaps.simulateVolumeValues(coils(t), t.frames(), t.height(), t.width(), rng)
                            : CoilMaps.simulateValues(coils(t), t.height(), t.width(), rng));
                }
                default -> throw new AssertionError(role);
            }
        }
        return m;
    }

    /** One example's mask for the task's problem and mask settings. */
    public static double[] mask(TaskSpec t, Random rng) {
        int h = t.height();
        int w = t.width();
        if (t.problem() == Problem.INPAINT) {
            return Inpainting.randomMask(h, w, t.missingRatio(), rng);
        }
        MriSpec mri = t.mri();
        boolean cartesian = mri.mask().equals("cartesian");
        double[] m;
        switch (t.problem()) {
            case MRI, SINGLE_COIL_MRI -> m = frameMask(mri, cartesian, h, w, rng);
            case DYNAMIC_MRI -> {
                m = new double[t.frames() * h * w];
                for (int f = 0; f < t.frames(); f++) {
                    System.arraycopy(frameMask(mri, cartesian, h, w, rng), 0, m, f * h * w, h * w);
                }
            }
            case MRI_3D -> m = Masks.phaseEncodePlane(t.frames(), h, w,
                    cartesian ? 1 / mri.acceleration() : mri.samplingRatio(), mri.centreFraction(), rng);
            default -> throw new IllegalArgumentException("problem " + t.problem().key() + " has no mask");
        }
        if (Masks.samplingRatio(m) == 0) {
            throw new IllegalArgumentException("task '" + t.name() + "': the mask samples nothing; raise "
                    + (cartesian ? "mri.centre_fraction or lower mri.acceleration" : "mri.sampling_ratio"));
        }
        return m;
    }

    private static double[] frameMask(MriSpec mri, boolean cartesian, int h, int w, Random rng) {
        return cartesian ? Masks.cartesianColumns(h, w, mri.acceleration(), mri.centreFraction(), rng)
                : Masks.variableDensity(h, w, mri.samplingRatio(), mri.centreFraction(), rng);
    }

    /**
     * Where one example is measured, for adding noise only there (see {@link Noise#addInPlace}):
     * the mask (broadcast over coils and real/imaginary parts) for MRI and inpainting, null
     * (everywhere) otherwise.
     */
    public static double[] measuredSupport(TaskSpec t, Map<String, double[]> exampleParameters) {
        return t.problem().isMri() || t.problem() == Problem.INPAINT ? exampleParameters.get(MASK) : null;
    }

    /**
     * The operator of a batch of examples.
     *
     * @param params operator parameters by role; per-example ones {@code [B, ...]}, shared ones as
     *               returned by {@link #sharedParameters}
     */
    public static LinearOperator operator(TaskSpec task, Map<String, INDArray> params) {
        int h = task.height();
        int w = task.width();
        return switch (task.problem()) {
            case MRI -> new MultiCoilMri(required(task, params, COIL_MAPS), required(task, params, MASK));
            case SINGLE_COIL_MRI -> {
                INDArray mask = required(task, params, MASK);
                long b = mask.size(0);
                double[] ones = new double[Math.toIntExact(b * 2 * h * w)];
                for (int i = 0; i < b; i++) {
                    Arrays.fill(ones, i * 2 * h * w, i * 2 * h * w + h * w, 1.0);
                }
                yield new MultiCoilMri(HostArrays.fromDouble(ones, new long[] {b, 1, 2, h, w}, DataType.DOUBLE), mask);
            }
            case DYNAMIC_MRI -> MultiCoilMri.dynamic(required(task, params, COIL_MAPS), required(task, params, MASK));
            case MRI_3D -> MultiCoilMri.volume(required(task, params, COIL_MAPS), required(task, params, MASK));
            case DENOISE -> new Identity(1, h, w);
            case DEBLUR -> new Blur(required(task, params, KERNEL), 1, h, w);
            case SUPER_RESOLUTION -> {
                Blur blur = new Blur(required(task, params, KERNEL), 1, h, w);
                yield Operators.compose(new Decimation(task.factor(), 1, h, w), blur, blur.decimatedNorm(task.factor()));
            }
            case INPAINT -> new Inpainting(required(task, params, MASK), 1);
        };
    }

    /** Human-readable forward model for the manifest, in numpy terms. */
    public static String describe(TaskSpec t) {
        return switch (t.problem()) {
            case MRI -> "b[n, c] = masks[n] * F(coil_maps[n, c] * x[n]) + masks[n] * noise  (A = M F S)";
            case SINGLE_COIL_MRI -> "b[n, 0] = masks[n] * F(x[n]) + masks[n] * noise  (A = M F)";
            case DYNAMIC_MRI -> "b[n, c, :, t] = masks[n, t] * F(coil_maps[n, c] * x[n, :, t]) + masks[n, t] * noise"
                    + "  (2D F per frame t; maps shared by the frames)";
            case MRI_3D -> "b[n, c] = masks[n] * F3(coil_maps[n, c] * x[n]) + masks[n] * noise"
                    + "  (F3: orthonormal centred 3D FFT over (D, H, W); readout along H)";
            case DENOISE -> "b = x + noise";
            case DEBLUR -> "b[n, 0] = scipy.ndimage.convolve(x[n, 0], kernel, mode='wrap') + noise";
            case SUPER_RESOLUTION -> "b[n, 0] = scipy.ndimage.convolve(x[n, 0], kernel, mode='wrap')[::s, ::s] + noise,"
                    + " s = factor";
            case INPAINT -> "b[n, 0] = masks[n] * x[n, 0] + masks[n] * noise  (mask 1 = observed pixel)";
        };
    }

    private static INDArray required(TaskSpec task, Map<String, INDArray> params, String role) {
        INDArray a = params.get(role);
        if (a == null) {
            throw new IllegalArgumentException("task '" + task.name() + "' (" + task.problem().key()
                    + ") needs operator parameter '" + role + "'; found " + params.keySet());
        }
        return a;
    }
}
