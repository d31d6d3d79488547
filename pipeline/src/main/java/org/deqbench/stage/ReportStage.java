package org.deqbench.stage;

import org.deqbench.report.ExampleFigure;
import org.deqbench.report.HtmlReport;
import org.deqbench.report.MemoryBenchmark;
import org.deqbench.report.MethodResults;
import org.deqbench.report.Metric;
import org.deqbench.report.PanelFigures;
import org.deqbench.report.ReportCharts;
import org.deqbench.report.ResultTables;
import org.deqbench.report.Summary;
import org.deqbench.report.SummaryRow;
import org.deqbench.report.TaskRanking;
import org.deqbench.report.TaskSection;
import org.deqbench.report.TrainingCurves;
import org.deqbench.report.VersusBest;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.deqbench.metrics.SampleSummary;
import org.deqbench.plan.NodeContext;
import org.deqbench.plan.NodeInput;
import org.deqbench.plan.NodeOutput;
import org.deqbench.progress.Progress;
import org.deqbench.plan.Stage;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.TaskSpec;
import org.deqbench.track.Tracker;
import org.knowm.xchart.XYChart;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The {@code report} stage. For every task and method of the spec it reads the completed nodes
 * {@code simulate/<task>} (test ground truth), {@code train/<task>/<method>},
 * {@code certify/<task>/<method>} and {@code attack/<task>/<method>} ({@link UpstreamReader}),
 * and the optional memory benchmark {@code <runDir>/bench/memory.json} ({@link MemoryBenchmark}),
 * and writes:
 * <ul>
 *   <li>{@code summary.json} — {@link Summary}: one {@link SummaryRow} per (task, method) with mean
 *       PSNR/SSIM/NMSE over the test split and their 95 % Student-t intervals, Lipschitz bounds,
 *       the attack sweep, training time/memory and forward iterations (null where absent), and
 *       paired tests of each method against the task's best ({@link VersusBest});</li>
 *   <li>{@code summary.csv}, {@code per_image.csv}, {@code attack.csv} — tidy tables
 *       ({@link ResultTables});</li>
 *   <li>{@code index.html} — {@link HtmlReport};</li>
 *   <li>{@code figures/<task>_examples.png}, {@code figures/<task>_quality.png},
 *       {@code figures/<task>_attack.png},
 *       {@code figures/<task>_training_loss.png}, {@code figures/<task>_validation_psnr.png},
 *       {@code figures/memory.png} — each only when there is something to draw.</li>
 * </ul>
 * The benchmark file is not a plan input, so a report is not redone by itself when it changes:
 * rerun the report stage with {@code --force}. Rendering is headless.
 */
public final class ReportStage implements Stage {
    /** Ground truth of the test split, in the simulate node (data contract). */
    public static final String GROUND_TRUTH = "test/ground_truth.npy";

    @Override
    public String name() {
        return "report";
    }

    /**
     * Writes the report with the pipeline's progress reporter: one unit per (task, method) read,
     * one per task's figures and one for the tables and the page, so a log shows a line at least
     * every {@link Progress#HEARTBEAT_SECONDS} seconds while a large report renders.
     */
    @Override
    public void run(NodeContext ctx) throws Exception {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        ExperimentSpec spec = ctx.spec();
        try (Progress progress = Progress.start(ctx.node().id(),
                (long) spec.tasks().size() * (spec.methods().size() + 1) + 1)) {
            write(ctx, progress);
        }
    }

