package org.deqbench.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.deqbench.solve.SectionTimes;
import org.deqbench.spec.NetworkSpec;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The convolutional network of MoDL and MOL as a SameDiff graph: {@code layers} k×k convolutions
 * with bias (stride 1, zero "same" padding), {@code channels} wide, an activation between
 * consecutive convolutions and none after the last, no batch normalisation:
 * <pre>
 *   a₀ = x,   z_l = W_l ⋆ a_l + b_l,   a_{l+1} = φ(z_l)  (l &lt; n−1),   N(x) = z_{n−1}
 * </pre>
 * Default 5 layers, 3×3, 64 channels, ReLU, 2 channels in and out (complex images as real/imaginary
 * channels): 2→64→64→64→64→2 (Aggarwal et al., IEEE TMI 2019; Pramanik et al., IEEE TCI 2023).
 * N is the plain stack: MoDL's denoiser is D(x) = x − N(x) (N estimates the noise, the "residual"),
 * MOL's score is F = I − H with H = N; the skip connections belong to the methods, which keeps
 * Lipschitz(N) ≤ Π_l ‖W_l ⋆ ·‖₂ (φ is 1-Lipschitz) usable for certificates.
 *
 * <p><b>Spatial rank</b> ({@link Architecture#spatialDims()}): 2 for images {@code [B, C, H, W]}
 * (conv2d, k×k kernels), 3 for volumes and 2D+time sequences {@code [B, C, D, H, W]} (conv3d,
 * k×k×k kernels; for dynamic MRI the frames are D, so the network mixes neighbouring frames as
 * it mixes neighbouring pixels — the spatio-temporal CNN of MoDL/MOL on 2D+time and 3D data).
 * Everything else — activations, VJP, JVP, spectral normalisation, save/load — is the same
 * mathematics with one more axis. ELDER's explicit-gradient graph ({@link ElderRegularizer}) is
 * built for 2D networks only.
 *
 * <p><b>Lipschitz-bounded variant</b> ({@link #createSpectral}, MOL-SN): the graph's weights are
 * W_l = c·V_l/σ(V_l) with V_l the raw parameters and σ the true operator norm of the convolution on
 * the training image size, see {@link SpectralNormalization}. {@link #parameters()},
 * {@link #setParameters} and {@link #vjp} then speak of the raw V_l.
 *
 * <p><b>Performance.</b> {@link #forward} and {@link #vjp} run op by op on the native backend
 * ({@link DirectConvNet}: oneDNN convolutions and one {@code conv2d_bp}/{@code conv3dnew_bp} per
 * layer, no SameDiff session, channels first or channels last; or {@link ShiftedGemmConvNet}: one
 * gemm per kernel tap on padded channels-last buffers), on the {@link ConvolutionPath} that
 * {@link LayoutChoice} measured fastest for the input's shape; arrays in and out are always
 * channels first, NCHW {@code [B, C, H, W]} or NCDHW {@code [B, C, D, H, W]}. The SameDiff graph
 * (built once) serves {@link #jvp}, {@link #build} and {@link #save}, and checks the direct path
 * in the tests. Inputs of another dtype than the network's are cast. Not thread-safe.
 *
 * <p>Weights are {@code [k, k, Cin, Cout]} (SameDiff's YXIO layout) or {@code [k, k, k, Cin, Cout]}
 * (conv3d's {@code [kD, kH, kW, Cin, Cout]}), biases {@code [Cout]}, named {@code w0, b0, w1, b1, …};
 * He-normal initialisation N(0, 2/(k^d·Cin)) from a seed, zero biases.
 */
public final class ConvNet {
    /** Placeholder of the input batch {@code [B, Cin, H, W]} or {@code [B, Cin, D, H, W]}. */
    public static final String INPUT = "input";
    /** Name of N(x) in the graph. */
    public static final String OUTPUT = "output";
    /** Placeholder of the cotangent v {@code [B, Cout, …]} of a vector-Jacobian product. */
    public static final String COTANGENT = "cotangent";
    /** Placeholder of the tangent t {@code [B, Cin, …]} of a Jacobian-vector product. */
    public static final String TANGENT = "tangent";
    /** Name of J_x(x) t in the graph. */
    public static final String JVP = "jvp";
    /** Prefix of the parameter variables in every graph the network is built into. */
    public static final String VARIABLE_PREFIX = "convnet_";

    private static final String VJP_LOSS = "vjp_loss";
    private static final String PRE_ACTIVATION = "preactivation_";
    private static final String CONFIG_FILE = "network.json";
    private static final String GRAPH_FILE = "network.sdz";
    /**
     * Version of {@code network.json}. 2 added the spatial rank ({@code architecture.spatial_dims})
     * and replaced the spectral settings' {@code height}, {@code width} by {@code spatial_shape};
     * version 1 files (2D networks) are read as well.
     */
    static final int FORMAT_VERSION = 2;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    /**
     * The architecture.
     *
     * @param layers      number of convolutions n ≥ 2
     * @param channels    hidden width
     * @param kernel      odd kernel size k
     * @param activation  {@code relu}, {@code elu} (α = 1) or {@code softplus}
     * @param channelsIn  input channels (2 for complex images, 1 for real)
     * @param channelsOut output channels
     * @param spatialDims 2 (images {@code [B, C, H, W]}, conv2d) or 3 (volumes and 2D+time
     *                    sequences {@code [B, C, D, H, W]}, conv3d)
     */
    public record Architecture(int layers, int channels, int kernel, String activation, int channelsIn,
                               int channelsOut, int spatialDims) {
        public Architecture {
            if (spatialDims != 2 && spatialDims != 3) {
                throw new IllegalArgumentException("network spatial dimensions: expected 2 (images) or 3 (volumes,"
                        + " 2D+time), got " + spatialDims);
            }
            if (layers < 2) {
                throw new IllegalArgumentException("network.layers: expected >= 2, got " + layers);
            }
            if (channels < 1 || channelsIn < 1 || channelsOut < 1) {
                throw new IllegalArgumentException("network channels must be >= 1, got hidden " + channels
                        + ", in " + channelsIn + ", out " + channelsOut);
            }
            if (kernel < 1 || kernel % 2 == 0) {
                throw new IllegalArgumentException("network.kernel: expected an odd size >= 1, got " + kernel);
            }
            Activation.of(activation);
        }

        /** A 2D network. */
        public Architecture(int layers, int channels, int kernel, String activation, int channelsIn,
                            int channelsOut) {
            this(layers, channels, kernel, activation, channelsIn, channelsOut, 2);
        }

        /** Channels entering layer l (l = 0 … layers−1), and leaving it as {@code width(l + 1)}. */
        public int width(int l) {
            if (l == 0) {
                return channelsIn;
            }
            return l == layers ? channelsOut : channels;
        }

        /**
         * Multiply–add FLOPs of the convolutions for one H×W image or D×H×W volume:
         * Σ_l 2·k^d·Cin_l·Cout_l·(D·)H·W.
         */
        public double convolutionFlops(long... spatialShape) {
            if (spatialShape.length != spatialDims) {
                throw new IllegalArgumentException("a " + spatialDims + "D network needs " + spatialDims
                        + " spatial sizes, got " + Arrays.toString(spatialShape));
            }
            double voxels = 1;
            for (long n : spatialShape) {
                voxels *= n;
            }
            double flops = 0;
            for (int l = 0; l < layers; l++) {
                flops += 2.0 * Math.pow(kernel, spatialDims) * width(l) * width(l + 1) * voxels;
            }
            return flops;
        }

        /** Shape of layer l's weight: {@code [k, k, Cin_l, Cout_l]} or {@code [k, k, k, Cin_l, Cout_l]}. */
        long[] weightShape(int l) {
            long[] shape = new long[spatialDims + 2];
            Arrays.fill(shape, 0, spatialDims, kernel);
            shape[spatialDims] = width(l);
            shape[spatialDims + 1] = width(l + 1);
            return shape;
        }
    }

    /** (N(x), J_x^T v, J_θ^T v): a vector-Jacobian product with the value it was taken at. */
    public record Vjp(INDArray output, INDArray input, Map<String, INDArray> parameters) {
    }

    private final Architecture architecture;
    private final DataType dtype;
    /** The weights and biases the graph computes with (for the spectral variant: normalised). */
    private final List<INDArray> weights;
    private final List<INDArray> biases;
    private final SpectralNormalization spectral;
    private final SameDiff sd;
    private final Map<Layout, SameDiff> graphs = new java.util.EnumMap<>(Layout.class);
    private final List<String> gradientNames;
    private final DirectConvNet direct;
    private final ShiftedGemmConvNet shifted;
    private final Engine engine = Engine.fromProperty();
    /** Pinned paths of {@link #forward} and {@link #vjp}, or null: chosen per shape by {@link LayoutChoice}. */
    private ConvolutionPath forwardPath;
    private ConvolutionPath vjpPath;

    /**
     * How {@link #forward} and {@link #vjp} run: op by op ({@link DirectConvNet}, the default) or
     * through the SameDiff graph and its automatic differentiation in {@link #graphLayout()}
     * (the implementation before the direct one), selected by the system property
     * {@value #ENGINE_PROPERTY} ({@code direct} or {@code samediff}) so that a benchmark can
     * measure both in the same build.
     */
    enum Engine {
        DIRECT, SAMEDIFF;

        static Engine fromProperty() {
            String v = System.getProperty(ENGINE_PROPERTY, "direct").trim().toLowerCase(java.util.Locale.ROOT);
            return switch (v) {
                case "direct", "" -> DIRECT;
                case "samediff" -> SAMEDIFF;
                default -> throw new IllegalArgumentException("system property " + ENGINE_PROPERTY + "='" + v
                        + "': expected direct or samediff");
            };
        }
    }

    /** System property choosing the {@link Engine}. */
    static final String ENGINE_PROPERTY = "deqbench.network.engine";

    /**
     * Layout of the graph path ({@link Engine#SAMEDIFF}), as before the direct path: channels last
     * for 2D networks, channels first for 3D ones.
     */
    private Layout graphLayout() {
        return architecture.spatialDims() == 2 ? Layout.NHWC : Layout.NCHW;
    }

    /**
     * Memory layout of activations inside a graph (SameDiff's {@code dataFormat}): channels first
     * ({@code NCHW}; {@code NCDHW} for a 3D network) or channels last ({@code NHWC}; {@code NDHWC}).
     */
    enum Layout {
        NCHW, NHWC;

        /** Whether channels are the last axis. */
        boolean channelsLast() {
            return this == NHWC;
        }

        /** The layout's name for a network with {@code spatialDims} spatial axes (NCDHW, NDHWC for 3). */
        String dataFormat(int spatialDims) {
            if (spatialDims == 2) {
                return name();
            }
            return channelsLast() ? "NDHWC" : "NCDHW";
        }
    }

    private ConvNet(Architecture architecture, DataType dtype, List<INDArray> weights, List<INDArray> biases,
                    SpectralNormalization spectral) {
        if (!dtype.isFPType()) {
            throw new IllegalArgumentException("network dtype must be floating point, got " + dtype);
        }
        this.architecture = architecture;
        this.dtype = dtype;
        this.weights = weights;
        this.biases = biases;
        this.spectral = spectral;
        this.direct = new DirectConvNet(architecture, weights, biases);
        this.shifted = new ShiftedGemmConvNet(architecture, weights, biases);
        this.sd = graph(Layout.NCHW);
        buildTangent(sd);
        this.graphs.put(Layout.NCHW, sd);
        List<String> names = new ArrayList<>();
        names.add(INPUT);
        for (int l = 0; l < architecture.layers(); l++) {
            names.add(VARIABLE_PREFIX + weightName(l));
            names.add(VARIABLE_PREFIX + biasName(l));
        }
        this.gradientNames = List.copyOf(names);
    }

    /** An unconstrained 2D network from its spec, He-initialised from {@code seed}. */
    public static ConvNet create(NetworkSpec spec, int channelsIn, int channelsOut, long seed, DataType dtype) {
        return create(spec, 2, channelsIn, channelsOut, seed, dtype);
    }

    /**
     * An unconstrained network from its spec, He-initialised from {@code seed}: 2D
     * ({@code spatialDims = 2}, images {@code [B, C, H, W]}) or 3D ({@code 3}, volumes or 2D+time
     * sequences {@code [B, C, D, H, W]} with k×k×k kernels).
     */
    public static ConvNet create(NetworkSpec spec, int spatialDims, int channelsIn, int channelsOut, long seed,
                                 DataType dtype) {
        Architecture a = architecture(spec, spatialDims, channelsIn, channelsOut);
        return new ConvNet(a, dtype, initialWeights(a, seed, dtype), zeroBiases(a, dtype), null);
    }

    /**
     * RERG's regularizing gradient g_θ (Willingham, Sjöström, Guillemot, VISAPP 2024): the same
     * CNN mapping an image to a "gradient" of the same shape, which drives
     * x_{k+1} = x_k − η (A^T(A x_k − b) + λ g_θ(x_k)). One real channel in and out: the
     * restoration tasks (denoising, super-resolution, inpainting, deblurring) are real-valued.
     */
    public static ConvNet createRegularizingGradient(NetworkSpec spec, long seed, DataType dtype) {
        return create(spec, 1, 1, seed, dtype);
    }

    /**
     * MOL-SN's Lipschitz-bounded network: every convolution divided by its operator norm on
     * {@code height}×{@code width} images and scaled so the product of the layer norms is at most
     * {@code spec.lipschitzTarget()} (see {@link SpectralNormalization}).
     */
    public static ConvNet createSpectral(NetworkSpec spec, int channelsIn, int channelsOut, int height, int width,
                                         long seed, DataType dtype) {
        return createSpectral(spec, channelsIn, channelsOut,
                SpectralNormalization.Settings.of(spec.lipschitzTarget(), height, width), seed, dtype);
    }

    /**
     * MOL-SN's Lipschitz-bounded network on images ({@code spatialShape = {H, W}}: a 2D network) or
     * volumes and 2D+time sequences ({@code {D, H, W}}: a 3D network), normalised on that size
     * with the default {@link SpectralNormalization.Settings#of(double, long...) settings}.
     */
    public static ConvNet createSpectral(NetworkSpec spec, int channelsIn, int channelsOut, long[] spatialShape,
                                         long seed, DataType dtype) {
        return createSpectral(spec, channelsIn, channelsOut,
                SpectralNormalization.Settings.of(spec.lipschitzTarget(), spatialShape), seed, dtype);
    }

    /**
     * As {@link #createSpectral(NetworkSpec, int, int, long[], long, DataType)} with explicit
     * settings; the rank of {@link SpectralNormalization.Settings#spatialShape()} is the network's.
     */
    public static ConvNet createSpectral(NetworkSpec spec, int channelsIn, int channelsOut,
                                         SpectralNormalization.Settings settings, long seed, DataType dtype) {
        Architecture a = architecture(spec, settings.spatialDims(), channelsIn, channelsOut);
        List<INDArray> raw = initialWeights(a, seed, dtype);
        List<INDArray> normalised = new ArrayList<>();
        for (INDArray w : raw) {
            normalised.add(w.dup());
        }
        SpectralNormalization sn = new SpectralNormalization(settings, raw, normalised, seed);
        return new ConvNet(a, dtype, normalised, zeroBiases(a, dtype), sn);
    }

    private static Architecture architecture(NetworkSpec spec, int spatialDims, int channelsIn, int channelsOut) {
        return new Architecture(spec.layers(), spec.channels(), spec.kernel(), spec.activation(), channelsIn,
                channelsOut, spatialDims);
    }

    public Architecture architecture() {
        return architecture;
    }

    public DataType dataType() {
        return dtype;
    }

    /** The spectral normalisation of the Lipschitz-bounded variant, or {@code null}. */
    public SpectralNormalization spectralNormalization() {
        return spectral;
    }

    /** The network's own graph (placeholders {@value #INPUT}, {@value #COTANGENT}; output {@value #OUTPUT}). */
    public SameDiff graph() {
        return sd;
    }

    /** N(x) for x {@code [B, Cin, H, W]} (2D) or {@code [B, Cin, D, H, W]} (3D). */
    public INDArray forward(INDArray x) {
        try (SectionTimes.Scope ignored = SectionTimes.enter(SectionTimes.Section.CNN_FORWARD)) {
            return engine == Engine.SAMEDIFF ? graphForward(x, graphLayout()) : directForward(x);
        }
    }

    private INDArray directForward(INDArray x) {
        INDArray input = cast(x, INPUT, architecture.channelsIn());
        List<INDArray> copies = new ArrayList<>();
        ConvolutionPath path = forwardPath != null ? forwardPath
                : LayoutChoice.choose(LayoutChoice.Key.of(LayoutChoice.Kernel.FORWARD, architecture, dtype,
                        input.shape()), p -> {
                            INDArray in = layoutCopy(input, p.layout(), copies);
                            return () -> DirectConvNet.free(direct.forward(in, p.layout()));
                        }, () -> releaseMeasurement(copies));
        if (path == ConvolutionPath.GEMM) {
            return shifted.forward(input);
        }
        Layout layout = path.layout();
        INDArray in = toLayout(input, layout);
        INDArray out = direct.forward(in, layout);
        INDArray result = fromLayout(out, layout);
        if (layout.channelsLast()) {
            DirectConvNet.free(in);
            DirectConvNet.free(out);
        }
        return result;
    }

    /**
     * N(x), J_x(x)^T v and J_θ(x)^T v in one backward pass: the gradients of
     * ⟨N(x), v⟩ = sum(N(x) ⊙ v) with respect to the input and every parameter.
     * Parameter gradients are keyed like {@link #parameters()}. Runs op by op
     * ({@link DirectConvNet}: one {@code conv2d_bp} per layer, no SameDiff session).
     */
    public Vjp vjp(INDArray x, INDArray v) {
        try (SectionTimes.Scope ignored = SectionTimes.enter(SectionTimes.Section.CNN_VJP)) {
            return engine == Engine.SAMEDIFF ? graphVjp(x, v, graphLayout()) : directVjp(x, v);
        }
    }

    private Vjp directVjp(INDArray x, INDArray v) {
        INDArray input = cast(x, INPUT, architecture.channelsIn());
        INDArray cotangent = cast(v, COTANGENT, architecture.channelsOut());
        List<INDArray> copies = new ArrayList<>();
        ConvolutionPath path = vjpPath != null ? vjpPath
                : LayoutChoice.choose(LayoutChoice.Key.of(LayoutChoice.Kernel.VJP, architecture, dtype,
                        input.shape()), p -> {
                            INDArray in = layoutCopy(input, p.layout(), copies);
                            INDArray cot = layoutCopy(cotangent, p.layout(), copies);
                            return () -> free(direct.vjp(in, cot, p.layout()));
                        }, () -> releaseMeasurement(copies));
        if (path == ConvolutionPath.GEMM) {
            Vjp result = shifted.vjp(input, cotangent);
            return spectral == null ? result
                    : new Vjp(result.output(), result.input(), spectral.rawGradient(result.parameters()));
        }
        Layout layout = path.layout();
        INDArray in = toLayout(input, layout);
        INDArray cot = toLayout(cotangent, layout);
        Vjp result = direct.vjp(in, cot, layout);
        Map<String, INDArray> parameters = result.parameters();
        if (spectral != null) {
            parameters = spectral.rawGradient(parameters);
        }
        Vjp vjp = new Vjp(fromLayout(result.output(), layout), fromLayout(result.input(), layout), parameters);
        if (layout.channelsLast()) {
            // the channels-last copies in and out are this call's own
            DirectConvNet.free(in);
            DirectConvNet.free(cot);
            DirectConvNet.free(result.output());
            DirectConvNet.free(result.input());
        }
        return vjp;
    }

    /** x in {@code layout}; a copy made for it is added to {@code copies} (x itself never is). */
    private static INDArray layoutCopy(INDArray x, Layout layout, List<INDArray> copies) {
        INDArray in = toLayout(x, layout);
        if (in != x) {
            copies.add(in);
        }
        return in;
    }

    /** Releases every array of a VJP's result: the timing runs of a layout choice keep none. */
    private static void free(Vjp result) {
        DirectConvNet.free(result.output());
        DirectConvNet.free(result.input());
        result.parameters().values().forEach(DirectConvNet::free);
    }

    /**
     * After {@link LayoutChoice} ran every measured path: releases the arrays kept for the paths not
     * chosen and the layout copies (the choice then trims the allocator).
     */
    private void releaseMeasurement(List<INDArray> copies) {
        direct.releaseBuffers();
        copies.forEach(DirectConvNet::free);
    }

    /**
     * N(x) run as a SameDiff graph in {@code layout} (the graph {@link #build} and {@link #save}
     * describe), for checking {@link #forward} against it.
     */
    INDArray graphForward(INDArray x, Layout layout) {
        Map<String, INDArray> feed = new HashMap<>(2);
        feed.put(INPUT, toLayout(cast(x, INPUT, architecture.channelsIn()), layout));
        return fromLayout(graphFor(layout).output(feed, OUTPUT).get(OUTPUT), layout);
    }

    /**
     * The VJP by SameDiff's automatic differentiation of the graph in {@code layout}
     * ({@code calculateGradientsAndOutputs} on ⟨N(x), v⟩), for checking {@link #vjp} against it.
     */
    Vjp graphVjp(INDArray x, INDArray v, Layout layout) {
        Map<String, INDArray> feed = new HashMap<>(4);
        feed.put(INPUT, toLayout(cast(x, INPUT, architecture.channelsIn()), layout));
        feed.put(COTANGENT, toLayout(cast(v, COTANGENT, architecture.channelsOut()), layout));
        OutAndGrad result = graphFor(layout).calculateGradientsAndOutputs(feed, List.of(OUTPUT), gradientNames);
        Map<String, INDArray> g = result.getGradients();
        Map<String, INDArray> parameters = new LinkedHashMap<>();
        for (int l = 0; l < architecture.layers(); l++) {
            parameters.put(weightName(l), g.get(VARIABLE_PREFIX + weightName(l)));
            parameters.put(biasName(l), g.get(VARIABLE_PREFIX + biasName(l)));
        }
        if (spectral != null) {
            parameters = spectral.rawGradient(parameters);
        }
        return new Vjp(fromLayout(result.getOutputs().get(OUTPUT), layout), fromLayout(g.get(INPUT), layout),
                parameters);
    }

    /**
     * The Jacobian-vector product J_x(x) t, exact to rounding: the tangent pass
     * ṫ_{l+1} = φ'(z_l) ⊙ (W_l ⋆ ṫ_l), ṫ₀ = t, J t = W_{n−1} ⋆ ṫ_{n−1}, run in the same graph as
     * N (forward-mode differentiation written out; SameDiff M2.1 has no forward mode, and the
     * "VJP of a VJP" trick would need a gradient of a gradient). Costs about one more forward pass.
     * Used for power iteration on J^T J ({@link #jacobianGram}).
     */
    public INDArray jvp(INDArray x, INDArray t) {
        try (SectionTimes.Scope ignored = SectionTimes.enter(SectionTimes.Section.CNN_JVP)) {
            return graphJvp(x, t);
        }
    }

    private INDArray graphJvp(INDArray x, INDArray t) {
        Map<String, INDArray> feed = new HashMap<>(4);
        feed.put(INPUT, cast(x, INPUT, architecture.channelsIn()));
        feed.put(TANGENT, cast(t, TANGENT, architecture.channelsIn()));
        return sd.output(feed, JVP).get(JVP);
    }

    /**
     * v ↦ J_x(x)^T J_x(x) v at the point x: the Gram operator whose top eigenvalue is the squared
     * local Lipschitz constant (spectral norm of the Jacobian) of N at x, for
     * {@link org.deqbench.solve.PowerIteration} or {@link org.deqbench.solve.Lanczos}. With a batch
     * of B points the Jacobian is block diagonal and the estimate is the largest over the batch;
     * pass one point for per-example values. Exact to rounding (JVP and VJP are both exact).
     */
    public java.util.function.UnaryOperator<INDArray> jacobianGram(INDArray x) {
        INDArray point = cast(x, INPUT, architecture.channelsIn());
        return v -> vjp(point, jvp(point, v)).input();
    }

    /**
     * The network's graph with activations in {@code layout}: placeholders {@value #INPUT} and
     * {@value #COTANGENT} and output {@value #OUTPUT} in that layout, and ⟨N(x), v⟩ as the loss
     * variable for VJPs. NHWC graphs take transposed arrays from {@link #toLayout}: SameDiff M2.1
     * returns no gradient for a placeholder that feeds a permute op, so the transposition cannot
     * sit inside the graph.
     */
    private SameDiff graph(Layout layout) {
        SameDiff g = SameDiff.create();
        SDVariable input = g.placeHolder(INPUT, dtype, placeholderShape(architecture.channelsIn(), layout));
        SDVariable output = layers(g, input, layout).output().rename(OUTPUT);
        SDVariable cotangent = g.placeHolder(COTANGENT, dtype, placeholderShape(architecture.channelsOut(), layout));
        g.sum(VJP_LOSS, output.mul(cotangent));
        g.setLossVariables(VJP_LOSS);
        return g;
    }

    /** {@code [-1, C, -1, …]} (channels first) or {@code [-1, …, -1, C]} (channels last). */
    private long[] placeholderShape(int channels, Layout layout) {
        long[] shape = new long[architecture.spatialDims() + 2];
        Arrays.fill(shape, -1);
        shape[layout.channelsLast() ? shape.length - 1 : 1] = channels;
        return shape;
    }

    /** A channels-first array in {@code layout} (a C-ordered copy for channels last). */
    private static INDArray toLayout(INDArray channelsFirst, Layout layout) {
        if (!layout.channelsLast()) {
            return channelsFirst;
        }
        return channelsFirst.rank() == 4 ? channelsFirst.permute(0, 2, 3, 1).dup('c')
                : channelsFirst.permute(0, 2, 3, 4, 1).dup('c');
    }

    /**
     * An array of {@code layout} back in channels-first order, C-ordered (a copy for channels last:
     * inputs and outputs have 1 or 2 channels, so the copy is small next to the 64-channel
     * activations, and callers get contiguous arrays).
     */
    private static INDArray fromLayout(INDArray a, Layout layout) {
        if (!layout.channelsLast()) {
            return a;
        }
        return a.rank() == 4 ? a.permute(0, 3, 1, 2).dup('c') : a.permute(0, 4, 1, 2, 3).dup('c');
    }

    /** The graph of {@code layout}, built on first use; all share this network's parameter arrays. */
    private SameDiff graphFor(Layout layout) {
        return graphs.computeIfAbsent(layout, this::graph);
    }

    /**
     * Pins the path forward passes and VJPs run on (inputs and outputs stay NCHW); {@code null}
     * lets {@link LayoutChoice} pick per shape by measurement (the default). This switch exists so
     * the benchmark and the tests can run every path.
     */
    void usePaths(ConvolutionPath forward, ConvolutionPath vjp) {
        this.forwardPath = forward;
        this.vjpPath = vjp;
    }

    /** {@link #usePaths} with the oneDNN path of each layout. */
    void useLayouts(Layout forward, Layout vjp) {
        usePaths(forward == null ? null : ConvolutionPath.of(forward), vjp == null ? null : ConvolutionPath.of(vjp));
    }

    /** Appends the tangent pass ṫ_{l+1} = φ'(z_l) ⊙ (W_l ⋆ ṫ_l) to the NCHW graph: output {@value #JVP}. */
    private void buildTangent(SameDiff g) {
        Activation activation = Activation.of(architecture.activation());
        SDVariable t = g.placeHolder(TANGENT, dtype, placeholderShape(architecture.channelsIn(), Layout.NCHW));
        for (int l = 0; l < architecture.layers(); l++) {
            SDVariable w = g.getVariable(VARIABLE_PREFIX + weightName(l));
            t = ConvolutionOperator.convolution(g, t, w, null, architecture.spatialDims(), architecture.kernel(),
                    false);
            if (l < architecture.layers() - 1) {
                SDVariable z = g.getVariable(PRE_ACTIVATION + l);
                t = activation.tangentDerivative(g, z).mul(t);
            }
        }
        t.rename(JVP);
    }

    /**
     * Copies of the trainable parameters, keyed {@code w0, b0, w1, b1, …} (for the spectral
     * variant the raw weights V_l). Modify the copies and hand them to {@link #setParameters}.
     */
    public Map<String, INDArray> parameters() {
        Map<String, INDArray> p = new LinkedHashMap<>();
        for (int l = 0; l < architecture.layers(); l++) {
            p.put(weightName(l), (spectral == null ? weights.get(l) : spectral.rawWeight(l)).dup());
            p.put(biasName(l), biases.get(l).dup());
        }
        return p;
    }

    /**
     * Copies {@code values} into the network's parameter arrays in place (graphs this network was
     * {@linkplain #build built into} see the change). Every parameter must be present with its
     * shape. The spectral variant then refreshes its power iterations and normalised weights.
     */
    public void setParameters(Map<String, INDArray> values) {
        for (int l = 0; l < architecture.layers(); l++) {
            INDArray w = spectral == null ? weights.get(l) : spectral.rawWeight(l);
            assign(w, values, weightName(l));
            assign(biases.get(l), values, biasName(l));
        }
        if (spectral != null) {
            spectral.refresh();
        }
    }

    /** Number of trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (int l = 0; l < architecture.layers(); l++) {
            n += weights.get(l).length() + biases.get(l).length();
        }
        return n;
    }

    /**
     * Builds N into another graph: {@code input} {@code [B, Cin, H, W]} ({@code [B, Cin, D, H, W]}
     * for a 3D network) ↦ N(input). The parameter
     * variables ({@value #VARIABLE_PREFIX}w0, …) are created in {@code target} on first use and
     * reused on later calls, so calling this K times (unrolled MoDL) shares the weights; they are
     * backed by this network's own arrays, so {@link #setParameters} and in-place updates of the
     * target's variables are seen by both. For the spectral variant the shared arrays are the
     * normalised weights; map gradients taken in {@code target} to raw ones with
     * {@link #rawParameterGradient}.
     */
    public SDVariable build(SameDiff target, SDVariable input) {
        return layers(target, input).output();
    }

    /** N built into a graph, with what explicit derivative passes need. */
    record Layers(SDVariable output, List<SDVariable> preActivations, List<SDVariable> weights) {
    }

    /** {@link #build}, keeping the pre-activations z_l and the weight variables W_l. */
    Layers layers(SameDiff target, SDVariable input) {
        return layers(target, input, Layout.NCHW);
    }

    /** {@link #layers(SameDiff, SDVariable)} on activations already in {@code layout}. */
    Layers layers(SameDiff target, SDVariable input, Layout layout) {
        Activation activation = Activation.of(architecture.activation());
        List<SDVariable> z = new ArrayList<>();
        List<SDVariable> w = new ArrayList<>();
        SDVariable h = input;
        for (int l = 0; l < architecture.layers(); l++) {
            SDVariable wl = shared(target, VARIABLE_PREFIX + weightName(l), weights.get(l));
            SDVariable bl = shared(target, VARIABLE_PREFIX + biasName(l), biases.get(l));
            w.add(wl);
            h = ConvolutionOperator.convolution(target, h, wl, bl, architecture.spatialDims(), architecture.kernel(),
                    layout.channelsLast());
            if (!target.hasVariable(PRE_ACTIVATION + l)) {
                h = h.rename(PRE_ACTIVATION + l);
            }
            z.add(h);
            if (l < architecture.layers() - 1) {
                h = activation.apply(target, h);
            }
        }
        return new Layers(h, z, w);
    }

    /**
     * Maps gradients with respect to the graph's weights (keyed {@code w0, b0, …}, as taken in a
     * graph from {@link #build}) to gradients with respect to {@link #parameters()}: the identity
     * for an unconstrained network, the chain rule through W = c·V/σ(V) for the spectral variant.
     */
    public Map<String, INDArray> rawParameterGradient(Map<String, INDArray> graphGradients) {
        return spectral == null ? graphGradients : spectral.rawGradient(graphGradients);
    }

    /**
     * The convolutions (with the weights the graph computes with) as linear operators on images
     * of size {@code {H, W}} (2D network) or volumes {@code {D, H, W}} (3D network), for operator
     * norms and Lipschitz certificates.
     */
    public List<ConvolutionOperator> layerOperators(long... spatialShape) {
        if (spatialShape.length != architecture.spatialDims()) {
            throw new IllegalArgumentException("a " + architecture.spatialDims() + "D network's layer operators need "
                    + (architecture.spatialDims() == 2 ? "{H, W}" : "{D, H, W}") + ", got "
                    + Arrays.toString(spatialShape));
        }
        List<ConvolutionOperator> ops = new ArrayList<>();
        for (INDArray w : weights) {
            ops.add(new ConvolutionOperator(w, spatialShape));
        }
        return ops;
    }

    /** Lipschitz constant of the activation (1 for relu, elu with α = 1 and softplus). */
    public double activationLipschitz() {
        return Activation.of(architecture.activation()).lipschitz();
    }

    /**
     * Writes the network into folder {@code dir} (created if needed): {@code network.json}
     * (architecture, dtype, spectral settings), {@code network.sdz} (the graph with the weights it
     * computes with, in SameDiff's format: placeholder {@value #INPUT}, output {@value #OUTPUT}),
     * and for the spectral variant the raw weights and power-iteration vectors as {@code .npy}.
     */
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
            Saved saved = new Saved(FORMAT_VERSION, architecture, dtype.name(),
                    spectral == null ? null : spectral.settings());
            JSON.writeValue(dir.resolve(CONFIG_FILE).toFile(), saved);
            sd.save(dir.resolve(GRAPH_FILE).toFile(), false);
            if (spectral != null) {
                spectral.save(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save network to " + dir, e);
        }
    }

    /** Reads a network written by {@link #save}. */
    public static ConvNet load(Path dir) {
        Path configFile = dir.resolve(CONFIG_FILE);
        Saved saved;
        try {
            JsonNode tree = JSON.readTree(configFile.toFile());
            int version = tree.path("format_version").asInt(-1);
            if (version != 1 && version != FORMAT_VERSION) {
                throw new IllegalArgumentException(configFile + ": format_version " + tree.path("format_version")
                        + " is not supported; expected 1 or " + FORMAT_VERSION);
            }
            if (version == 1) {
                upgradeFromVersion1(tree);
            }
            saved = JSON.treeToValue(tree, Saved.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read network description " + configFile
                    + " (expected the " + CONFIG_FILE + " written by ConvNet.save)", e);
        }
        Architecture a = saved.architecture();
        DataType dtype = DataType.valueOf(saved.dtype());
        Path graphFile = dir.resolve(GRAPH_FILE);
        if (!Files.isRegularFile(graphFile)) {
            throw new IllegalArgumentException("network folder " + dir + " has no " + GRAPH_FILE);
        }
        SameDiff stored = SameDiff.load(graphFile.toFile(), false);
        List<INDArray> weights = new ArrayList<>();
        List<INDArray> biases = new ArrayList<>();
        for (int l = 0; l < a.layers(); l++) {
            INDArray w = storedArray(stored, graphFile, weightName(l), dtype);
            if (!Arrays.equals(w.shape(), a.weightShape(l))) {
                throw new IllegalArgumentException(graphFile + ": parameter '" + VARIABLE_PREFIX + weightName(l)
                        + "' has shape " + Arrays.toString(w.shape()) + ", but the architecture in " + configFile
                        + " expects " + Arrays.toString(a.weightShape(l)));
            }
            weights.add(w);
            biases.add(storedArray(stored, graphFile, biasName(l), dtype));
        }
        if (saved.spectral() == null) {
            return new ConvNet(a, dtype, weights, biases, null);
        }
        SpectralNormalization sn = SpectralNormalization.load(dir, saved.spectral(), weights, dtype);
        return new ConvNet(a, dtype, weights, biases, sn);
    }

    /**
     * Rewrites a version-1 {@code network.json} tree (always a 2D network) into version 2:
     * {@code architecture.spatial_dims = 2}, spectral {@code height}, {@code width} →
     * {@code spatial_shape}.
     */
    private static void upgradeFromVersion1(JsonNode tree) {
        if (tree.get("architecture") instanceof ObjectNode architecture) {
            architecture.put("spatial_dims", 2);
        }
        if (tree.get("spectral") instanceof ObjectNode spectral) {
            JsonNode height = spectral.remove("height");
            JsonNode width = spectral.remove("width");
            spectral.putArray("spatial_shape").add(height == null ? 0 : height.asLong())
                    .add(width == null ? 0 : width.asLong());
        }
        ((ObjectNode) tree).put("format_version", FORMAT_VERSION);
    }

    /** Contents of {@code network.json}. */
    record Saved(int formatVersion, Architecture architecture, String dtype,
                 SpectralNormalization.Settings spectral) {
    }

    static String weightName(int layer) {
        return "w" + layer;
    }

    static String biasName(int layer) {
        return "b" + layer;
    }

    /** Graph weight arrays (normalised for the spectral variant), for graphs built beside N's own. */
    List<INDArray> graphWeights() {
        return Collections.unmodifiableList(weights);
    }

    List<INDArray> graphBiases() {
        return Collections.unmodifiableList(biases);
    }

    static SDVariable shared(SameDiff target, String name, INDArray array) {
        if (target.hasVariable(name)) {
            SDVariable v = target.getVariable(name);
            if (v.getArr() != array) {
                throw new IllegalStateException("graph already has a variable '" + name
                        + "' that is not this network's parameter; build one network per graph or rename");
            }
            return v;
        }
        return target.var(name, array);
    }

    private INDArray cast(INDArray x, String what, int channels) {
        int d = architecture.spatialDims();
        if (x.rank() != d + 2 || x.size(1) != channels) {
            throw new IllegalArgumentException(what + " must be [B, " + channels + (d == 2 ? ", H, W]" : ", D, H, W]")
                    + " for this " + d + "D network, got " + Arrays.toString(x.shape()));
        }
        return x.dataType() == dtype ? x : x.castTo(dtype);
    }

    private static void assign(INDArray target, Map<String, INDArray> values, String name) {
        INDArray v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("parameter '" + name + "' missing; expected keys w0, b0, w1, b1, …");
        }
        if (!Arrays.equals(v.shape(), target.shape())) {
            throw new IllegalArgumentException("parameter '" + name + "' has shape " + Arrays.toString(v.shape())
                    + ", expected " + Arrays.toString(target.shape()));
        }
        target.assign(v);
    }

    private static INDArray storedArray(SameDiff stored, Path file, String name, DataType dtype) {
        String full = VARIABLE_PREFIX + name;
        if (!stored.hasVariable(full) || stored.getArrForVarName(full) == null) {
            throw new IllegalArgumentException(file + " has no parameter '" + full + "'");
        }
        return stored.getArrForVarName(full).castTo(dtype).dup();
    }

    /** He-normal weights N(0, 2/(k^d·Cin)) from a seeded stream, independent of ND4J's global RNG. */
    private static List<INDArray> initialWeights(Architecture a, long seed, DataType dtype) {
        SplittableRandom random = new SplittableRandom(seed);
        List<INDArray> list = new ArrayList<>();
        int kernelVolume = (int) Math.round(Math.pow(a.kernel(), a.spatialDims()));
        for (int l = 0; l < a.layers(); l++) {
            int fanIn = kernelVolume * a.width(l);
            double std = Math.sqrt(2.0 / fanIn);
            double[] values = new double[kernelVolume * a.width(l) * a.width(l + 1)];
            for (int i = 0; i < values.length; i++) {
                double u = 1.0 - random.nextDouble();
                double t = random.nextDouble();
                values[i] = std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * t);
            }
            list.add(Nd4j.create(values, a.weightShape(l), DataType.DOUBLE).castTo(dtype));
        }
        return list;
    }

    private static List<INDArray> zeroBiases(Architecture a, DataType dtype) {
        List<INDArray> list = new ArrayList<>();
        for (int l = 0; l < a.layers(); l++) {
            list.add(Nd4j.zeros(dtype, a.width(l + 1)));
        }
        return list;
    }
}
