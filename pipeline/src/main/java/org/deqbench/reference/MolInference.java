package org.deqbench.reference;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.deqbench.physics.MultiCoilMri;
import org.deqbench.recon.DeqReconstructor;
import org.deqbench.solve.SolveResult;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reconstruction of multi-coil MRI slices from numpy files with a MOL model folder
 * ({@link ImportedMolModel}). Array layouts (float32 or float64 {@code .npy}; complex values as a
 * real/imaginary axis of length 2, deqbench's layout, because ND4J reads no complex dtype):
 * <pre>
 *   measurements b   [N, C, 2, H, W]  or one slice [C, 2, H, W]   (k-space, centred, orthonormal FFT)
 *   coil maps S      [N, C, 2, H, W]  or [C, 2, H, W] (shared by all slices)
 *   mask M           [N, H, W]        or [H, W] (shared)
 *   output x         [N, 2, H, W]     float32 (real, imaginary)
 * </pre>
 * A numpy complex array {@code z} of shape [N, C, H, W] becomes this layout with
 * {@code np.stack([z.real, z.imag], axis=2).astype(np.float32)}; complex files are rejected with
 * that hint.
 */
public final class MolInference {
    private MolInference() {
    }

    /** The arrays of one inference, checked and broadcast to N slices. */
    public record Inputs(INDArray measurements, INDArray coilMaps, INDArray masks) {
        public int slices() {
            return (int) measurements.size(0);
        }
    }

    /**
     * The reconstruction and how the solve went.
     *
     * @param x              [N, 2, H, W]
     * @param iterations     iterations of the slowest slice
     * @param cnnEvaluations applications of the iteration map (one CNN forward each) to the batch
     * @param converged      every slice met the tolerance within the cap
     * @param residual       worst final relative change ‖x⁺ − x‖/‖x⁺‖
     * @param seconds        wall time of x₀ and the fixed-point solve
     */
    public record Result(INDArray x, int iterations, int cnnEvaluations, boolean converged, double residual,
                         double seconds, double tolerance, int maxIterations, String solver) {
    }

    /** Reads and checks the three arrays. */
    public static Inputs read(Path measurements, Path coilMaps, Path mask) {
        INDArray b = load(measurements, "measurements");
        INDArray s = load(coilMaps, "coil maps");
        INDArray m = load(mask, "mask");
        if (b.rank() == 4) {
            b = b.reshape(1, b.size(0), b.size(1), b.size(2), b.size(3));
        }
        if (b.rank() != 5 || b.size(2) != 2) {
            throw new IllegalArgumentException(measurements + ": measurements must be [N, coils, 2, H, W] or "
                    + "[coils, 2, H, W] (real/imaginary on the axis of length 2), found " + Arrays.toString(b.shape()));
        }
        long n = b.size(0);
        long coils = b.size(1);
        long h = b.size(3);
        long w = b.size(4);
        if (s.rank() == 4) {
            s = s.reshape(1, s.size(0), s.size(1), s.size(2), s.size(3));
        }
        if (s.rank() != 5 || s.size(1) != coils || s.size(2) != 2 || s.size(3) != h || s.size(4) != w
                || (s.size(0) != n && s.size(0) != 1)) {
            throw new IllegalArgumentException(coilMaps + ": coil maps must be [" + n + " or 1, " + coils + ", 2, " + h
                    + ", " + w + "] to match the measurements, found " + Arrays.toString(s.shape()));
        }
        if (m.rank() == 2) {
            m = m.reshape(1, m.size(0), m.size(1));
        }
        if (m.rank() != 3 || m.size(1) != h || m.size(2) != w || (m.size(0) != n && m.size(0) != 1)) {
            throw new IllegalArgumentException(mask + ": mask must be [" + n + " or 1, " + h + ", " + w + "] or ["
                    + h + ", " + w + "], found " + Arrays.toString(m.shape()));
        }
        if (s.size(0) != n) {
            s = Nd4j.concat(0, repeat(s, n));
        }
        if (m.size(0) != n) {
            m = Nd4j.concat(0, repeat(m, n));
        }
        return new Inputs(b.castTo(DataType.FLOAT), s.castTo(DataType.FLOAT), m.castTo(DataType.FLOAT));
    }

    private static INDArray[] repeat(INDArray a, long n) {
        INDArray[] out = new INDArray[(int) n];
        Arrays.fill(out, a);
        return out;
    }

    /** Reconstructs every slice with the model's solver settings. */
    public static Result run(ImportedMolModel.Loaded model, Inputs in) {
        DeqReconstructor r = model.reconstructor();
        MultiCoilMri op = new MultiCoilMri(in.coilMaps(), in.masks());
        long t0 = System.nanoTime();
        DeqReconstructor.Forward f = r.forward(in.measurements(), op, null);
        double seconds = (System.nanoTime() - t0) / 1e9;
        SolveResult s = f.solve();
        return new Result(f.x().castTo(DataType.FLOAT), s.iterations(), s.mapEvaluations(), s.converged(),
                s.finalResidual(), seconds, r.deq().tolerance(), r.deq().maxIterations(), r.deq().solver());
    }

    private static INDArray load(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such " + what + " file");
        }
        String descr = npyDescr(file);
        if (descr.contains("c8") || descr.contains("c16")) {
            throw new IllegalArgumentException(file + ": " + what + " are a complex numpy array (" + descr + "); save "
                    + "them with the real/imaginary axis instead: np.stack([z.real, z.imag], axis=-3).astype(np.float32)");
        }
        try {
            return Nd4j.createFromNpyFile(file.toFile());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": cannot be read as a .npy array (" + e.getMessage() + ")");
        }
    }

    /** The dtype descriptor of a {@code .npy} header ({@code '<f4'}, {@code '<c8'}, …), "" if none is found. */
    private static String npyDescr(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            String head = new String(in.readNBytes(256), StandardCharsets.ISO_8859_1);
            if (!head.startsWith("\u0093NUMPY")) {
                throw new IllegalArgumentException(file + ": not a .npy file (no \\x93NUMPY magic)");
            }
            int i = head.indexOf("'descr':");
            if (i < 0) {
                return "";
            }
            int a = head.indexOf('\'', i + 8);
            int b = head.indexOf('\'', a + 1);
            return a < 0 || b < 0 ? "" : head.substring(a + 1, b);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot be read (" + e.getMessage() + ")");
        }
    }
}