    private void write(NodeContext ctx, Progress progress) throws Exception {
        ExperimentSpec spec = ctx.spec();
        NodeOutput out = ctx.output();
        Files.createDirectories(out.dir().resolve("figures"));
        Map<String, Integer> colours = new LinkedHashMap<>();
        for (int i = 0; i < spec.methods().size(); i++) {
            colours.put(spec.methods().get(i).name(), i);
        }
        List<TaskSection> sections = new ArrayList<>();
        List<SummaryRow> rows = new ArrayList<>();
        List<MethodResults> allResults = new ArrayList<>();
        for (TaskSpec task : spec.tasks()) {
            progress.message("reading " + task.name());
            NodeInput sim = ctx.input("simulate/" + task.name());
            INDArray groundTruth = sim.array(GROUND_TRUTH);
            List<MethodResults> results = new ArrayList<>();
            for (MethodSpec method : spec.methods()) {
                if (!method.runsOn(task.name())) {
                    // trained on the union of other tasks (train_on) and not run on this one
                    progress.step();
                    continue;
                }
                String key = task.name() + "/" + method.name();
                MethodResults r = UpstreamReader.read(task.name(), method, ctx.input("train/" + key),
                        ctx.input("certify/" + key), ctx.input("attack/" + key), groundTruth);
                results.add(r);
                track(ctx.tracker(), r);
                progress.step();
            }
            progress.message("figures of " + task.name());
            Map<Metric, Map<String, VersusBest>> versusBest = new EnumMap<>(Metric.class);
            for (Metric m : Metric.values()) {
                versusBest.put(m, VersusBest.of(results, m));
            }
            for (MethodResults r : results) {
                rows.add(SummaryRow.of(r, versusBest));
            }
            allResults.addAll(results);
            sections.add(new TaskSection(task, groundTruth.size(0), results,
                    examples(out, task, results, groundTruth, spec.report().examples()),
                    comparison(out, task, results, colours),
                    attackChart(out, task, results, colours),
                    trainingChart(out, task, results, colours, true),
                    trainingChart(out, task, results, colours, false)));
            progress.step();
        }
        progress.message("tables and page");
        MemoryBenchmark memory = MemoryBenchmarkReader.read(ctx.store().root());
        String memoryFigure = null;
        if (memory != null && memory.rows().stream().anyMatch(r -> r.peakBytes() != null)) {
            memoryFigure = chart(out, "figures/memory.png", ReportCharts.memory(memory, colours),
                    "peak training memory against iterations per method (bench/memory.json)");
        }
        Map<String, List<String>> trainOn = new LinkedHashMap<>();
        spec.methods().stream().filter(MethodSpec::jointlyTrained).forEach(m -> trainOn.put(m.name(), m.trainOn()));
        TaskRanking ranking = spec.tasks().size() < 2 ? null : TaskRanking.of(rows, trainOn);
        out.writeJson("summary.json", new Summary(spec.name(), spec.description(), ctx.plan().specHash(),
                        SampleSummary.CONFIDENCE_95, rows, memory == null ? null : memory.rows(), ranking),
                "summary", "one row per (task, method): mean PSNR/SSIM/NMSE over the test split with 95 % Student-t"
                        + " intervals clipped to each metric's range (*_ci95 = [lo, hi]), paired t and Wilcoxon tests"
                        + " against the task's best method (*_vs_best), Lipschitz bounds, attack sweep, training cost;"
                        + " null = not available; with two or more tasks, ranking: each method's PSNR rank per task,"
                        + " its worst rank and task, the tasks where it beats TV, and the RERG consistency verdict");
        writeTables(out, rows, allResults);
        String generated = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        String html = HtmlReport.render(spec, ctx.plan().specHash(), sections, ranking, memory, memoryFigure, generated);
        Files.writeString(out.resolve("index.html"), html, StandardCharsets.UTF_8);
        out.addFile("index.html", "report", "html", "self-contained report page; figures linked from figures/");
        ctx.tracker().logToParent(org.deqbench.track.SpecParams.flatten("", spec), summaryMetrics(allResults),
                parentTags(ctx, spec));
        progress.message("");
        progress.step();
    }

    private static void writeTables(NodeOutput out, List<SummaryRow> rows, List<MethodResults> results) throws IOException {
        ResultTables.write(out.resolve(ResultTables.SUMMARY), ResultTables.SummaryCsvRow.class, ResultTables.summary(rows));
        out.addFile(ResultTables.SUMMARY, "summary", "csv", "summary.json's rows as a tidy table: one row per (task, method);"
                + " intervals as *_ci_low/*_ci_high, paired tests against the task's best as *_best, *_diff_vs_best,"
                + " *_t_test_p, *_wilcoxon_p; empty = not available");
        ResultTables.write(out.resolve(ResultTables.PER_IMAGE), ResultTables.PerImageRow.class, ResultTables.perImage(results));
        out.addFile(ResultTables.PER_IMAGE, "per_image_scores", "csv",
                "one row per (task, method, test image): PSNR (dB), SSIM, NMSE; image = index in the test split");
        ResultTables.write(out.resolve(ResultTables.ATTACK), ResultTables.AttackRow.class, ResultTables.attack(results));
        out.addFile(ResultTables.ATTACK, "attack", "csv", "one row per (task, method, ε): worst-case and Gaussian"
                + " amplification ‖Δx‖/‖δ‖, certified bound and verdict; empty = not available");
    }

