package org.deqbench.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.deqbench.metrics.SampleSummary;
import org.deqbench.metrics.Ssim;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.TaskSpec;

/**
 * Writes {@code index.html}: one self-contained page (inline CSS, no scripts, no external assets;
 * figures are relative links to {@code figures/*.png}) with, per task, reconstruction quality
 * (mean ± 95 % interval), Lipschitz certificates, attack results against the certified bound,
 * training curves and example reconstructions; then the memory benchmark and the metric
 * definitions.
 */
public final class HtmlReport {
    private static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#222;
              margin:0;background:#fafafa;line-height:1.45}
            main{max-width:1180px;margin:0 auto;padding:24px 32px 48px;background:#fff;min-height:100vh}
            h1{margin:0 0 4px;font-size:1.8em}
            h2{margin-top:2.2em;padding-bottom:4px;border-bottom:2px solid #1f77b4}
            h2 small{font-weight:normal;color:#666;font-size:.6em;margin-left:.6em}
            h3{margin:1.6em 0 .5em;font-size:1.1em;color:#333}
            .meta{color:#666;font-size:.9em}
            .description{font-size:1.05em;max-width:60em}
            nav{margin:1em 0;padding:.6em 1em;background:#f1f5f9;border-radius:6px;font-size:.95em}
            nav a{margin-right:1.2em}
            a{color:#1f5fa0}
            table{border-collapse:collapse;margin:.4em 0 1em;font-size:.92em;display:block;max-width:100%;overflow-x:auto}
            th,td{padding:5px 10px;border-bottom:1px solid #e3e3e3;text-align:right;white-space:nowrap}
            th{white-space:normal;vertical-align:bottom}
            th{background:#f4f4f4;font-weight:600;border-bottom:2px solid #ccc}
            td:first-child,th:first-child{text-align:left}
            td.kind,th.kind{text-align:left;color:#555}
            td.text,th.text{text-align:left}
            td.basis{white-space:normal;font-size:.85em;color:#555;max-width:28em}
            td.paired{white-space:normal;min-width:17em}
            tr:hover td{background:#fbfbf4}
            .ci{display:block;color:#777;font-size:.82em}
            .best{font-weight:700}
            .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.85em;font-weight:600}
            .cert{background:#dcfce7;color:#166534}.est{background:#fef3c7;color:#92400e}.none{background:#eee;color:#666}
            .ok{color:#166534}.bad{color:#b91c1c;font-weight:700}
            td.violation{background:#fee2e2}
            .na{color:#aaa}
            sup.joint{color:#1f5fa0;font-size:.7em;margin-left:.3em}
            figure{margin:.6em 0 1.4em}
            figure img{max-width:100%;border:1px solid #e5e5e5;border-radius:4px}
            figcaption{color:#555;font-size:.88em;max-width:70em;margin-top:4px}
            .pair{display:flex;flex-wrap:wrap;gap:16px}
            .pair figure{flex:0 1 auto;margin:0}
            .note{color:#666;font-size:.9em;max-width:70em}
            .alert{background:#fee2e2;border-left:4px solid #b91c1c;padding:6px 12px;margin:.6em 0}
            dl{max-width:72em}dt{font-weight:600;margin-top:.6em}dd{margin-left:1.2em;color:#333}
            code{background:#f3f3f3;padding:0 3px;border-radius:3px}
            footer{margin-top:3em;color:#888;font-size:.85em}
            """;

    private final StringBuilder html = new StringBuilder();
    /** The spec of the page being written (which methods were trained jointly). */
    private ExperimentSpec spec;

    private HtmlReport() {
    }

    /**
     * The page.
     *
     * @param memory       the memory benchmark, or null
     * @param memoryFigure its chart (relative path), or null
     * @param generated    timestamp shown in the header
     */
    public static String render(ExperimentSpec spec, String specHash, List<TaskSection> tasks, MemoryBenchmark memory,
                                String memoryFigure, String generated) {
        return render(spec, specHash, tasks, null, memory, memoryFigure, generated);
    }

    /**
     * The page with the per-task ranking ({@code ranking}, or null for none) before the task sections.
     *
     * @param memory       the memory benchmark, or null
     * @param memoryFigure its chart (relative path), or null
     * @param generated    timestamp shown in the header
     */
    public static String render(ExperimentSpec spec, String specHash, List<TaskSection> tasks, TaskRanking ranking,
                                MemoryBenchmark memory, String memoryFigure, String generated) {
        HtmlReport r = new HtmlReport();
        r.spec = spec;
        r.page(spec, specHash, tasks, ranking, memory, memoryFigure, generated);
        return r.html.toString();
    }

    private void page(ExperimentSpec spec, String specHash, List<TaskSection> tasks, TaskRanking ranking,
                      MemoryBenchmark memory, String memoryFigure, String generated) {
        out("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        out("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        out("<title>" + esc(spec.name()) + " — deqbench report</title><style>" + CSS + "</style></head><body><main>");
        out("<h1>" + esc(spec.name()) + "</h1>");
        if (!spec.description().isBlank()) {
            out("<p class=\"description\">" + esc(spec.description()) + "</p>");
        }
        out("<p class=\"meta\">deqbench report · " + tasks.size() + " task(s) × " + spec.methods().size()
                + " method(s) · generated " + esc(generated) + " · spec hash <code>" + esc(shortHash(specHash))
                + "</code> · machine-readable: <a href=\"summary.json\">summary.json</a></p>");
        out("<nav><strong>Contents:</strong> ");
        if (ranking != null) {
            out("<a href=\"#ranking\">ranking across tasks</a>");
        }
        for (TaskSection t : tasks) {
            out("<a href=\"#task-" + esc(t.task().name()) + "\">" + esc(t.task().name()) + "</a>");
        }
        if (memory != null) {
            out("<a href=\"#memory\">memory scaling</a>");
        }
        out("<a href=\"#definitions\">definitions</a></nav>");
        List<String> violations = tasks.stream().flatMap(t -> t.methods().stream())
                .filter(MethodResults::violatesCertificate).map(m -> m.task() + "/" + m.method()).toList();
        if (!violations.isEmpty()) {
            out("<p class=\"alert\"><strong>Certificate violated</strong> — an attack amplified a perturbation beyond"
                    + " the certified bound for: " + esc(String.join(", ", violations)) + ". See the attack tables.</p>");
        }
        if (ranking != null) {
            ranking(ranking);
        }
        for (TaskSection t : tasks) {
            task(t);
        }
        if (memory != null) {
            memory(memory, memoryFigure, spec);
        }
        definitions();
        out("<footer>Written by the deqbench report stage. Figures are in <code>figures/</code>;"
                + " every file is listed in <code>manifest.json</code>.</footer>");
        out("</main></body></html>");
    }

    private void task(TaskSection s) {
        TaskSpec t = s.task();
        String size = t.height() + "×" + t.width() + (t.frames() > 1 ? "×" + t.frames() + " frames" : "");
        out("<section id=\"task-" + esc(t.name()) + "\"><h2>" + esc(t.name()) + "<small>" + esc(t.problem().key())
                + " · " + size + " · " + (t.problem().complex() ? "complex" : "real") + " · " + s.testImages()
                + " test images · noise σ = " + plain(t.noise().sigma()) + "</small></h2>");
        quality(s);
        certificates(s);
        out(ErrorBoundTable.html(s));
        attacks(s);
        objectiveDescent(s);
        training(s);
        if (s.examples() != null) {
            out("<h3>Example reconstructions</h3><figure><img src=\"" + esc(s.examples()) + "\" alt=\"example reconstructions of "
                    + esc(t.name()) + "\"><figcaption>Top row of each example: magnitude images in grey from 0 to the"
                    + " ground truth's maximum (reconstructions clipped), with the PSNR and SSIM of that image. Bottom row:"
                    + " error maps | |x̂| − |x| | on one colour scale per example, drawn under the ground truth: 0 to"
                    + " the median over methods of each method's 99th error percentile on that image (errors beyond"
                    + " it saturate, so a much worse method shows bright)."
                    + (t.frames() > 1 ? " The middle frame is shown; scores cover all frames." : "")
                    + "</figcaption></figure>");
        }
        out("</section>");
    }

    private void quality(TaskSection s) {
        out("<h3>Reconstruction quality</h3>");
        out("<table><tr><th>method</th><th class=\"kind\">kind</th><th>PSNR (dB) ↑</th><th>SSIM ↑</th><th>NMSE ↓</th>"
                + "<th class=\"text\">vs best, paired (p-values)</th><th>images</th><th>training time</th><th>training peak memory</th><th>forward iterations</th></tr>");
        List<MethodResults> ms = s.methods();
        List<MethodResults> bestPsnr = best(ms, r -> r.psnr().mean(), true);
        List<MethodResults> bestSsim = best(ms, r -> r.ssim().mean(), true);
        List<MethodResults> bestNmse = best(ms, r -> r.nmse().mean(), false);
        var psnrVsBest = VersusBest.of(ms, Metric.PSNR);
        var ssimVsBest = VersusBest.of(ms, Metric.SSIM);
        for (MethodResults r : ms) {
            out("<tr><td>" + esc(r.method()) + jointMark(r.method()) + "</td><td class=\"kind\">" + esc(r.kind().key()) + "</td>"
                    + meanCell(r.psnr(), "%.2f", bestPsnr.contains(r))
                    + meanCell(r.ssim(), "%.4f", bestSsim.contains(r))
                    + meanCell(r.nmse(), "%.4g", bestNmse.contains(r))
                    + pairedCell(r, psnrVsBest, ssimVsBest)
                    + "<td>" + r.perImage().size() + (r.metricsSource().equals("recomputed") ? "*" : "") + "</td>"
                    + "<td>" + (r.trainSeconds() == null ? na() : duration(r.trainSeconds())) + "</td>"
                    + "<td>" + (r.trainPeakBytes() == null ? na() : bytes(r.trainPeakBytes())) + "</td>"
                    + "<td>" + (r.forwardIterations() == null ? na() : fmt(r.forwardIterations(), "%.4g")) + "</td></tr>");
        }
        out("</table>");
        if (s.quality() != null) {
            out("<figure><img src=\"" + esc(s.quality()) + "\" alt=\"PSNR and SSIM per method\"><figcaption>Mean PSNR and"
                    + " SSIM per method (dot; the best is larger) with the 95 % interval of the mean (bar).</figcaption></figure>");
        }
        if (ms.stream().anyMatch(r -> jointlyTrained(r.method()))) {
            out("<p class=\"note\">" + JOINT_MARK + " one model trained on the union of the tasks named in its tooltip"
                    + " (<code>train_on</code>; node <code>train/joint/&lt;method&gt;</code>) and evaluated on each.</p>");
        }
        out("<p class=\"note\">Mean over the test images; below it the 95 % Student-t confidence interval of the"
                + " mean, clipped to the metric's range (SSIM ≤ 1, NMSE ≥ 0). Best mean in bold. The paired column"
                + " compares each method with the best one on the same images: mean difference, then two-sided"
                + " p-values of the paired t-test (t) and the Wilcoxon signed-rank test (W); a small p says the"
                + " difference is consistent across images. With a handful of images no p-value can be small." + (ms.stream().anyMatch(r -> r.metricsSource().equals("recomputed"))
                ? " * scores recomputed from the reconstructions (no metrics.json)." : "") + "</p>");
    }

    /** Marks a jointly trained method in the tables. */
    private static final String JOINT_MARK = "<sup class=\"joint\">joint</sup>";

    private boolean jointlyTrained(String method) {
        return spec != null && spec.methods().stream().anyMatch(m -> m.name().equals(method) && m.jointlyTrained());
    }

    private String jointMark(String method) {
        if (!jointlyTrained(method)) {
            return "";
        }
        List<String> tasks = spec.method(method).trainOn();
        return JOINT_MARK.replace("<sup ", "<sup title=\"trained once on " + esc(String.join(", ", tasks)) + "\" ");
    }

    /**
     * The per-task ranking: one row per method with its PSNR and rank on every task, its worst rank
     * and task, and whether it beats TV on enough tasks; then the computed RERG verdict.
     */
    private void ranking(TaskRanking k) {
        out("<section id=\"ranking\"><h2>Ranking across tasks<small>mean test PSNR and its rank on each task</small></h2>");
        StringBuilder head = new StringBuilder("<table><tr><th>method</th><th class=\"kind\">kind</th>");
        for (String t : k.tasks()) {
            head.append("<th>").append(esc(t)).append("<br>PSNR (rank)</th>");
        }
        head.append("<th>worst rank</th><th class=\"text\">worst on</th>");
        if (k.baseline() != null) {
            head.append("<th class=\"text\">beats ").append(esc(k.baseline())).append(" on ≥ ")
                    .append(TaskRanking.BEATS_BASELINE_ON).append(" tasks</th>");
        }
        out(head.append("</tr>").toString());
        int worstOfAll = k.methods().stream().filter(m -> m.worstRank() != null).mapToInt(TaskRanking.MethodRanks::worstRank)
                .max().orElse(0);
        for (TaskRanking.MethodRanks m : k.methods()) {
            StringBuilder row = new StringBuilder("<tr><td>" + esc(m.method()) + jointMark(m.method())
                    + "</td><td class=\"kind\">" + esc(m.kind()) + "</td>");
            for (String t : k.tasks()) {
                Integer rank = m.ranks().get(t);
                Double psnr = m.psnr().get(t);
                if (!m.ranks().containsKey(t)) {
                    row.append("<td><span class=\"na\">not run</span></td>");
                } else if (rank == null) {
                    row.append("<td>").append(na()).append("</td>");
                } else {
                    row.append("<td").append(rank == 1 ? " class=\"best\"" : "").append(">")
                            .append(fmt(psnr, "%.2f")).append(" (").append(rank).append(")</td>");
                }
            }
            row.append("<td").append(m.worstRank() != null && m.worstRank() == worstOfAll ? " class=\"bad\"" : "")
                    .append(">").append(m.worstRank() == null ? na() : String.valueOf(m.worstRank())).append("</td>")
                    .append("<td class=\"text\">").append(m.worstTask() == null ? na() : esc(m.worstTask())).append("</td>");
            if (k.baseline() != null) {
                row.append("<td class=\"text\">");
                if (m.beatsTv() == null) {
                    row.append(na());
                } else {
                    row.append("<span class=\"").append(m.beatsTv() ? "ok" : "bad").append("\">")
                            .append(m.beatsTv() ? "yes" : "no").append("</span> (")
                            .append(m.tasksBeatingTv().size()).append(" of ").append(m.ranks().size()).append(")");
                }
                row.append("</td>");
            }
            out(row.append("</tr>").toString());
        }
        out("</table>");
        out("<p class=\"note\">Rank 1 is the highest mean PSNR on the task (best in bold); equal means share a rank. A"
                + " method's worst rank is its largest over the tasks it ran on (the largest of the table in red)."
                + (k.baseline() == null ? "" : " \"Beats\" means a strictly higher mean PSNR than " + esc(k.baseline())
                + " on the same task.") + "</p>");
        if (k.consistency() != null) {
            out("<p class=\"" + (k.consistency().holds() ? "ok" : "bad") + "\"><strong>RERG's consistency:</strong> "
                    + esc(k.consistency().sentence()) + "</p>");
        }
        out("</section>");
    }

    private void certificates(TaskSection s) {
        out("<h3>Lipschitz certificate</h3>");
        out("<table><tr><th>method</th><th>upper bound L̄</th><th>lower bound L̲</th><th class=\"text\">status</th>"
                + "<th>monotonicity margin m</th><th>amplification bound</th><th class=\"text\">how the bound is derived</th></tr>");
        for (MethodResults r : s.methods()) {
            Certificate c = r.certificate();
            String status = c.kind() == null ? "<span class=\"badge none\">none</span>"
                    : c.isCertificate() ? "<span class=\"badge cert\">certificate</span>"
                    : "<span class=\"badge est\">" + esc(c.kind()) + " (not a certificate)</span>";
            out("<tr><td>" + esc(r.method()) + "</td><td>" + num(c.upper()) + "</td><td>" + num(c.lower())
                    + "</td><td class=\"text\">" + status + "</td><td>" + num(c.margin()) + "</td><td>"
                    + num(c.amplificationBound()) + "</td><td class=\"text basis\">"
                    + (c.basis() == null ? na() : esc(readableBasis(c.basis()))) + "</td></tr>");
        }
        out("</table><p class=\"note\">L̄ is a proven upper bound on a Lipschitz constant (of the reconstruction"
                + " map b ↦ x̂, or of the network for equilibrium methods, as the last column says) only when the"
                + " status is <em>certificate</em>; an estimate guarantees nothing. L̲ is empirical (power iteration,"
                + " adversarial ascent): the true constant lies between the two. For MOL the margin m = 1 − L of the"
                + " network makes the fixed point unique and bounds its sensitivity to measurement noise. The"
                + " amplification bound is what the attacks below are checked against.</p>");
    }

    private void attacks(TaskSection s) {
        List<Double> eps = s.methods().stream().flatMap(r -> r.attack().stream()).map(AttackPoint::eps)
                .distinct().sorted().toList();
        out("<h3>Attacks</h3>");
        if (eps.isEmpty()) {
            out("<p class=\"note\">No attack results.</p>");
            return;
        }
        StringBuilder head = new StringBuilder("<table><tr><th>method</th>");
        for (double e : eps) {
            head.append("<th>ε = ").append(plain(e)).append("<span class=\"ci\">worst / Gaussian</span></th>");
        }
        head.append("<th>certified bound</th><th>verdict</th></tr>");
        out(head.toString());
        for (MethodResults r : s.methods()) {
            StringBuilder row = new StringBuilder("<tr><td>" + esc(r.method()) + "</td>");
            for (double e : eps) {
                AttackPoint p = r.attack().stream().filter(a -> a.eps() == e).findFirst().orElse(null);
                if (p == null) {
                    row.append("<td>").append(na()).append("</td>");
                    continue;
                }
                boolean bad = p.violatesCertificate();
                row.append(bad ? "<td class=\"violation\">" : "<td>").append(num(p.amplificationWorst())).append(" / ")
                        .append(num(p.amplificationGaussian()));
                if (bad) {
                    row.append("<span class=\"ci bad\">✗ exceeds bound</span>");
                }
                row.append("</td>");
            }
            Double bound = r.attack().stream().map(AttackPoint::certifiedBound).filter(b -> b != null).findFirst().orElse(null);
            row.append("<td>").append(num(bound)).append("</td><td>");
            if (r.attack().isEmpty()) {
                row.append(na());
            } else if (r.violatesCertificate()) {
                row.append("<span class=\"bad\">✗ violated</span>");
            } else if (r.attack().stream().anyMatch(p -> p.withinCertificate() != null || p.certifiedBound() != null)) {
                row.append("<span class=\"ok\">✓ within bound</span>");
            } else {
                row.append("<span class=\"na\">no certificate</span>");
            }
            out(row.append("</td></tr>").toString());
        }
        out("</table>");
        if (s.attack() != null) {
            out("<figure><img src=\"" + esc(s.attack()) + "\" alt=\"attack amplification\"><figcaption>Amplification"
                    + " ‖f(b+δ) − f(b)‖ / ‖δ‖ of the worst perturbation found with ‖δ‖ ≤ ε‖b‖ (solid) and of Gaussian"
                    + " noise of the same norm (dashed), one panel per method, with the method's certified bound"
                    + " (dotted horizontal line) where it has one. A worst case above the bound would disprove the"
                    + " certificate.</figcaption></figure>");
        }
    }

    /** Explicit-objective methods (ELDER): did the objective decrease at every iteration on every image? */
    private void objectiveDescent(TaskSection s) {
        if (s.methods().stream().allMatch(m -> m.objectiveDescent() == null)) {
            return;
        }
        out("<h3>Objective descent</h3>");
        out("<table><tr><th class=\"text\">method</th><th class=\"text\">objective decreased monotonically</th>"
                + "<th>largest increase F(x<sub>k+1</sub>) − F(x<sub>k</sub>)</th><th>stationary (tolerance met)</th>"
                + "<th>mean iterations</th></tr>");
        for (MethodResults m : s.methods()) {
            ObjectiveDescent d = m.objectiveDescent();
            if (d == null) {
                continue;
            }
            String increase = d.largestIncrease() > 0 ? String.format("%.3g", d.largestIncrease())
                    : "none (every step decreased F; smallest decrease " + String.format("%.3g", -d.largestIncrease()) + ")";
            out("<tr><td class=\"text\">" + esc(m.method()) + "</td><td class=\"text\">"
                    + (d.allMonotone() ? "" : "<strong>") + "on " + d.monotone() + "/" + d.images() + " images"
                    + (d.allMonotone() ? "" : "</strong>") + "</td><td>" + increase + "</td><td>"
                    + (d.converged() == null ? "—" : d.converged() + "/" + d.images()) + "</td><td>"
                    + (d.meanIterations() == null ? "—" : String.format("%.1f", d.meanIterations())) + "</td></tr>");
        }
        out("</table><p class=\"note\">F(x) = ½‖Ax − b‖² + (1/λ)·½‖x − N(x)‖², minimised per test image by"
                + " gradient descent with Armijo backtracking (a step is accepted only if it lowers F by at least"
                + " 10⁻⁴·η‖∇F‖²), from <code>method.json</code>'s <code>objective_per_iteration</code>.</p>");
    }

    private void training(TaskSection s) {
        if (s.trainingLoss() == null && s.validationPsnr() == null) {
            return;
        }
        out("<h3>Training curves</h3><div class=\"pair\">");
        if (s.trainingLoss() != null) {
            out("<figure><img src=\"" + esc(s.trainingLoss()) + "\" alt=\"training loss\"><figcaption>Training loss per"
                    + " optimiser step (learned methods).</figcaption></figure>");
        }
        if (s.validationPsnr() != null) {
            out("<figure><img src=\"" + esc(s.validationPsnr()) + "\" alt=\"validation PSNR\"><figcaption>Validation"
                    + " PSNR after each epoch.</figcaption></figure>");
        }
        out("</div>");
    }

    private void memory(MemoryBenchmark memory, String figure, ExperimentSpec spec) {
        out("<section id=\"memory\"><h2>Memory scaling<small>from bench/memory.json</small></h2>");
        String measuredOn = measuredOn(memory.settings(), spec);
        if (measuredOn != null) {
            out("<p class=\"note\">Measured by <code>deqbench bench memory</code> on " + esc(measuredOn) + ".</p>");
        }
        out("<p class=\"note\">Peak memory of one training step as the number of iterations grows. Backpropagation"
                + " through K unrolled iterations stores every iteration's activations, so its memory grows with K;"
                + " a deep-equilibrium backward pass by implicit differentiation needs only the fixed point.</p>");
        if (figure != null) {
            out("<figure><img src=\"" + esc(figure) + "\" alt=\"memory vs iterations\"></figure>");
        }
        out("<table><tr><th>method</th><th>iterations</th><th>peak</th><th>heap</th><th>off-heap</th><th>s / step</th></tr>");
        for (var e : memory.byMethod().entrySet()) {
            for (MemoryBenchmark.Row r : e.getValue()) {
                out("<tr><td>" + esc(r.method()) + "</td><td>" + r.iterations() + "</td><td>" + bytesOrNa(r.peakBytes())
                        + "</td><td>" + bytesOrNa(r.peakHeapBytes()) + "</td><td>" + bytesOrNa(r.peakOffheapBytes())
                        + "</td><td>" + (r.secondsPerStep() == null ? na() : fmt(r.secondsPerStep(), "%.3g")) + "</td></tr>");
            }
        }
        out("</table></section>");
    }

    /**
     * What the memory benchmark trained on, e.g. {@code task cine-4x (dynamic-mri, 48×48, 8 frames)
     * of experiments/memory-scaling-dynamic.yaml}: the problem and frames from this report's spec
     * when it has the task, else the size the benchmark recorded; null when the file says nothing.
     */
    static String measuredOn(MemoryBenchmark.Settings settings, ExperimentSpec spec) {
        if (settings == null || settings.task() == null) {
            return null;
        }
        List<String> parts = new java.util.ArrayList<>();
        org.deqbench.spec.TaskSpec task = spec.tasks().stream().filter(t -> t.name().equals(settings.task()))
                .findFirst().orElse(null);
        if (task != null) {
            parts.add(task.problem().key());
        }
        List<Integer> size = settings.imageSize() != null ? settings.imageSize() : task == null ? null : task.size();
        if (size != null && !size.isEmpty()) {
            parts.add(size.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining("×")));
        }
        if (task != null && task.frames() != null && task.frames() > 1) {
            parts.add(task.frames() + (task.problem() == org.deqbench.spec.Problem.MRI_3D ? " slices" : " frames"));
        }
        return "task " + settings.task() + (parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")")
                + (settings.spec() == null ? "" : " of " + settings.spec());
    }

    private void definitions() {
        out("<section id=\"definitions\"><h2>Definitions</h2><dl>");
        out("<dt>Images compared</dt><dd>Complex images (two channels, real and imaginary) are compared as magnitude"
                + " images |x|; real images as they are. Dynamic and 3D images: PSNR and NMSE over all frames, SSIM"
                + " averaged over frames.</dd>");
        out("<dt>PSNR</dt><dd>10·log10(R² / MSE) with R = max |x| of the ground truth (fastMRI convention).</dd>");
        out("<dt>SSIM</dt><dd>Wang et al. 2004 with a " + Ssim.WINDOW + "×" + Ssim.WINDOW + " uniform window, K1 = "
                + Ssim.K1 + ", K2 = " + Ssim.K2 + ", sample covariance, data range R, averaged over window positions"
                + " inside the image (as scikit-image and fastMRI).</dd>");
        out("<dt>NMSE</dt><dd>‖x − x̂‖² / ‖x‖².</dd>");
        out("<dt>95 % interval</dt><dd>x̄ ± t<sub>0.975, n−1</sub> · s / √n over the n test images: how precisely"
                + " the test split pins down the mean, not the spread between images. Clipped to the values the metric can take.</dd>");
        out("<dt>Paired tests</dt><dd>For each method, the per-image differences d<sub>i</sub> to the best method"
                + " of the task on the same test images; two-sided p-values of the paired t-test (t = d̄ / (s<sub>d</sub>/√n))"
                + " and of the Wilcoxon signed-rank test (exact for n ≤ 30), both from Apache Commons Math.</dd>");
        out("<dt>Amplification</dt><dd>‖f(b+δ) − f(b)‖ / ‖δ‖ for a measurement perturbation δ; the certified bound"
                + " is the largest value the certificate allows.</dd>");
        out("</dl></section>");
    }

    /** The methods sharing the best finite mean (none when fewer than two methods have one). */
    private static List<MethodResults> best(List<MethodResults> ms, Function<MethodResults, Double> key, boolean high) {
        List<MethodResults> finite = ms.stream().filter(r -> Double.isFinite(key.apply(r))).toList();
        if (finite.size() < 2) {
            return List.of();
        }
        double b = high ? finite.stream().mapToDouble(key::apply).max().orElseThrow()
                : finite.stream().mapToDouble(key::apply).min().orElseThrow();
        return finite.stream().filter(r -> key.apply(r) == b).toList();
    }

    /** A number without trailing zeros: 0.01, 0.05, 0.1. */
    private static String plain(Double v) {
        if (v == null || !Double.isFinite(v)) {
            return fmt(v, "%g");
        }
        return java.math.BigDecimal.valueOf(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }

    private static String meanCell(SampleSummary s, String format, boolean best) {
        if (s.n() == 0 || Double.isNaN(s.mean())) {
            return "<td>" + na() + "</td>";
        }
        String mean = fmt(s.mean(), format);
        String text = mean;
        String ci = Double.isFinite(s.lower())
                ? "<span class=\"ci\">[" + fmt(s.lower(), format) + ", " + fmt(s.upper(), format) + "]</span>" : "";
        return "<td" + (best ? " class=\"best\"" : "") + ">" + text + ci + "</td>";
    }

    private static String pairedCell(MethodResults r, Map<String, VersusBest> psnr, Map<String, VersusBest> ssim) {
        if (psnr.isEmpty() && ssim.isEmpty()) {
            return "<td class=\"text\">" + na() + "</td>";
        }
        return "<td class=\"text paired\">" + paired("PSNR", psnr, r, "%+.2f dB") + paired("SSIM", ssim, r, "%+.3f") + "</td>";
    }

    /** One metric's line: the method's difference to the best and the p-values, or "best". */
    private static String paired(String metric, Map<String, VersusBest> all, MethodResults r, String diffFormat) {
        VersusBest v = all.get(r.method());
        if (all.isEmpty()) {
            return "";
        }
        if (v == null) {
            boolean isBest = all.values().stream().anyMatch(o -> o.best().equals(r.method()));
            return "<span class=\"ci\">" + metric + ": " + (isBest ? "best" : "not comparable") + "</span>";
        }
        return "<span class=\"ci\">" + metric + " " + fmt(v.meanDifference(), diffFormat) + " vs " + esc(v.best())
                + ": t " + pValue(v.tTestP()) + ", W " + pValue(v.wilcoxonP()) + "</span>";
    }

    /**
     * The certify stage's {@code bound} text for a reader: numbers written with many digits
     * (m = 0.10899722299535597) rounded to 4 significant digits, and a bare code identifier
     * (a class name, no derivation) replaced by a plain statement.
     */
    static String readableBasis(String basis) {
        if (basis.matches("[A-Z][A-Za-z0-9]*([.$][A-Za-z0-9]+)*")) {
            return "no derivation given (estimate)";
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-?\\d+\\.\\d{5,}(?:[eE][-+]?\\d+)?").matcher(basis);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, java.util.regex.Matcher.quoteReplacement(plain(Double.parseDouble(m.group()))));
        }
        return m.appendTail(b).toString();
    }

    /** A p-value to two significant digits, "&lt; 0.001" below that. */
    static String pValue(Double p) {
        if (p == null) {
            return "n/a";
        }
        return p < 0.001 ? "p &lt; 0.001" : "p = " + String.format(Locale.ROOT, p < 0.01 ? "%.3f" : "%.2f", p);
    }

    private static String num(Double v) {
        if (v == null) {
            return na();
        }
        return fmt(v, "%.4g");
    }

    private static String fmt(Double v, String format) {
        if (v == null) {
            return na();
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "∞" : "−∞";
        }
        if (Double.isNaN(v)) {
            return na();
        }
        return String.format(Locale.ROOT, format, v);
    }

    private static String na() {
        return "<span class=\"na\">—</span>";
    }

    static String bytes(long b) {
        double v = b;
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }

    private static String bytesOrNa(Long b) {
        return b == null ? na() : bytes(b);
    }

    static String duration(double seconds) {
        if (seconds < 120) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        if (seconds < 7200) {
            return String.format(Locale.ROOT, "%.1f min", seconds / 60);
        }
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }

    private static String shortHash(String h) {
        return h == null ? "" : h.substring(0, Math.min(12, h.length()));
    }

    /** HTML-escapes text and attribute values. */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private void out(String s) {
        html.append(s).append('\n');
    }
}
