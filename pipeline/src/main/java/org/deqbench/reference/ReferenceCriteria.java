package org.deqbench.reference;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The acceptance criteria of the reference benchmark, judged from the rows of one run of
 * {@link ReferenceBenchmark} (its {@code kernels}, {@code checkpoint} and {@code training}
 * sections), never from figures of other runs:
 * <ol>
 *   <li>(a) {@code cnn_kernels}: on 4×2×64×64 and 1×2×256×256, deqbench's CNN forward + VJP takes at
 *       most {@value #KERNEL_TIME_RATIO}× torch's forward + backward, and runs at
 *       ≥ {@value #KERNEL_GEMM_SHARE} of the float32 gemm rate measured in the same run;</li>
 *   <li>(b) {@code training}: MOL-LR and MoDL training steps at most {@value #TRAINING_RATIO}× the
 *       official time and peak memory above baseline at most {@value #TRAINING_RATIO}× the
 *       official's, at 64×64 and at 256×232 with 12 coils, K ∈ {1, 2, 5, 10}; one row per
 *       training row of the run (every size and K that ran), one more per required (size, method,
 *       K) that did not run;</li>
 *   <li>(c) {@code released_checkpoint}: on a 256×232 12-coil slice, deqbench's plain iteration
 *       within relative difference {@value #CHECKPOINT_DIFFERENCE} of the official output in at
 *       most {@value #CHECKPOINT_TIME_RATIO}× its time, and Anderson converged with at most a third
 *       of the official CNN evaluations (the official block evaluations, one CNN each).</li>
 * </ol>
 * {@code met} is true, false or null, combined as in three-valued logic: false as soon as one
 * measured part misses its threshold, else null when a part was not run (a shape, size, method or
 * K missing, torch absent, the checkpoint on another slice), else true.
 */
public final class ReferenceCriteria {
    /** (a) deqbench's forward + VJP time over torch's forward + backward. */
    public static final double KERNEL_TIME_RATIO = 1.0;
    /** (a) deqbench's forward + VJP rate over the float32 gemm rate of the same run. */
    public static final double KERNEL_GEMM_SHARE = 0.5;
    /** (a) the shapes judged. */
    public static final List<List<Long>> KERNEL_SHAPES = List.of(List.of(4L, 2L, 64L, 64L), List.of(1L, 2L, 256L, 256L));
    /** (b) step time and memory above baseline over the official's. */
    public static final double TRAINING_RATIO = 1.5;
    /** (b) the K values judged. */
    public static final List<Integer> TRAINING_ITERATIONS = List.of(1, 2, 5, 10);
    /** (b) the method kinds judged. */
    public static final List<String> TRAINING_KINDS = List.of("mol-lr", "modl");
    /** (c) relative difference of deqbench's plain output to the official output. */
    public static final double CHECKPOINT_DIFFERENCE = 1e-3;
    /** (c) deqbench's plain time over the official's. */
    public static final double CHECKPOINT_TIME_RATIO = 1.0;
    /** (c) Anderson's CNN evaluations over the official's. */
    public static final double ANDERSON_EVALUATION_SHARE = 1.0 / 3.0;
    /** (c) the slice judged: height, width, coils. */
    public static final List<Integer> CHECKPOINT_SLICE = List.of(256, 232, 12);

    private ReferenceCriteria() {
    }

    /**
     * A training size the criteria require: {@code coils} null matches any coil count (64×64: the
     * spec's own size, 8 coils in {@code experiments/reference-bench.yaml}).
     */
    record RequiredSize(int height, int width, Integer coils) {
        boolean matches(List<Integer> size) {
            return size != null && size.size() == 3 && size.get(0) == height && size.get(1) == width
                    && (coils == null || size.get(2).intValue() == coils);
        }

        String label() {
            return height + "x" + width + (coils == null ? "" : "x" + coils);
        }
    }

    /** (b) the sizes judged: 64×64 (any coils) and 256×232 with 12 coils. */
    static final List<RequiredSize> TRAINING_SIZES = List.of(new RequiredSize(64, 64, null),
            new RequiredSize(256, 232, 12));

    /**
     * The criteria from one run's sections.
     *
     * @param kernels    the run's {@code kernels} rows (each with {@code shape}, {@code forward_vjp_ratio}
     *                   and {@code deqbench.forward_vjp_share_of_gemm})
     * @param checkpoint the run's {@code checkpoint} section (null: not run)
     * @param training   the run's {@code training} rows (each with {@code size}, {@code kind},
     *                   {@code iterations}, {@code step_time_ratio}, {@code memory_ratio})
     */
    public static Map<String, Object> evaluate(List<Map<String, Object>> kernels, Map<String, Object> checkpoint,
                                               List<Map<String, Object>> training) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> a = kernels(kernels == null ? List.of() : kernels);
        Map<String, Object> b = training(training == null ? List.of() : training);
        Map<String, Object> c = checkpoint(checkpoint);
        out.put("cnn_kernels", a);
        out.put("training", b);
        out.put("released_checkpoint", c);
        out.put("met", and((Boolean) a.get("met"), (Boolean) b.get("met"), (Boolean) c.get("met")));
        out.put("met_rule", "false when a measured part misses its threshold, else null when a part was not run, "
                + "else true");
        return out;
    }

    /** (a) one row per required kernel shape. */
    static Map<String, Object> kernels(List<Map<String, Object>> kernels) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("criterion", "CNN forward+backward time <= " + KERNEL_TIME_RATIO + "x torch's and forward+VJP >= "
                + KERNEL_GEMM_SHARE + " of the float32 gemm rate measured in the same run, on 4x2x64x64 and 1x2x256x256");
        out.put("time_ratio_max", KERNEL_TIME_RATIO);
        out.put("gemm_share_min", KERNEL_GEMM_SHARE);
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Boolean> met = new ArrayList<>();
        for (List<Long> shape : KERNEL_SHAPES) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("shape", shape);
            Map<String, Object> k = kernels.stream().filter(r -> shape.equals(longs(r.get("shape")))).findFirst()
                    .orElse(null);
            row.put("run", k != null);
            Double ratio = k == null ? null : number(k, "forward_vjp_ratio");
            Double share = k == null ? null : number(k, "deqbench", "forward_vjp_share_of_gemm");
            row.put("forward_vjp_ratio", ratio);
            row.put("forward_vjp_share_of_gemm", share);
            row.put("official_forward_vjp_share_of_gemm", k == null ? null
                    : number(k, "official", "forward_vjp_share_of_gemm"));
            Boolean timeMet = atMost(ratio, KERNEL_TIME_RATIO);
            Boolean shareMet = share == null ? null : share >= KERNEL_GEMM_SHARE;
            row.put("time_met", timeMet);
            row.put("share_met", shareMet);
            Boolean m = and(timeMet, shareMet);
            row.put("met", m);
            met.add(m);
            rows.add(row);
        }
        out.put("rows", rows);
        out.put("met", and(met.toArray(Boolean[]::new)));
        return out;
    }

    /** (b) one row per training row of the run, and one per required configuration that did not run. */
    static Map<String, Object> training(List<Map<String, Object>> training) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("criterion", "MOL-LR and MoDL training step time and peak memory above baseline <= " + TRAINING_RATIO
                + "x the official's, at 64x64 and 256x232x12, K in " + TRAINING_ITERATIONS + "; met only when every row is");
        out.put("ratio_max", TRAINING_RATIO);
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Boolean> met = new ArrayList<>();
        for (Map<String, Object> r : training) {
            Map<String, Object> row = new LinkedHashMap<>();
            List<Integer> size = ints(r.get("size"));
            row.put("size", size);
            row.put("method", r.get("method"));
            row.put("kind", r.get("kind"));
            row.put("iterations", r.get("iterations"));
            row.put("run", true);
            Double time = number(r, "step_time_ratio");
            Double memory = number(r, "memory_ratio");
            row.put("step_time_ratio", time);
            row.put("memory_ratio", memory);
            Boolean m = and(atMost(time, TRAINING_RATIO), atMost(memory, TRAINING_RATIO));
            row.put("met", m);
            met.add(m);
            rows.add(row);
        }
        for (RequiredSize size : TRAINING_SIZES) {
            for (String kind : TRAINING_KINDS) {
                for (int k : TRAINING_ITERATIONS) {
                    boolean ran = training.stream().anyMatch(r -> size.matches(ints(r.get("size")))
                            && kind.equals(r.get("kind")) && r.get("iterations") instanceof Number n && n.intValue() == k);
                    if (!ran) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("size", java.util.Arrays.asList(size.height(), size.width(), size.coils()));
                        row.put("method", null);
                        row.put("kind", kind);
                        row.put("iterations", k);
                        row.put("run", false);
                        row.put("met", null);
                        met.add(null);
                        rows.add(row);
                    }
                }
            }
        }
        out.put("rows", rows);
        out.put("met", and(met.toArray(Boolean[]::new)));
        return out;
    }

    /** (c) the released checkpoint: plain difference and time against the official, Anderson's evaluations. */
    static Map<String, Object> checkpoint(Map<String, Object> checkpoint) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("criterion", "released checkpoint on a 256x232 12-coil slice: deqbench plain within relative difference "
                + CHECKPOINT_DIFFERENCE + " of the official output in <= " + CHECKPOINT_TIME_RATIO
                + "x its time; Anderson converged with <= 1/3 of the official CNN evaluations");
        out.put("relative_difference_max", CHECKPOINT_DIFFERENCE);
        out.put("time_ratio_max", CHECKPOINT_TIME_RATIO);
        out.put("anderson_evaluation_share_max", ANDERSON_EVALUATION_SHARE);
        out.put("slice_required", CHECKPOINT_SLICE);
        @SuppressWarnings("unchecked")
        Map<String, Object> slice = checkpoint == null || !(checkpoint.get("slice") instanceof Map<?, ?> m) ? null
                : (Map<String, Object>) m;
        List<Integer> sliceSize = slice == null ? null : List.of(intOf(slice.get("height")), intOf(slice.get("width")),
                intOf(slice.get("coils")));
        out.put("slice", sliceSize);
        boolean rightSlice = CHECKPOINT_SLICE.equals(sliceSize);
        Double difference = number(checkpoint, "deqbench_plain", "relative_difference_to_official");
        Double plainSeconds = number(checkpoint, "deqbench_plain", "seconds");
        Double officialSeconds = number(checkpoint, "official", "seconds");
        Double anderson = number(checkpoint, "deqbench_anderson", "cnn_evaluations");
        Double official = number(checkpoint, "official", "block_evaluations");
        Object converged = checkpoint == null || !(checkpoint.get("deqbench_anderson") instanceof Map<?, ?> am) ? null
                : am.get("converged");
        Double timeRatio = plainSeconds == null || officialSeconds == null ? null : plainSeconds / officialSeconds;
        Double share = anderson == null || official == null ? null : anderson / official;
        out.put("relative_difference", difference);
        out.put("time_ratio", timeRatio);
        out.put("anderson_cnn_evaluations", anderson == null ? null : anderson.longValue());
        out.put("official_cnn_evaluations", official == null ? null : official.longValue());
        out.put("anderson_evaluation_share", share);
        out.put("anderson_converged", converged);
        Boolean differenceMet = atMost(difference, CHECKPOINT_DIFFERENCE);
        Boolean timeMet = atMost(timeRatio, CHECKPOINT_TIME_RATIO);
        Boolean andersonMet = and(atMost(share, ANDERSON_EVALUATION_SHARE),
                converged instanceof Boolean b ? b : null);
        out.put("difference_met", differenceMet);
        out.put("time_met", timeMet);
        out.put("anderson_met", andersonMet);
        Boolean measured = and(differenceMet, timeMet, andersonMet);
        if (!rightSlice) {
            out.put("note", sliceSize == null ? "the checkpoint part did not run"
                    : "judged only on the " + label(CHECKPOINT_SLICE) + " slice; this run used " + label(sliceSize));
        }
        // on another slice the figures are shown but decide nothing
        out.put("met", rightSlice ? measured : null);
        return out;
    }

    /** The criteria as a short table: one line per kernel shape, training row and the checkpoint. */
    public static void print(Map<String, Object> criteria, PrintStream log) {
        log.println("criteria (from this run's rows; met: yes / no / - when a part was not run):");
        Map<String, Object> a = map(criteria.get("cnn_kernels"));
        for (Map<String, Object> r : rows(a)) {
            log.printf("  (a) CNN %-28s fwd+bwd %s torch (<= %.1fx), fwd+VJP %s of gemm (>= %.0f %%)%s  %s%n",
                    label(longs(r.get("shape"))), times(r.get("forward_vjp_ratio")), KERNEL_TIME_RATIO,
                    percent(r.get("forward_vjp_share_of_gemm")), 100 * KERNEL_GEMM_SHARE,
                    r.get("official_forward_vjp_share_of_gemm") == null ? ""
                            : " [torch " + percent(r.get("official_forward_vjp_share_of_gemm")) + " of its gemm]",
                    met(r.get("met")));
        }
        Map<String, Object> b = map(criteria.get("training"));
        Map<String, List<String>> missing = new LinkedHashMap<>();
        for (Map<String, Object> r : rows(b)) {
            if (Boolean.TRUE.equals(r.get("run"))) {
                Object size = r.get("size");
                String sz = size instanceof List<?> l ? label(l) : String.valueOf(size);
                log.printf("  (b) %-6s K=%-3s %-19s step %s, memory %s (<= %.1fx)  %s%n", r.get("kind"),
                        r.get("iterations"), sz, times(r.get("step_time_ratio")), times(r.get("memory_ratio")),
                        TRAINING_RATIO, met(r.get("met")));
            } else {
                missing.computeIfAbsent(r.get("kind") + " " + label((List<?>) r.get("size")), x -> new ArrayList<>())
                        .add(String.valueOf(r.get("iterations")));
            }
        }
        if (!missing.isEmpty()) {
            log.println("  (b) not run: " + String.join("; ", missing.entrySet().stream()
                    .map(e -> e.getKey() + " K=" + String.join(",", e.getValue())).toList()));
        }
        log.printf("  (b) training overall (every row)                                     %s%n", met(b.get("met")));
        Map<String, Object> c = map(criteria.get("released_checkpoint"));
        log.printf("  (c) checkpoint %-14s plain diff %s (<= %.0e), time %s official (<= %.1fx), Anderson %s/%s "
                        + "CNN evaluations (<= 1/3)  %s%s%n",
                c.get("slice") instanceof List<?> l ? label(l) : "-",
                c.get("relative_difference") == null ? "-" : String.format("%.2e", (Double) c.get("relative_difference")),
                CHECKPOINT_DIFFERENCE, times(c.get("time_ratio")), CHECKPOINT_TIME_RATIO,
                c.get("anderson_cnn_evaluations") == null ? "-" : c.get("anderson_cnn_evaluations"),
                c.get("official_cnn_evaluations") == null ? "-" : c.get("official_cnn_evaluations"), met(c.get("met")),
                c.get("note") == null ? "" : " (" + c.get("note") + ")");
        log.printf("  all criteria: %s%n", met(criteria.get("met")));
    }

    /** Three-valued and: false if any part is false, else null if any is null, else true. */
    static Boolean and(Boolean... parts) {
        boolean unknown = false;
        for (Boolean p : parts) {
            if (p == null) {
                unknown = true;
            } else if (!p) {
                return false;
            }
        }
        return unknown ? null : true;
    }

    private static Boolean atMost(Double value, double max) {
        return value == null ? null : value <= max;
    }

    /** The number at {@code path} in nested maps (null or missing anywhere: null). */
    static Double number(Map<String, Object> map, String... path) {
        Object o = map;
        for (String key : path) {
            if (!(o instanceof Map<?, ?> m)) {
                return null;
            }
            o = m.get(key);
        }
        return o instanceof Number n && !Double.isNaN(n.doubleValue()) ? n.doubleValue() : null;
    }

    private static List<Long> longs(Object shape) {
        if (shape instanceof long[] a) {
            return java.util.Arrays.stream(a).boxed().toList();
        }
        if (shape instanceof List<?> l && l.stream().allMatch(v -> v instanceof Number)) {
            return l.stream().map(v -> ((Number) v).longValue()).toList();
        }
        return null;
    }

    private static List<Integer> ints(Object size) {
        List<Long> l = longs(size);
        return l == null ? null : l.stream().map(Long::intValue).toList();
    }

    private static Integer intOf(Object o) {
        return o instanceof Number n ? n.intValue() : null;
    }

    /** {@code 256x232x12}; a null entry (any coil count) is left out: {@code 64x64}. */
    private static String label(List<?> dims) {
        return dims == null ? "-" : String.join("x", dims.stream().filter(Objects::nonNull).map(String::valueOf).toList());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(Map<String, Object> section) {
        return section.get("rows") instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    private static String times(Object ratio) {
        return ratio instanceof Number n ? String.format("%.2fx", n.doubleValue()) : "-";
    }

    private static String percent(Object share) {
        return share instanceof Number n ? String.format("%.0f %%", 100 * n.doubleValue()) : "-";
    }

    private static String met(Object met) {
        return Objects.equals(met, Boolean.TRUE) ? "yes" : Objects.equals(met, Boolean.FALSE) ? "no" : "-";
    }
}
