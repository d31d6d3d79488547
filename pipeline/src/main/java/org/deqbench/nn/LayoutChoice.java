package org.deqbench.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The activation layout ({@link ConvNet.Layout}) each kernel of a network runs in, chosen per input
 * shape by measurement and remembered for the rest of the process.
 *
 * <p>Which layout is faster depends on the shape, the kernel (forward or forward + VJP) and the
 * machine: {@link KernelBenchmark} runs on 2 shared cores found channels-last forward passes
 * 1.3–4.5× faster on some shapes and equal on others, and neither layout faster for the VJP. So the
 * first call for a (kernel, architecture, dtype, shape) runs the kernel in each layout once to warm
 * oneDNN's primitive cache, then {@value #TIMED_RUNS} more times each, alternating the layouts, and
 * keeps the layout with the smallest time. On a machine shared with other jobs this choice is only
 * as good as a few timings under changing load: a kernel benchmark run at load average 15 found
 * the layout it had chosen for 1×2×256×256 1.5× slower than the other in its timed rounds. The choice is process-wide, so two networks of the same architecture (a trained
 * one and its reloaded copy) compute with the same kernels and agree to the last bit; across
 * processes the choice may differ, and the results then differ by float rounding only.
 *
 * <p>The system property {@value #PROPERTY} ({@code nchw} or {@code nhwc}; {@code auto} or unset:
 * measure) pins one layout for every network, e.g. for bit-for-bit repeatable runs.
 */
final class LayoutChoice {
    /** System property that pins the layout: {@code nchw}, {@code nhwc} or {@code auto}. */
    static final String PROPERTY = "deqbench.network.layout";
    /** Timed runs per layout after the warm-up run; the minimum counts (least disturbed by other load). */
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
    record Choice(ConvNet.Layout layout, Map<ConvNet.Layout, Double> millis) {
    }

    private static final Map<Key, Choice> CHOICES = new ConcurrentHashMap<>();

    private LayoutChoice() {
    }

    /**
     * The layout for {@code key}: the pinned one, the remembered one, or the fastest of
     * {@code run} over every layout (run measures nothing itself; it runs the kernel once).
     */
    static ConvNet.Layout choose(Key key, Function<ConvNet.Layout, Runnable> run) {
        ConvNet.Layout pinned = pinned();
        if (pinned != null) {
            return pinned;
        }
        Choice known = CHOICES.get(key);
        if (known != null) {
            return known.layout();
        }
        Map<ConvNet.Layout, Double> millis = new java.util.EnumMap<>(ConvNet.Layout.class);
        Map<ConvNet.Layout, Runnable> kernels = new java.util.EnumMap<>(ConvNet.Layout.class);
        for (ConvNet.Layout layout : ConvNet.Layout.values()) {
            Runnable kernel = run.apply(layout);
            kernel.run();
            kernels.put(layout, kernel);
            millis.put(layout, Double.POSITIVE_INFINITY);
        }
        // layouts alternate run by run, so that a change in other processes' load during the
        // measurement falls on both rather than on whichever ran second
        for (int i = 0; i < TIMED_RUNS; i++) {
            for (ConvNet.Layout layout : ConvNet.Layout.values()) {
                long t0 = System.nanoTime();
                kernels.get(layout).run();
                millis.merge(layout, (System.nanoTime() - t0) / 1e6, Math::min);
            }
        }
        ConvNet.Layout best = null;
        for (ConvNet.Layout layout : ConvNet.Layout.values()) {
            if (best == null || millis.get(layout) < millis.get(best)) {
                best = layout;
            }
        }
        Choice choice = new Choice(best, millis);
        Choice raced = CHOICES.putIfAbsent(key, choice);
        return (raced == null ? choice : raced).layout();
    }

    /** Every choice made so far in this process, for benchmark reports. */
    static List<Map.Entry<Key, Choice>> made() {
        return new ArrayList<>(CHOICES.entrySet());
    }

    /** The layout pinned by {@value #PROPERTY}, or null to measure. */
    static ConvNet.Layout pinned() {
        String value = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "auto", "" -> null;
            case "nchw", "ncdhw" -> ConvNet.Layout.NCHW;
            case "nhwc", "ndhwc" -> ConvNet.Layout.NHWC;
            default -> throw new IllegalArgumentException("system property " + PROPERTY + "='" + value
                    + "': expected nchw, nhwc or auto");
        };
    }
}
