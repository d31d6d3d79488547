package org.deqbench.nn;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The {@link ConvolutionPath} — oneDNN in either activation layout, or shifted gemms — each kernel
 * of a network runs on, chosen per input shape by measurement and remembered for the rest of the
 * process.
 *
 * <p>Which layout is faster depends on the shape, the kernel (forward or forward + VJP) and the
 * machine: {@link KernelBenchmark} runs on 2 shared cores found channels-last forward passes
 * 1.3–4.5× faster on some shapes and equal on others, and neither layout faster for the VJP. So the
 * first call for a (kernel, architecture, dtype, shape) runs the kernel on each {@link #MEASURED}
 * path once to warm oneDNN's primitive cache, then {@value #TIMED_RUNS} more times each, alternating
 * the paths, and keeps the path with the smallest time (thread CPU time when the backend runs on one thread,
 * see {@link #threadCpuClock}, else wall time). On a machine shared with other jobs this choice is only
 * as good as a few timings under changing load: a kernel benchmark run at load average 15 found
 * the layout it had chosen for 1×2×256×256 1.5× slower than the other in its timed rounds. The
 * choice is process-wide, so two networks of the same architecture (a trained one and its reloaded
 * copy) compute with the same kernels and agree to the last bit; across
 * processes the choice may differ, and the results then differ by float rounding only.
 *
 * <p>The shifted gemms ({@link ConvolutionPath#GEMM}) are not measured: they were 2–3× slower than
 * oneDNN on every shape timed on this project's machines ({@code bench kernels}: forward + VJP 88
 * against 26–28 ms on 1×2×64×64, 288 against 92–95 ms on 4×2×64×64), and their timing runs left
 * about 20 MiB more resident in a 64×64 training process than the oneDNN paths' ({@code bench
 * memory}, MoDL at K = 1: 83–85 MiB above baseline without them, 105–113 with them). Pin them with
 * the property below.
 *
 * <p>The system property {@value #PROPERTY} ({@code nchw}, {@code nhwc} or {@code gemm}; {@code auto}
 * or unset: measure) pins one path for every network, e.g. for bit-for-bit repeatable runs.
 */
final class LayoutChoice {
    /** System property that pins the path: {@code nchw}, {@code nhwc}, {@code gemm} or {@code auto}. */
    static final String PROPERTY = "deqbench.network.layout";
    /** Timed runs per path after the warm-up run; the minimum counts (least disturbed by other load). */
    static final int TIMED_RUNS = 3;

    /** Which kernel a choice is for. */
    enum Kernel { FORWARD, VJP }

    /** What a choice is keyed on. */
    record Key(Kernel kernel, ConvNet.Architecture architecture, DataType dtype, List<Long> shape) {
        static Key of(Kernel kernel, ConvNet.Architecture architecture, DataType dtype, long[] shape) {
            return new Key(kernel, architecture, dtype, Arrays.stream(shape).boxed().toList());
        }
    }

    /** A choice with the times that made it (empty when pinned by {@value #PROPERTY}). */
    record Choice(ConvolutionPath path, Map<ConvolutionPath, Double> millis) {
    }

    /** The paths the measurement chooses among. */
    static final List<ConvolutionPath> MEASURED = List.of(ConvolutionPath.NCHW, ConvolutionPath.NHWC);

    private static final Map<Key, Choice> CHOICES = new ConcurrentHashMap<>();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private LayoutChoice() {
    }

    /**
     * The path for {@code key}: the pinned one, the remembered one, or the fastest of
     * {@code run} over the {@link #MEASURED} paths (run measures nothing itself; it runs the kernel once).
     * After a measurement, {@code release} frees what the runs left (kept buffers, copies) and the
     * C allocator's free memory is handed back ({@link NativeAllocator#trim}), so that the
     * measurement's burst of allocations does not stay resident for the rest of the process.
     */
    static ConvolutionPath choose(Key key, Function<ConvolutionPath, Runnable> run, Runnable release) {
        ConvolutionPath pinned = pinned();
        if (pinned != null) {
            return pinned;
        }
        Choice known = CHOICES.get(key);
        if (known != null) {
            return known.path();
        }
        Map<ConvolutionPath, Double> millis = new java.util.EnumMap<>(ConvolutionPath.class);
        Map<ConvolutionPath, Runnable> kernels = new java.util.EnumMap<>(ConvolutionPath.class);
        for (ConvolutionPath path : MEASURED) {
            Runnable kernel = run.apply(path);
            kernel.run();
            kernels.put(path, kernel);
            millis.put(path, Double.POSITIVE_INFINITY);
        }
        // paths alternate run by run, so that a change in other processes' load during the
        // measurement falls on all rather than on whichever ran last
        boolean cpuClock = threadCpuClock();
        for (int i = 0; i < TIMED_RUNS; i++) {
            for (ConvolutionPath path : MEASURED) {
                long t0 = now(cpuClock);
                kernels.get(path).run();
                millis.merge(path, (now(cpuClock) - t0) / 1e6, Math::min);
            }
        }
        ConvolutionPath best = null;
        for (ConvolutionPath path : MEASURED) {
            if (best == null || millis.get(path) < millis.get(best)) {
                best = path;
            }
        }
        release.run();
        NativeAllocator.trim();
        Choice choice = new Choice(best, millis);
        Choice raced = CHOICES.putIfAbsent(key, choice);
        return (raced == null ? choice : raced).path();
    }

    /**
     * Whether the timings use the calling thread's CPU time rather than wall time: when the native
     * backend runs on one thread, every kernel runs on the calling thread, and its CPU time is far
     * less disturbed by other processes' load than wall time (on 2 shared cores at load 3–8, the
     * wall-time choice took the channels-last VJP for 1×2×256×256 in two benchmark runs although
     * it was slower than channels first in their timed rounds, 579 against 527 ms and 763 against
     * 316 ms, and in thread CPU time, 652 against 447 ms). With more native threads the work of the
     * other threads would be missed, so wall time it is.
     */
    static boolean threadCpuClock() {
        return Nd4j.getEnvironment().maxThreads() == 1 && THREADS.isCurrentThreadCpuTimeSupported();
    }

    private static long now(boolean cpuClock) {
        return cpuClock ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /** Every choice made so far in this process, for benchmark reports. */
    static List<Map.Entry<Key, Choice>> made() {
        return new ArrayList<>(CHOICES.entrySet());
    }

    /** The path pinned by {@value #PROPERTY}, or null to measure. */
    static ConvolutionPath pinned() {
        String value = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "auto", "" -> null;
            case "nchw", "ncdhw" -> ConvolutionPath.NCHW;
            case "nhwc", "ndhwc" -> ConvolutionPath.NHWC;
            case "gemm" -> ConvolutionPath.GEMM;
            default -> throw new IllegalArgumentException("system property " + PROPERTY + "='" + value
                    + "': expected nchw, nhwc, gemm or auto");
        };
    }
}
