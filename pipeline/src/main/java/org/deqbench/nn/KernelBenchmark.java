package org.deqbench.nn;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.deqbench.spec.NetworkSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Throughput of the network kernels the training stage calls thousands of times — the CNN's
 * forward pass and forward + VJP — against ND4J's own float32 matrix multiply measured in the same
 * run, on the CPU backend.
 *
 * <p>FLOPs counted: the convolutions only, 2·k²·Cin·Cout·H·W per layer and image (2·k³·Cin·Cout·D·H·W
 * per volume for the 3D network's shapes {@code BxCxDxHxW}) for the forward
 * pass, three times that for forward + VJP (the backward pass computes the input and the weight
 * gradients, each as costly as the forward pass). A gemm of n×n matrices counts 2n³.
 *
 * <p>Measurement: one warm-up call per kernel, then {@code rounds} rounds, each timing the gemm
 * once and every (shape, layout, kernel) once. Medians are reported, and the fraction of the
 * matrix-multiply rate is the median over rounds of the per-round ratio, so that load from other
 * processes on a shared machine moves both sides of a ratio together.
 *
 * <p>Each shape runs on every {@link ConvolutionPath}: oneDNN in both activation layouts (channels
 * first and last; the VJP both op by op, {@link DirectConvNet}, and through SameDiff's session,
 * {@code graph_forward_vjp}, the previous implementation) and the shifted gemms
 * ({@link ShiftedGemmConvNet}, reported as layout {@code NHWC-gemm}, no graph timing); the report
 * names the paths {@link LayoutChoice} picked, and the goals are judged on those. On a loaded machine OpenMP's
 * default spin-waiting costs a factor 3–4 unless {@code OMP_WAIT_POLICY=PASSIVE} is set (recorded
 * in the report).
 */
public final class KernelBenchmark {
    /** Goal: forward at ≥ 70 % of the gemm rate. */
    public static final double FORWARD_GOAL = 0.7;
    /** Goal: forward + VJP at ≥ 50 % of the gemm rate. */
    public static final double VJP_GOAL = 0.5;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private KernelBenchmark() {
    }

    /**
     * One input shape: images {@code [batch, channels, height, width]} ({@code depth} 0) for a 2D
     * network, or volumes / 2D+time sequences {@code [batch, channels, depth, height, width]}
     * ({@code depth} ≥ 1) for a 3D network.
     */
    public record Shape(int batch, int channels, int depth, int height, int width) {
        public Shape {
            if (batch < 1 || channels < 1 || depth < 0 || height < 1 || width < 1) {
                throw new IllegalArgumentException("benchmark shape must be positive, got "
                        + batch + "x" + channels + (depth > 0 ? "x" + depth : "") + "x" + height + "x" + width);
            }
        }

        /** An image shape {@code [batch, channels, height, width]}. */
        public Shape(int batch, int channels, int height, int width) {
            this(batch, channels, 0, height, width);
        }

        /** Parses {@code BxCxHxW} (images, e.g. {@code 4x2x64x64}) or {@code BxCxDxHxW} (volumes, e.g. {@code 1x2x8x64x64}). */
        public static Shape parse(String text) {
            String[] p = text.trim().split("x");
            if (p.length != 4 && p.length != 5) {
                throw new IllegalArgumentException("shape '" + text + "': expected BxCxHxW (e.g. 4x2x64x64) or"
                        + " BxCxDxHxW (e.g. 1x2x8x64x64)");
            }
            try {
                int[] n = new int[p.length];
                for (int i = 0; i < p.length; i++) {
                    n[i] = Integer.parseInt(p[i]);
                }
                if (p.length == 5 && n[2] < 1) {
                    throw new IllegalArgumentException("shape '" + text + "': depth D must be >= 1");
                }
                return p.length == 4 ? new Shape(n[0], n[1], n[2], n[3]) : new Shape(n[0], n[1], n[2], n[3], n[4]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("shape '" + text + "': expected integers BxCxHxW or BxCxDxHxW", e);
            }
        }

        /** 2 for images, 3 for volumes. */
        public int spatialDims() {
            return depth == 0 ? 2 : 3;
        }

        /** {@code {H, W}} or {@code {D, H, W}}. */
        long[] spatialShape() {
            return depth == 0 ? new long[] {height, width} : new long[] {depth, height, width};
        }

        /** The full array shape, channels first. */
        long[] arrayShape() {
            return depth == 0 ? new long[] {batch, channels, height, width}
                    : new long[] {batch, channels, depth, height, width};
        }

        @Override
        public String toString() {
            return batch + "x" + channels + (depth > 0 ? "x" + depth : "") + "x" + height + "x" + width;
        }
    }

    /**
     * @param rounds   timed rounds after the warm-up
     * @param gemmSize n of the n×n float32 gemm
     * @param hidden   hidden channels of the CNN (MOL/MoDL: 64)
     * @param layers   convolutions (MOL/MoDL: 5)
     * @param shapes   input shapes
     * @param threads  ND4J native threads, or 0 for the backend's default
     */
    public record Settings(int rounds, int gemmSize, int hidden, int layers, List<Shape> shapes, int threads) {
        public Settings {
            if (rounds < 1 || gemmSize < 1 || hidden < 1 || layers < 2 || shapes.isEmpty() || threads < 0) {
                throw new IllegalArgumentException("benchmark needs rounds >= 1, gemm size >= 1, hidden >= 1,"
                        + " layers >= 2, at least one shape and threads >= 0");
            }
            shapes = List.copyOf(shapes);
        }

        /**
         * The default configuration: 5 layers × 64 channels on images 4×2×64×64 and 1×2×256×256 and
         * (3D network, 3×3×3 kernels) on a 2D+time sequence or small volume 1×2×8×64×64, gemm 2048.
         */
        public static Settings defaults() {
            return new Settings(5, 2048, 64, 5, List.of(new Shape(4, 2, 64, 64), new Shape(1, 2, 256, 256),
                    new Shape(1, 2, 8, 64, 64)), 0);
        }
    }

    /** Median times and rates of one kernel. */
    public record KernelTiming(double medianMillis, double gflops, double fractionOfGemm, double[] millis) {
    }

    /**
     * One shape in one activation layout: {@link ConvNet#forward} and {@link ConvNet#vjp} (op by
     * op, {@link DirectConvNet}), and the same VJP through SameDiff's session and automatic
     * differentiation ({@code graphForwardVjp}, what {@link ConvNet#vjp} ran before; null on the
     * gemm path, which has no graph of its own).
     */
    public record LayoutResult(String layout, KernelTiming forward, KernelTiming forwardVjp,
                               KernelTiming graphForwardVjp) {
    }

    /**
     * @param chosenForwardLayout the layout {@link LayoutChoice} picked for forward passes of this shape
     * @param chosenVjpLayout     and for VJPs
     */
    public record ShapeResult(String shape, double forwardGflopCount, List<LayoutResult> layouts,
                              String bestForwardLayout, String bestVjpLayout, String chosenForwardLayout,
                              String chosenVjpLayout) {
    }

    /** Which native library ran the numbers. */
    public record Environment(String backend, String libnd4j, boolean onednnAvx2Binary, String executioner,
                              Map<String, Object> nd4jEnvironment, int maxThreads, boolean helpersAllowed,
                              String ompNumThreads, String ompWaitPolicy, int availableProcessors, double loadAverageBefore, String java,
                              String nd4jVersion) {
    }

    /** The whole run, as written to JSON. */
    public record Result(String kind, String created, Settings settings, Environment environment,
                         KernelTiming gemm, List<ShapeResult> shapes, Map<String, Object> goals,
                         double loadAverageAfter) {
    }

    /** Runs the benchmark; {@code log} receives one line per step. */
    public static Result run(Settings settings, Consumer<String> log) {
        if (settings.threads() > 0) {
            Nd4j.getEnvironment().setMaxThreads(settings.threads());
            Nd4j.getEnvironment().setMaxMasterThreads(settings.threads());
        }
        Environment env = environment();
        log.accept("libnd4j: " + env.libnd4j() + (env.onednnAvx2Binary() ? " (oneDNN/AVX2 build)" : ""));
        if (env.loadAverageBefore() > env.availableProcessors() && !"PASSIVE".equals(env.ompWaitPolicy())) {
            // Measured: on a 2-core machine at load 5-6, spinning OpenMP threads made the
            // convolutions 3-4x slower; OMP_WAIT_POLICY=PASSIVE recovered most of it.
            log.accept("note: load average " + env.loadAverageBefore() + " exceeds " + env.availableProcessors()
                    + " cores and OMP_WAIT_POLICY is not PASSIVE; convolution timings will suffer from"
                    + " spinning OpenMP threads");
        }
        GemmTimer gemmTimer = new GemmTimer(settings.gemmSize());
        double gemmFlops = gemmTimer.flops();

        NetworkSpec spec = new NetworkSpec(settings.layers(), settings.hidden(), 3, "relu", null);
        List<ConvolutionPath> layouts = List.of(ConvolutionPath.values());
        int shapesCount = settings.shapes().size();
        ConvNet[] nets = new ConvNet[shapesCount];
        INDArray[] xs = new INDArray[shapesCount];
        INDArray[] vs = new INDArray[shapesCount];
        double[] flops = new double[shapesCount];
        for (int s = 0; s < shapesCount; s++) {
            Shape shape = settings.shapes().get(s);
            nets[s] = ConvNet.create(spec, shape.spatialDims(), shape.channels(), shape.channels(), 1, DataType.FLOAT);
            xs[s] = Nd4j.rand(DataType.FLOAT, shape.arrayShape());
            vs[s] = Nd4j.rand(DataType.FLOAT, shape.arrayShape());
            flops[s] = nets[s].architecture().convolutionFlops(shape.spatialShape()) * shape.batch();
        }
        // Warm-up: graph construction, gradient function, oneDNN primitive caches, JIT; then the
        // layouts the networks pick for themselves.
        gemmTimer.seconds();
        String[][] chosen = new String[shapesCount][2];
        for (int s = 0; s < shapesCount; s++) {
            for (ConvolutionPath path : layouts) {
                nets[s].usePaths(path, path);
                nets[s].forward(xs[s]);
                nets[s].vjp(xs[s], vs[s]);
                if (path != ConvolutionPath.GEMM) {
                    nets[s].graphVjp(xs[s], vs[s], path.layout());
                }
            }
            nets[s].usePaths(null, null);
            nets[s].forward(xs[s]);
            nets[s].vjp(xs[s], vs[s]);
            int dims = settings.shapes().get(s).spatialDims();
            for (Map.Entry<LayoutChoice.Key, LayoutChoice.Choice> e : LayoutChoice.made()) {
                if (e.getKey().architecture().equals(nets[s].architecture())
                        && e.getKey().shape().equals(Arrays.stream(xs[s].shape()).boxed().toList())) {
                    chosen[s][e.getKey().kernel().ordinal()] = e.getValue().path().label(dims);
                }
            }
            if (LayoutChoice.pinned() != null) {
                chosen[s][0] = LayoutChoice.pinned().label(dims);
                chosen[s][1] = chosen[s][0];
            }
        }
        int rounds = settings.rounds();
        double[] gemmMs = new double[rounds];
        double[][][] fwdMs = new double[shapesCount][layouts.size()][rounds];
        double[][][] vjpMs = new double[shapesCount][layouts.size()][rounds];
        double[][][] graphVjpMs = new double[shapesCount][layouts.size()][rounds];
        for (int r = 0; r < rounds; r++) {
            gemmMs[r] = 1e3 * gemmTimer.seconds();
            long t0;
            for (int s = 0; s < shapesCount; s++) {
                for (int l = 0; l < layouts.size(); l++) {
                    nets[s].usePaths(layouts.get(l), layouts.get(l));
                    t0 = System.nanoTime();
                    nets[s].forward(xs[s]);
                    fwdMs[s][l][r] = (System.nanoTime() - t0) / 1e6;
                    t0 = System.nanoTime();
                    nets[s].vjp(xs[s], vs[s]);
                    vjpMs[s][l][r] = (System.nanoTime() - t0) / 1e6;
                    if (layouts.get(l) != ConvolutionPath.GEMM) {
                        t0 = System.nanoTime();
                        nets[s].graphVjp(xs[s], vs[s], layouts.get(l).layout());
                        graphVjpMs[s][l][r] = (System.nanoTime() - t0) / 1e6;
                    } else {
                        graphVjpMs[s][l][r] = Double.NaN;
                    }
                }
            }
            log.accept(String.format("round %d/%d: gemm %.1f GFLOP/s", r + 1, rounds, gemmFlops / gemmMs[r] / 1e6));
        }
        double[] gemmRates = rates(gemmFlops, gemmMs);
        KernelTiming gemm = new KernelTiming(median(gemmMs), median(gemmRates), 1.0, gemmMs);
        List<ShapeResult> shapeResults = new ArrayList<>();
        Map<String, Object> goals = new LinkedHashMap<>();
        goals.put("forward_fraction_goal", FORWARD_GOAL);
        goals.put("forward_vjp_fraction_goal", VJP_GOAL);
        for (int s = 0; s < shapesCount; s++) {
            List<LayoutResult> lr = new ArrayList<>();
            int bestF = 0;
            int bestV = 0;
            for (int l = 0; l < layouts.size(); l++) {
                KernelTiming f = timing(flops[s], fwdMs[s][l], gemmRates);
                KernelTiming v = timing(3 * flops[s], vjpMs[s][l], gemmRates);
                KernelTiming gv = timing(3 * flops[s], graphVjpMs[s][l], gemmRates);
                lr.add(new LayoutResult(layouts.get(l).label(settings.shapes().get(s).spatialDims()), f, v,
                        layouts.get(l) == ConvolutionPath.GEMM ? null : gv));
                if (f.medianMillis() < lr.get(bestF).forward().medianMillis()) {
                    bestF = l;
                }
                if (v.medianMillis() < lr.get(bestV).forwardVjp().medianMillis()) {
                    bestV = l;
                }
            }
            String name = settings.shapes().get(s).toString();
            int dims = settings.shapes().get(s).spatialDims();
            shapeResults.add(new ShapeResult(name, flops[s] / 1e9, lr, layouts.get(bestF).label(dims),
                    layouts.get(bestV).label(dims), chosen[s][0], chosen[s][1]));
            LayoutResult forwardUsed = layoutResult(lr, chosen[s][0]);
            LayoutResult vjpUsed = layoutResult(lr, chosen[s][1]);
            goals.put(name + "_forward_met", forwardUsed.forward().fractionOfGemm() >= FORWARD_GOAL);
            goals.put(name + "_forward_vjp_met", vjpUsed.forwardVjp().fractionOfGemm() >= VJP_GOAL);
            for (LayoutResult x : lr) {
                log.accept(String.format("%s %s: forward %.1f ms %.1f GFLOP/s (%.0f %% of gemm), forward+VJP %.1f ms"
                                + " %.1f GFLOP/s (%.0f %%), through SameDiff %.1f ms", name, x.layout(),
                        x.forward().medianMillis(), x.forward().gflops(), 100 * x.forward().fractionOfGemm(),
                        x.forwardVjp().medianMillis(), x.forwardVjp().gflops(), 100 * x.forwardVjp().fractionOfGemm(),
                        x.graphForwardVjp() == null ? Double.NaN : x.graphForwardVjp().medianMillis()));
            }
            log.accept(name + ": paths chosen by measurement: forward " + chosen[s][0] + ", VJP " + chosen[s][1]);
        }
        return new Result("kernel-benchmark", Instant.now().toString(), settings, env, gemm, shapeResults, goals,
                loadAverage());
    }

    /** The result of {@code layout} (the chosen one), or the first if none was recorded. */
    private static LayoutResult layoutResult(List<LayoutResult> results, String layout) {
        return results.stream().filter(r -> r.layout().equals(layout)).findFirst().orElse(results.get(0));
    }

    /** Writes {@code result} as JSON (snake_case keys), creating parent folders. */
    public static void write(Result result, Path out) {
        try {
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            JSON.writeValue(out.toFile(), result);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write benchmark result to " + out, e);
        }
    }

    /** The loaded libnd4j binary and ND4J's own description of its environment. */
    public static Environment environment() {
        Nd4j.create(1);
        Map<String, Object> info = new LinkedHashMap<>();
        Properties p = Nd4j.getExecutioner().getEnvironmentInformation();
        for (String key : p.stringPropertyNames()) {
            info.put(key, p.get(key));
        }
        String library = loadedLibrary("libnd4jcpu.so");
        String build = Nd4j.getExecutioner().getClass().getName();
        return new Environment(Nd4j.getBackend().getClass().getSimpleName(), library,
                library.contains("onednn-avx2"), build, info, Nd4j.getEnvironment().maxThreads(),
                Nd4j.getEnvironment().helpersAllowed(), String.valueOf(System.getenv("OMP_NUM_THREADS")),
                String.valueOf(System.getenv("OMP_WAIT_POLICY")),
                Runtime.getRuntime().availableProcessors(), loadAverage(), System.getProperty("java.version"),
                Nd4j.class.getPackage().getImplementationVersion());
    }

    /** Path of the mapped native library whose file name is {@code name} (Linux /proc), or "unknown". */
    private static String loadedLibrary(String name) {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .filter(line -> line.endsWith("/" + name))
                    .map(line -> line.substring(line.indexOf('/')))
                    .findFirst().orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * A kernel's timing from its per-round milliseconds: median time, median GFLOP/s and the median
     * over rounds of its rate over the same round's gemm rate ({@code gemmRates}, GFLOP/s).
     */
    public static KernelTiming timing(double flops, double[] millis, double[] gemmRates) {
        double[] rates = rates(flops, millis);
        double[] fractions = new double[millis.length];
        for (int r = 0; r < millis.length; r++) {
            fractions[r] = rates[r] / gemmRates[r];
        }
        return new KernelTiming(median(millis), median(rates), median(fractions), millis);
    }

    /** GFLOP/s of each round from its milliseconds. */
    public static double[] rates(double flops, double[] millis) {
        double[] g = new double[millis.length];
        for (int i = 0; i < millis.length; i++) {
            g[i] = flops / millis[i] / 1e6;
        }
        return g;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : 0.5 * (v[m - 1] + v[m]);
    }
}