    /** The summary metrics of every (task, method), keyed as the report node logs them. */
    private static Map<String, Double> summaryMetrics(List<MethodResults> results) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (MethodResults r : results) {
            String suffix = "/" + r.task() + "/" + r.method();
            m.put("psnr" + suffix, r.psnr().mean());
            m.put("ssim" + suffix, r.ssim().mean());
            m.put("nmse" + suffix, r.nmse().mean());
        }
        m.values().removeIf(v -> !Double.isFinite(v));
        return m;
    }

    /**
     * The parent run's tags: the spec's description as the run's note ({@code mlflow.note.content},
     * shown by the MLflow UI), where the report lies in the run store, and the report page among
     * this node's artifacts (uploaded under {@code report/} when the server proxies artifacts).
     */
    private static Map<String, String> parentTags(NodeContext ctx, ExperimentSpec spec) {
        Map<String, String> t = new LinkedHashMap<>();
        if (!spec.description().isBlank()) {
            t.put("mlflow.note.content", spec.description().strip());
        }
        t.put("deqbench.report", ctx.store().nodeDir(ctx.node().id()).resolve("index.html").toAbsolutePath().toString());
        t.put("deqbench.report_artifact", "runs:/" + org.deqbench.track.RunRecord.ParentLog.NODE_RUN_ID + "/"
                + ctx.node().stage() + "/index.html");
        return t;
    }

    private static void track(Tracker tracker, MethodResults r) {
        String suffix = "/" + r.task() + "/" + r.method();
        for (var e : Map.of("psnr", r.psnr(), "ssim", r.ssim(), "nmse", r.nmse()).entrySet()) {
            if (Double.isFinite(e.getValue().mean())) {
                tracker.logMetric(e.getKey() + suffix, e.getValue().mean());
            }
        }
    }

    private static String examples(NodeOutput out, TaskSpec task, List<MethodResults> results, INDArray groundTruth,
                                   int examples) throws IOException {
        if (examples < 1 || groundTruth.size(0) < 1) {
            return null;
        }
        List<ExampleFigure.Column> columns = new ArrayList<>();
        for (MethodResults r : results) {
            INDArray recon = r.reconstructions() == null ? null : Nd4j.createFromNpyFile(r.reconstructions().toFile());
            columns.add(new ExampleFigure.Column(r.method(), recon));
        }
        BufferedImage img = ExampleFigure.render(groundTruth, columns, examples);
        String file = "figures/" + task.name() + "_examples.png";
        png(img, out.resolve(file));
        out.addFile(file, "figure", "png", "example test images of task " + task.name()
                + ": ground truth, each method's reconstruction and |error| map");
        return file;
    }

    private static String comparison(NodeOutput out, TaskSpec task, List<MethodResults> results,
                                     Map<String, Integer> colours) throws IOException {
        if (results.stream().noneMatch(r -> Double.isFinite(r.psnr().mean()))) {
            return null;
        }
        String file = "figures/" + task.name() + "_quality.png";
        png(PanelFigures.comparison(task.name(), results, colours), out.resolve(file));
        out.addFile(file, "figure", "png", "mean PSNR and SSIM per method with 95 % intervals, task " + task.name());
        return file;
    }

    private static String attackChart(NodeOutput out, TaskSpec task, List<MethodResults> results,
                                      Map<String, Integer> colours) throws IOException {
        Map<Integer, MethodResults> withAttack = new LinkedHashMap<>();
        for (MethodResults r : results) {
            if (r.attack().stream().anyMatch(p -> p.amplificationWorst() != null || p.amplificationGaussian() != null)) {
                withAttack.put(colours.get(r.method()), r);
            }
        }
        if (withAttack.isEmpty()) {
            return null;
        }
        String file = "figures/" + task.name() + "_attack.png";
        png(PanelFigures.attack(task.name(), withAttack), out.resolve(file));
        out.addFile(file, "figure", "png", "attack amplification against ε, one panel per method, with its certified"
                + " bound, task " + task.name());
        return file;
    }

    private static String trainingChart(NodeOutput out, TaskSpec task, List<MethodResults> results,
                                        Map<String, Integer> colours, boolean loss) throws IOException {
        List<ReportCharts.Line> lines = new ArrayList<>();
        for (MethodResults r : results) {
            TrainingCurves c = r.curves();
            if (c != null && (loss ? c.hasLoss() : c.hasValidation())) {
                lines.add(new ReportCharts.Line(r.method(), colours.get(r.method()),
                        loss ? c.steps() : c.epochs(), loss ? c.loss() : c.valPsnr()));
            }
        }
        if (lines.isEmpty()) {
            return null;
        }
        String file = "figures/" + task.name() + (loss ? "_training_loss.png" : "_validation_psnr.png");
        XYChart chart = loss ? ReportCharts.trainingLoss(task.name(), lines) : ReportCharts.validationPsnr(task.name(), lines);
        return chart(out, file, chart, (loss ? "training loss per step" : "validation PSNR per epoch")
                + " of the learned methods, task " + task.name());
    }

    private static String chart(NodeOutput out, String file, XYChart chart, String description) throws IOException {
        ReportCharts.write(chart, out.resolve(file));
        out.addFile(file, "figure", "png", description);
        return file;
    }

    private static void png(BufferedImage img, Path file) throws IOException {
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer available for " + file);
        }
    }
}
