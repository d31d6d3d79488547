package org.deqbench.nn;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deqbench.solve.Lanczos;
import org.deqbench.solve.PowerIteration;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Spectral normalisation of every convolution by its true operator norm, for MOL-SN's certified
 * Lipschitz bound (Pramanik, Zimmerman, Jacob, IEEE TCI 2023; power-iteration normalisation after
 * Miyato et al., ICLR 2018, but on the convolution operator rather than the reshaped kernel, and
 * with Lanczos cycles instead of single power steps, see {@link Lanczos}).
 *
 * <p>For raw weights V_l (l = 0 … n−1) and the convolution C_V on H×W images (or D×H×W volumes
 * for a 3D network: the same formulas with conv3d, {@link Settings#spatialShape()} of rank 3):
 * <pre>
 *   σ_l = ⟨u_l, C_{V_l} v_l⟩ = ‖C_{V_l} v_l‖   (v_l from Lanczos on C^T C, u_l = C v_l/‖C v_l‖)
 *   W_l = c · V_l / σ_l,    c = (L·(1 − s))^{1/n}
 * </pre>
 * so ‖C_{W_l}‖ ≈ c and Π_l ‖C_{W_l}‖ ≈ L(1 − s) ≤ L, the target; with 1-Lipschitz activations the
 * network is then L-Lipschitz and MOL's F = I − H is (1 − L)-monotone. The slack s covers what the
 * power iteration has not yet converged (its Rayleigh estimate approaches σ from below) and float32
 * rounding; it is an engineering margin, not a proof — the certificate is the proven bound of the
 * trained weights ({@link ConvolutionNormBound#chain}), which Lanczos estimates are not. The vectors v_l persist across {@link #refresh} calls, so
 * after a training step a few warm-started iterations suffice.
 *
 * <p>Gradients: with u_l, v_l held fixed (exact at convergence, where ∂σ_max/∂V = ∂⟨u, C_V v⟩/∂V),
 * <pre>
 *   ∂L/∂V = (c/σ) (G − (⟨G, V⟩/σ) S),   G = ∂L/∂W,   S = ∂⟨u, C_V v⟩/∂V
 * </pre>
 * S is linear in nothing that changes between refreshes and is computed once per refresh by a
 * small SameDiff graph.
 *
 * <p>The norm depends on the image size (zero padding): normalise on the size the network is
 * trained on and certify on the size it is applied to ({@link ConvNet#layerOperators}).
 */
public final class SpectralNormalization {

    /**
     * @param target            L, bound on the product of layer norms, in (0, 1) for MOL
     * @param spatialShape      image size the norms are taken on: {@code {H, W}} for a 2D network,
     *                          {@code {D, H, W}} for a 3D one (2D+time: frames as D)
     * @param initialIterations applications of C^T C per layer when the network is created
     * @param maxIterations     applications per layer and {@link #refresh} (warm-started); 0 holds
     *                          the vectors fixed after creation (σ is still recomputed from them)
     * @param tolerance         relative eigen-residual at which the iteration stops early
     * @param slack             s: layers are scaled to L·(1 − s) to absorb the estimate's error
     */
    public record Settings(double target, long[] spatialShape, int initialIterations, int maxIterations,
                           double tolerance, double slack) {
        public Settings {
            if (!(target > 0)) {
                throw new IllegalArgumentException("network.lipschitz_target: expected > 0, got " + target);
            }
            if (spatialShape == null || (spatialShape.length != 2 && spatialShape.length != 3)) {
                throw new IllegalArgumentException("spectral normalisation needs an image size {H, W} or a volume size"
                        + " {D, H, W}, got " + (spatialShape == null ? "none" : Arrays.toString(spatialShape)));
            }
            for (long n : spatialShape) {
                if (n < 1) {
                    throw new IllegalArgumentException("spectral normalisation image size must be positive, got "
                            + Arrays.toString(spatialShape));
                }
            }
            spatialShape = spatialShape.clone();
            if (initialIterations < 1 || maxIterations < 0 || !(tolerance >= 0) || !(slack >= 0 && slack < 1)) {
                throw new IllegalArgumentException("spectral normalisation needs initialIterations >= 1,"
                        + " maxIterations >= 0, tolerance >= 0, slack in [0, 1); got " + initialIterations + ", "
                        + maxIterations + ", " + tolerance + ", " + slack);
            }
        }

        /** Settings for a 2D network on {@code height}×{@code width} images. */
        public Settings(double target, int height, int width, int initialIterations, int maxIterations,
                        double tolerance, double slack) {
            this(target, new long[] {height, width}, initialIterations, maxIterations, tolerance, slack);
        }

        /**
         * Defaults: 160 applications at creation, then 16 warm-started ones (one Lanczos cycle)
         * per refresh, early stop at relative eigen-residual 1e-6, slack 1 %.
         */
        public static Settings of(double target, int height, int width) {
            return of(target, new long[] {height, width});
        }

        /** The defaults of {@link #of(double, int, int)} on images {@code {H, W}} or volumes {@code {D, H, W}}. */
        public static Settings of(double target, long... spatialShape) {
            return new Settings(target, spatialShape, 160, 16, 1e-6, 1e-2);
        }

        /** The image size (a copy). */
        @Override
        public long[] spatialShape() {
            return spatialShape.clone();
        }

        /** 2 for images, 3 for volumes. */
        public int spatialDims() {
            return spatialShape.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Settings other && Double.compare(target, other.target) == 0
                    && Arrays.equals(spatialShape, other.spatialShape) && initialIterations == other.initialIterations
                    && maxIterations == other.maxIterations && Double.compare(tolerance, other.tolerance) == 0
                    && Double.compare(slack, other.slack) == 0;
        }

        @Override
        public int hashCode() {
            return Objects.hash(target, Arrays.hashCode(spatialShape), initialIterations, maxIterations, tolerance,
                    slack);
        }

        @Override
        public String toString() {
            return "Settings[target=" + target + ", spatialShape=" + Arrays.toString(spatialShape)
                    + ", initialIterations=" + initialIterations + ", maxIterations=" + maxIterations
                    + ", tolerance=" + tolerance + ", slack=" + slack + "]";
        }
    }

    /**
     * Lanczos vectors kept per cycle. With single power steps instead (50 at creation, 10 per
     * refresh) the true norm product of the 8×8 test network rose to 1.005× its target within
     * three training steps that moved each weight by 2 %; 16-dimensional cycles stay below it.
     */
    private static final int KRYLOV_DIMENSION = 16;

    private final Settings settings;
    private final List<INDArray> raw;
    private final List<INDArray> normalised;
    private final INDArray[] u;
    private final INDArray[] v;
    private final double[] sigma;
    private final PowerIteration.Result[] last;
    private final long seed;
    private List<INDArray> sigmaGradients;
    private SameDiff sigmaGraph;

    /**
     * @param raw        raw weights V_l {@code [k, k, Cin, Cout]} or {@code [k, k, k, Cin, Cout]}, owned from
     *                   now on; their spatial rank must be that of the settings' image size
     * @param normalised arrays that receive W_l (the network graph's weights), same shapes
     */
    SpectralNormalization(Settings settings, List<INDArray> raw, List<INDArray> normalised, long seed) {
        this(settings, raw, normalised, seed, null, null);
        normalise(settings.initialIterations());
    }

    private SpectralNormalization(Settings settings, List<INDArray> raw, List<INDArray> normalised, long seed,
                                  INDArray[] u, INDArray[] v) {
        this.settings = settings;
        this.raw = raw;
        this.normalised = normalised;
        this.seed = seed;
        int n = raw.size();
        this.u = u == null ? new INDArray[n] : u;
        this.v = v == null ? new INDArray[n] : v;
        this.sigma = new double[n];
        this.last = new PowerIteration.Result[n];
        if (v == null) {
            for (int l = 0; l < n; l++) {
                ConvolutionOperator op = operator(l);
                this.v[l] = PowerIteration.randomStart(op.domainShape(), raw.get(l).dataType(), seed + l);
            }
        }
    }

    public Settings settings() {
        return settings;
    }

    /** c = (L·(1 − s))^{1/n}: the operator norm every normalised layer is scaled to. */
    public double layerScale() {
        return Math.pow(settings.target() * (1 - settings.slack()), 1.0 / raw.size());
    }

    /** σ_l of the raw weights at the last refresh. */
    public double[] rawNorms() {
        return sigma.clone();
    }

    /** The Lanczos results of the last refresh, one per layer (applications of C^T C, eigen-residual). */
    public List<PowerIteration.Result> lastIterations() {
        return Arrays.asList(last.clone());
    }

    /**
     * Re-estimates every σ_l by Lanczos cycles warm-started from the previous vectors and writes
     * W_l = c·V_l/σ_l into the network's weights. {@link ConvNet#setParameters} calls it.
     */
    public void refresh() {
        normalise(settings.maxIterations());
    }

    private void normalise(int iterations) {
        Lanczos lanczos = iterations > 0
                ? new Lanczos(Math.min(KRYLOV_DIMENSION, iterations), iterations, settings.tolerance()) : null;
        double c = layerScale();
        for (int l = 0; l < raw.size(); l++) {
            ConvolutionOperator op = operator(l);
            if (iterations > 0) {
                last[l] = lanczos.largestSingularValue(op::gram, v[l]);
                v[l] = last[l].vector().div(last[l].vector().norm2Number());
            }
            // σ = ‖C v‖ from the unit vector as kept (and saved), not renormalised again: a loaded
            // network then recomputes bit for bit the weights the saved one computed with.
            INDArray cv = op.apply(v[l]);
            double s = cv.norm2Number().doubleValue();
            if (!(s > 0) || Double.isInfinite(s)) {
                throw new IllegalStateException("layer " + l + " has operator norm " + s
                        + "; cannot normalise a zero or non-finite convolution");
            }
            sigma[l] = s;
            u[l] = cv.divi(cv.norm2Number());
            normalised.get(l).assign(raw.get(l).mul(c / s));
        }
        sigmaGradients = null;
    }

    INDArray rawWeight(int layer) {
        return raw.get(layer);
    }

    /** ∂L/∂V from ∂L/∂W (keys {@code w0, b0, …}; biases pass through). */
    Map<String, INDArray> rawGradient(Map<String, INDArray> graphGradients) {
        List<INDArray> s = sigmaGradients();
        double c = layerScale();
        Map<String, INDArray> out = new LinkedHashMap<>(graphGradients);
        for (int l = 0; l < raw.size(); l++) {
            String name = ConvNet.weightName(l);
            INDArray g = graphGradients.get(name);
            if (g == null) {
                continue;
            }
            INDArray vl = raw.get(l);
            double gv = g.castTo(DataType.DOUBLE).mul(vl.castTo(DataType.DOUBLE)).sumNumber().doubleValue();
            out.put(name, g.sub(s.get(l).mul(gv / sigma[l])).muli(c / sigma[l]));
        }
        return out;
    }

    /** S_l = ∂⟨u_l, C_V v_l⟩/∂V_l for all layers in one backward pass of a small graph. */
    private List<INDArray> sigmaGradients() {
        if (sigmaGradients != null) {
            return sigmaGradients;
        }
        if (sigmaGraph == null) {
            sigmaGraph = SameDiff.create();
            List<SDVariable> terms = new ArrayList<>();
            for (int l = 0; l < raw.size(); l++) {
                ConvolutionOperator op = operator(l);
                SDVariable vl = sigmaGraph.placeHolder("v" + l, raw.get(l).dataType(), v[l].shape());
                SDVariable ul = sigmaGraph.placeHolder("u" + l, raw.get(l).dataType(), u[l].shape());
                SDVariable w = sigmaGraph.var("V" + l, raw.get(l));
                SDVariable conv = ConvolutionOperator.convolution(sigmaGraph, vl, w, null, op.spatialDims(),
                        op.kernel(), false);
                terms.add(sigmaGraph.sum(conv.mul(ul)));
            }
            SDVariable total = terms.get(0);
            for (int l = 1; l < terms.size(); l++) {
                total = total.add(terms.get(l));
            }
            total.rename("sigma_sum");
            sigmaGraph.setLossVariables("sigma_sum");
        }
        Map<String, INDArray> feed = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (int l = 0; l < raw.size(); l++) {
            feed.put("v" + l, v[l]);
            feed.put("u" + l, u[l]);
            names.add("V" + l);
        }
        Map<String, INDArray> g = sigmaGraph.calculateGradients(feed, names);
        List<INDArray> s = new ArrayList<>();
        for (int l = 0; l < raw.size(); l++) {
            s.add(g.get("V" + l));
        }
        sigmaGradients = s;
        return s;
    }

    private ConvolutionOperator operator(int l) {
        return new ConvolutionOperator(raw.get(l), settings.spatialShape());
    }

    void save(Path dir) throws IOException {
        for (int l = 0; l < raw.size(); l++) {
            Nd4j.writeAsNumpy(raw.get(l), file(dir, "raw_w", l));
            Nd4j.writeAsNumpy(u[l], file(dir, "sn_u", l));
            Nd4j.writeAsNumpy(v[l], file(dir, "sn_v", l));
        }
    }

    /**
     * Restores the raw weights and power-iteration vectors saved beside a network and recomputes
     * the normalised weights from them without further iterations, so a loaded network computes
     * what the saved one did.
     */
    static SpectralNormalization load(Path dir, Settings settings, List<INDArray> normalised, DataType dtype) {
        int n = normalised.size();
        List<INDArray> raw = new ArrayList<>();
        INDArray[] u = new INDArray[n];
        INDArray[] v = new INDArray[n];
        for (int l = 0; l < n; l++) {
            raw.add(read(dir, "raw_w", l, dtype));
            u[l] = read(dir, "sn_u", l, dtype);
            v[l] = read(dir, "sn_v", l, dtype);
        }
        List<INDArray> stored = new ArrayList<>();
        for (INDArray w : normalised) {
            stored.add(w.dup());
        }
        SpectralNormalization sn = new SpectralNormalization(settings, raw, normalised, 0, u, v);
        sn.normalise(0);
        // the network computes with the weights it was saved with, bit for bit (a renewed normalisation
        // would move them by the Lanczos tolerance); the state above serves further training
        for (int l = 0; l < n; l++) {
            normalised.get(l).assign(stored.get(l));
        }
        return sn;
    }

    private static File file(Path dir, String stem, int layer) {
        return dir.resolve(stem + layer + ".npy").toFile();
    }

    private static INDArray read(Path dir, String stem, int layer, DataType dtype) {
        File f = file(dir, stem, layer);
        if (!Files.isRegularFile(f.toPath())) {
            throw new IllegalArgumentException("spectrally normalised network in " + dir + " lacks " + f.getName());
        }
        try {
            return Nd4j.createFromNpyFile(f).castTo(dtype).dup();
        } catch (RuntimeException e) {
            throw new UncheckedIOException(new IOException("cannot read " + f, e));
        }
    }
}
