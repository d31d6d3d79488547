package org.deqbench.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The per-task ranking of {@code summary.json} ({@code ranking}) and of the report page: for each
 * task every method's mean test PSNR and its rank there, and for each method its worst rank, the
 * task where it is worst, and on how many tasks it beats the TV baseline; then a verdict on the
 * RERG paper's claim (Willingham, Sjöström, Guillemot, VISAPP 2024) that RERG is consistently good
 * across tasks while other regularizing gradients fail on some, computed from these ranks.
 *
 * <p><b>Ranks</b>: within a task, by decreasing mean PSNR, rank 1 the best; equal PSNRs share the
 * lower rank ("1, 2, 2, 4"); a method without a finite PSNR on a task has no rank there. A method's
 * worst rank is its largest rank over the tasks it ran on; its worst task the first (in spec order)
 * where that rank occurs. <b>Beats TV</b>: a strictly higher mean PSNR than the first method of kind
 * {@code tv} on the same task; the threshold is {@value #BEATS_BASELINE_ON} tasks.
 *
 * <p><b>Consistency verdict</b>: the first method of kind {@code rerg} against the other learned
 * methods trained on the same union of tasks ({@code train_on}), the regularizing gradients the
 * multi-task claim is about. The claim holds on a run when RERG's worst rank is no larger than any
 * of theirs (no jointly trained method is more consistent), and RERG beats TV on every task it ran
 * on. Without a RERG method or another jointly trained method there is no verdict (null).
 *
 * @param tasks       task names in spec order
 * @param baseline    the TV method the "beats TV" column compares with, or null when there is none
 * @param perTask     for each task, its methods by rank
 * @param methods     for each method (spec order), its ranks and worst rank
 * @param consistency the verdict on RERG's consistency, or null
 */
@JsonPropertyOrder({"tasks", "baseline", "per_task", "methods", "consistency"})
public record TaskRanking(
        @JsonProperty("tasks") List<String> tasks,
        @JsonProperty("baseline") String baseline,
        @JsonProperty("per_task") List<TaskRanks> perTask,
        @JsonProperty("methods") List<MethodRanks> methods,
        @JsonProperty("consistency") Consistency consistency) {

    /** A method beats TV overall when it does on at least this many tasks. */
    public static final int BEATS_BASELINE_ON = 2;

    /**
     * One method on one task.
     *
     * @param method method name
     * @param psnr   mean test PSNR (dB), or null
     * @param rank   rank on the task, or null without a PSNR
     */
    @JsonPropertyOrder({"method", "psnr", "rank"})
    public record Entry(@JsonProperty("method") String method, @JsonProperty("psnr") Double psnr,
                        @JsonProperty("rank") Integer rank) {
    }

    /**
     * One task's methods, best first (methods without a rank last, in spec order).
     *
     * @param task    task name
     * @param entries its methods
     */
    @JsonPropertyOrder({"task", "entries"})
    public record TaskRanks(@JsonProperty("task") String task, @JsonProperty("entries") List<Entry> entries) {
    }

    /**
     * One method across the tasks.
     *
     * @param method          method name
     * @param kind            method kind
     * @param trainedOn       the tasks of its shared model ({@code train_on}), or null when trained per task
     * @param ranks           rank per task it ran on (task order; null where it has no PSNR)
     * @param psnr            mean test PSNR per task it ran on
     * @param worstRank       its largest rank, or null without any rank
     * @param worstTask       the first task where it has that rank, or null
     * @param tasksBeatingTv  tasks on which it has a higher PSNR than the TV baseline (null without one;
     *                        the TV method itself has none)
     * @param beatsTv         whether that count reaches {@value TaskRanking#BEATS_BASELINE_ON}, or null
     */
    @JsonPropertyOrder({"method", "kind", "trained_on", "ranks", "psnr", "worst_rank", "worst_task",
            "tasks_beating_tv", "beats_tv"})
    public record MethodRanks(
            @JsonProperty("method") String method,
            @JsonProperty("kind") String kind,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("trained_on") List<String> trainedOn,
            @JsonProperty("ranks") Map<String, Integer> ranks,
            @JsonProperty("psnr") Map<String, Double> psnr,
            @JsonProperty("worst_rank") Integer worstRank,
            @JsonProperty("worst_task") String worstTask,
            @JsonProperty("tasks_beating_tv") List<String> tasksBeatingTv,
            @JsonProperty("beats_tv") Boolean beatsTv) {
    }

    /**
     * The verdict on RERG's consistency.
     *
     * @param method      the RERG method
     * @param worstRank   its worst rank
     * @param others      worst rank of every other jointly trained learned method
     * @param beatsTvEverywhere whether RERG beats TV on every task it ran on (null without TV)
     * @param holds       whether the claim holds on this run (see the class comment)
     * @param sentence    the verdict in words, made from these numbers
     */
    @JsonPropertyOrder({"method", "worst_rank", "others", "beats_tv_everywhere", "holds", "sentence"})
    public record Consistency(@JsonProperty("method") String method, @JsonProperty("worst_rank") Integer worstRank,
                              @JsonProperty("others") Map<String, Integer> others,
                              @JsonProperty("beats_tv_everywhere") Boolean beatsTvEverywhere,
                              @JsonProperty("holds") boolean holds, @JsonProperty("sentence") String sentence) {
    }

    /**
     * The ranking of {@code rows} (one per task and method, tasks and methods in spec order).
     *
     * @param trainOn the {@code train_on} tasks of every jointly trained method, by method name
     */
    public static TaskRanking of(List<SummaryRow> rows, Map<String, List<String>> trainOn) {
        List<String> tasks = new ArrayList<>();
        Map<String, String> kinds = new LinkedHashMap<>();
        for (SummaryRow r : rows) {
            if (!tasks.contains(r.task())) {
                tasks.add(r.task());
            }
            kinds.putIfAbsent(r.method(), r.kind());
        }
        String baseline = kinds.entrySet().stream().filter(e -> e.getValue().equals("tv")).map(Map.Entry::getKey)
                .findFirst().orElse(null);
        Map<String, Map<String, Integer>> ranks = new LinkedHashMap<>();
        Map<String, Map<String, Double>> psnrs = new LinkedHashMap<>();
        kinds.keySet().forEach(m -> {
            ranks.put(m, new LinkedHashMap<>());
            psnrs.put(m, new LinkedHashMap<>());
        });
        List<TaskRanks> perTask = new ArrayList<>();
        for (String task : tasks) {
            List<SummaryRow> here = rows.stream().filter(r -> r.task().equals(task)).toList();
            List<Entry> entries = new ArrayList<>();
            for (SummaryRow r : here) {
                Integer rank = null;
                if (finite(r.psnr())) {
                    rank = 1 + (int) here.stream().filter(o -> finite(o.psnr()) && o.psnr() > r.psnr()).count();
                }
                entries.add(new Entry(r.method(), r.psnr(), rank));
                ranks.get(r.method()).put(task, rank);
                psnrs.get(r.method()).put(task, r.psnr());
            }
            entries.sort((a, b) -> a.rank() == null ? (b.rank() == null ? 0 : 1)
                    : b.rank() == null ? -1 : Integer.compare(a.rank(), b.rank()));
            perTask.add(new TaskRanks(task, entries));
        }
        List<MethodRanks> methods = new ArrayList<>();
        for (Map.Entry<String, String> e : kinds.entrySet()) {
            String m = e.getKey();
            Integer worst = null;
            String worstTask = null;
            for (Map.Entry<String, Integer> r : ranks.get(m).entrySet()) {
                if (r.getValue() != null && (worst == null || r.getValue() > worst)) {
                    worst = r.getValue();
                    worstTask = r.getKey();
                }
            }
            List<String> beating = null;
            Boolean beats = null;
            if (baseline != null && !m.equals(baseline)) {
                beating = new ArrayList<>();
                for (Map.Entry<String, Double> p : psnrs.get(m).entrySet()) {
                    Double tv = psnrs.get(baseline).get(p.getKey());
                    if (finite(p.getValue()) && finite(tv) && p.getValue() > tv) {
                        beating.add(p.getKey());
                    }
                }
                beats = beating.size() >= BEATS_BASELINE_ON;
            }
            methods.add(new MethodRanks(m, e.getValue(), trainOn.get(m), ranks.get(m), psnrs.get(m), worst, worstTask,
                    beating, beats));
        }
        return new TaskRanking(tasks, baseline, perTask, methods, consistency(methods, trainOn));
    }

    private static Consistency consistency(List<MethodRanks> methods, Map<String, List<String>> trainOn) {
        MethodRanks rerg = methods.stream().filter(m -> m.kind().equals("rerg")).findFirst().orElse(null);
        if (rerg == null || rerg.worstRank() == null) {
            return null;
        }
        Map<String, Integer> others = new LinkedHashMap<>();
        for (MethodRanks m : methods) {
            if (m != rerg && trainOn.containsKey(m.method()) && m.worstRank() != null) {
                others.put(m.method(), m.worstRank());
            }
        }
        if (others.isEmpty()) {
            return null;
        }
        int bestOther = others.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
        Boolean everywhere = rerg.tasksBeatingTv() == null ? null
                : rerg.tasksBeatingTv().size() == rerg.ranks().size();
        boolean holds = rerg.worstRank() <= bestOther && !Boolean.FALSE.equals(everywhere);
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "RERG ('%s') has worst rank %d of %d (on %s); the other jointly trained"
                + " methods' worst ranks are ", rerg.method(), rerg.worstRank(), methods.size(), rerg.worstTask()));
        List<String> parts = new ArrayList<>();
        for (MethodRanks m : methods) {
            if (others.containsKey(m.method())) {
                parts.add(String.format(Locale.ROOT, "%s %d (on %s)", m.method(), m.worstRank(), m.worstTask()));
            }
        }
        s.append(String.join(", ", parts)).append(". ");
        if (everywhere != null) {
            s.append(everywhere ? "RERG beats TV on every task. "
                    : String.format(Locale.ROOT, "RERG beats TV on %d of %d tasks. ", rerg.tasksBeatingTv().size(),
                    rerg.ranks().size()));
        }
        if (holds) {
            s.append("No jointly trained method has a better worst rank, so the claim that RERG is consistently good"
                    + " across tasks holds on this run.");
        } else if (rerg.worstRank() > bestOther) {
            List<String> better = others.entrySet().stream().filter(o -> o.getValue() < rerg.worstRank())
                    .map(Map.Entry::getKey).toList();
            s.append("The claim that RERG is consistently good across tasks does not hold on this run: ")
                    .append(String.join(", ", better)).append(better.size() == 1 ? " has" : " have")
                    .append(" a better worst rank.");
        } else {
            s.append("The claim that RERG is consistently good across tasks does not hold on this run: it does not"
                    + " beat TV on every task.");
        }
        return new Consistency(rerg.method(), rerg.worstRank(), others, everywhere, holds, s.toString());
    }

    private static boolean finite(Double v) {
        return v != null && Double.isFinite(v);
    }
}
