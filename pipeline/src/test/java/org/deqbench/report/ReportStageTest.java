package org.deqbench.report;

import org.deqbench.stage.ReportStage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.commons.math3.distribution.TDistribution;
import org.deqbench.plan.NodeExecutor;
import org.deqbench.plan.NodeOutput;
import org.deqbench.plan.Plan;
import org.deqbench.plan.PlanNode;
import org.deqbench.plan.Planner;
import org.deqbench.plan.RunStore;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.SpecLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs the report stage on a synthetic run store: every upstream node of a tiny three-task,
 * three-method plan is written by hand (complex, complex time-series and real tasks; a learned
 * method with everything, a learned method without lower bound or validation curve, a non-learned
 * method without metrics.json, certificate or training curves), plus a memory benchmark.
 */
class ReportStageTest {
    private static final String SPEC = """
            name: tiny-report
            description: Synthetic run store for the report stage test.
            seed: 1
            tasks:
              - name: knee
                problem: mri
                size: [16, 16]
                test: 3
              - name: cine
                problem: dynamic-mri
                size: [16, 16]
                frames: 3
                test: 2
              - name: blur
                problem: deblur
                size: [16, 20]
                test: 4
            methods:
              - name: zero-filled
                kind: zero-filled
              - name: mol-sn
                kind: mol-sn
              - name: modl
                kind: modl
            attack:
              eps: [0.01, 0.05]
            report:
              examples: 2
            """;
    /** Known per-image PSNRs of mol-sn (the CI is checked against Commons Math on these). */
    private static final double[] MOL_PSNR = {30.0, 31.5, 33.25, 29.75};
    private static final double ZERO_FILLED_SCALE = 0.5;

    @TempDir
    static Path tmp;
    static Path specFile;
    static Path runDir;
    static Path reportDir;
    static JsonNode summary;
    static String html;
    static final Map<String, INDArray> GROUND_TRUTH = new LinkedHashMap<>();
    static String progressLog;

    @BeforeAll
    static void buildStoreAndRunReport() throws Exception {
        specFile = tmp.resolve("tiny.yaml");
        Files.writeString(specFile, SPEC);
        runDir = tmp.resolve("runs");
        ExperimentSpec spec = SpecLoader.load(specFile);
        Plan plan = Planner.plan(spec, specFile.toString(), runDir.toString());
        RunStore store = new RunStore(runDir);
        for (PlanNode node : plan.nodes()) {
            if (node.stage().equals("report")) {
                continue;
            }
            NodeOutput out = store.begin(node);
            switch (node.stage()) {
                case "simulate" -> simulate(out, spec, node.task());
                case "train" -> train(out, node.task(), node.method());
                case "certify" -> certify(out, node.task(), node.method());
                case "attack" -> attack(out, node.task(), node.method());
                default -> throw new AssertionError(node.stage());
            }
            out.commit();
        }
        Files.createDirectories(runDir.resolve("bench"));
        Files.writeString(runDir.resolve(MemoryBenchmark.FILE), """
                {"rows": [
                  {"method": "modl", "iterations": 1, "peak_bytes": 100000000, "peak_heap_bytes": 40000000, "peak_offheap_bytes": 60000000, "seconds_per_step": 0.5},
                  {"method": "modl", "iterations": 5, "peak_bytes": 400000000, "peak_heap_bytes": 40000000, "peak_offheap_bytes": 360000000, "seconds_per_step": 2.1},
                  {"method": "mol-sn", "iterations": 1, "peak_bytes": 90000000, "peak_heap_bytes": 40000000, "peak_offheap_bytes": 50000000, "seconds_per_step": 0.9},
                  {"method": "mol-sn", "iterations": 5, "peak_bytes": 95000000, "peak_heap_bytes": 40000000, "peak_offheap_bytes": 55000000, "seconds_per_step": 3.9}
                ],
                 "settings": {"spec": "experiments/memory-scaling-dynamic.yaml", "task": "cine", "image_size": [16, 16], "steps": 3}}
                """);
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        NodeExecutor.Outcome outcome;
        try {
            System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            outcome = NodeExecutor.run(new ReportStage(), specFile, runDir, null, null, false);
        } finally {
            System.setErr(err);
        }
        progressLog = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        err.print(progressLog);
        assertFalse(outcome.skipped());
        reportDir = outcome.dir();
        summary = RunStore.JSON.readTree(reportDir.resolve("summary.json").toFile());
        html = Files.readString(reportDir.resolve("index.html"));
    }

    /**
     * The report hands the parent run the flattened spec, the summary metrics of every (task,
     * method) and the report's location (recorded in the run log; MLflow gets it when configured).
     */
    @Test
    void theSpecAndTheSummaryGoToTheParentRun() {
        var records = org.deqbench.track.RunLogReader.read(runDir).latest("report").orElseThrow().records();
        var parent = records.stream().filter(r -> r instanceof org.deqbench.track.RunRecord.ParentLog)
                .map(r -> (org.deqbench.track.RunRecord.ParentLog) r).findFirst().orElseThrow();
        assertEquals("1", parent.params().get("seed"));
        assertEquals("knee", parent.params().get("tasks.0.name"));
        assertEquals(summary.get("rows").get(0).get("psnr").asDouble(),
                parent.metrics().get("psnr/" + summary.get("rows").get(0).get("task").asText() + "/"
                        + summary.get("rows").get(0).get("method").asText()), 1e-12);
        assertTrue(parent.tags().get("deqbench.report").endsWith("report/index.html"), parent.tags().toString());
    }

    /**
     * The report prints the pipeline's progress lines (no terminal in tests): a first line at 0, a
     * last one saying done with the count tasks × (methods + 1) + 1, and nothing "stopped".
     */
    @Test
    void progressRunsFromZeroToDoneOverEveryTaskAndMethod() throws Exception {
        ExperimentSpec spec = SpecLoader.load(specFile);
        long total = (long) spec.tasks().size() * (spec.methods().size() + 1) + 1;
        assertTrue(progressLog.contains("report: 0/" + total + "\n"), progressLog);
        assertTrue(progressLog.contains("report: " + total + "/" + total + " done"), progressLog);
        assertFalse(progressLog.contains("stopped"), progressLog);
    }

    // ---- the synthetic upstream nodes ------------------------------------------------------

    private static void simulate(NodeOutput out, ExperimentSpec spec, String task) {
        var t = spec.task(task);
        int c = t.problem().complex() ? 2 : 1;
        long[] shape = t.frames() > 1
                ? new long[] {t.test(), c, t.frames(), t.height(), t.width()}
                : new long[] {t.test(), c, t.height(), t.width()};
        int plane = t.frames() * t.height() * t.width();
        double[] v = new double[t.test() * c * plane];
        for (int n = 0; n < t.test(); n++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < plane; i++) {
                    int x = i % t.width();
                    int y = (i / t.width()) % t.height();
                    int f = i / (t.width() * t.height());
                    double mag = 1 + 0.6 * Math.sin(0.45 * x + 0.3 * y + n + 0.8 * f)
                            + (x > 4 && x < 10 && y > 3 && y < 9 ? 0.8 : 0);
                    v[(n * c + ch) * plane + i] = ch == 0 ? mag : 0.3 * mag;
                }
            }
        }
        INDArray gt = Nd4j.create(v, shape, 'c').castTo(DataType.FLOAT);
        GROUND_TRUTH.put(task, gt);
        out.writeArray("test/ground_truth.npy", gt, "ground_truth", "synthetic test ground truth");
    }

    private static INDArray reconstruction(String task, String method) {
        INDArray gt = GROUND_TRUTH.get(task);
        if (method.equals("zero-filled")) {
            return gt.mul(ZERO_FILLED_SCALE);
        }
        double amp = method.equals("mol-sn") ? 0.05 : 0.12;
        double[] d = gt.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (int i = 0; i < d.length; i++) {
            d[i] += amp * Math.sin(1.7 * i + (method.equals("modl") ? 0.4 : 0));
        }
        return Nd4j.create(d, gt.shape(), 'c').castTo(DataType.FLOAT);
    }

    private static void train(NodeOutput out, String task, String method) throws IOException {
        out.writeArray("reconstructions.npy", reconstruction(task, method), "reconstruction", "test reconstructions");
        int n = (int) GROUND_TRUTH.get(task).size(0);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("kind", method);
        info.put("train_seconds", method.equals("zero-filled") ? 0.2 : 125.0);
        if (!method.equals("zero-filled")) {
            info.put("train_peak_bytes", 3L << 30);
        }
        if (method.equals("mol-sn")) {
            info.put("forward_iterations", 87.5);
        }
        if (method.equals("modl")) {
            // an explicit-objective method's descent log (ELDER writes these keys): one image rose once
            info.put("objective_images", n);
            info.put("objective_monotone_images", n - 1);
            info.put("objective_largest_increase", 0.002);
            info.put("converged_images", n);
        }
        out.writeJson("method.json", info, "method", "method summary");
        if (method.equals("zero-filled")) {
            return; // no metrics.json: the report recomputes the scores from the reconstructions
        }
        List<Map<String, Object>> perImage = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // Written in reverse order: the report must sort by index.
            int k = n - 1 - i;
            double psnr = method.equals("mol-sn") ? MOL_PSNR[k] : 27.0 + k;
            perImage.add(Map.of("index", k, "psnr", psnr, "ssim", 0.8 + 0.01 * k, "nmse", 0.02 + 0.001 * k));
        }
        out.writeJson("metrics.json", Map.of("per_image", perImage), "metrics", "per-image metrics");
        List<Map<String, Object>> steps = new ArrayList<>();
        for (int s = 0; s < 40; s++) {
            double scale = method.equals("mol-sn") ? 1.0 : 1.6;
            steps.add(Map.of("step", s, "loss", scale * (0.5 * Math.exp(-s / 12.0) + 0.01) * (1 + 0.1 * Math.sin(s)), "seconds", 0.1 * s));
        }
        List<Map<String, Object>> epochs = new ArrayList<>();
        if (method.equals("mol-sn")) {
            for (int e = 0; e < 4; e++) {
                epochs.add(Map.of("epoch", e, "val_psnr", 25.0 + 2 * Math.sqrt(e)));
            }
        }
        out.writeJson("training.json", Map.of("steps", steps, "epochs", epochs), "training", "curves");
        Path model = out.resolve("model/weights.bin");
        Files.write(model, new byte[] {1, 2, 3});
        out.addFile("model/weights.bin", "model", "bin", "weights");
    }

    private static void certify(NodeOutput out, String task, String method) {
        switch (method) {
            case "mol-sn" -> out.writeJson("certificate.json", Map.of("lipschitz_upper", 0.9, "lipschitz_lower", 0.55,
                    "kind", "certificate", "robustness_factor", 12.0, "iterations", 50, "residual", 1e-6),
                    "certificate", "certificate");
            case "modl" -> out.writeJson("certificate.json", Map.of("lipschitz_upper", 3.2, "kind", "estimate"),
                    "certificate", "estimate only");
            default -> { } // zero-filled: nothing to certify
        }
    }

    private static void attack(NodeOutput out, String task, String method) {
        if (method.equals("zero-filled")) {
            return;
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (double eps : new double[] {0.05, 0.01}) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("eps", eps);
            boolean violate = method.equals("mol-sn") && task.equals("blur") && eps == 0.05;
            r.put("amplification_worst", violate ? 15.0 : method.equals("mol-sn") ? 4.0 + 10 * eps : 20 + 100 * eps);
            r.put("amplification_gaussian", method.equals("mol-sn") ? 1.0 : 2.5);
            if (method.equals("mol-sn")) {
                r.put("within_certificate", !violate);
            }
            results.add(r);
        }
        out.writeJson("attack.json", Map.of("results", results), "attack", "attack sweep");
    }

    // ---- checks -----------------------------------------------------------------------------

    private static JsonNode row(String task, String method) {
        for (JsonNode r : summary.get("rows")) {
            if (r.get("task").asText().equals(task) && r.get("method").asText().equals(method)) {
                return r;
            }
        }
        throw new AssertionError("no summary row for " + task + "/" + method);
    }

    @Test
    void summaryHasOneRowPerTaskAndMethodInSpecOrder() {
        List<String> keys = new ArrayList<>();
        summary.get("rows").forEach(r -> keys.add(r.get("task").asText() + "/" + r.get("method").asText()));
        assertEquals(List.of("knee/zero-filled", "knee/mol-sn", "knee/modl", "cine/zero-filled", "cine/mol-sn",
                "cine/modl", "blur/zero-filled", "blur/mol-sn", "blur/modl"), keys);
        assertEquals("tiny-report", summary.get("experiment").asText());
        assertEquals(0.95, summary.get("confidence").asDouble());
    }

    @Test
    void meanAndIntervalMatchCommonsMathStudentTOnKnownNumbers() {
        JsonNode r = row("blur", "mol-sn");
        double mean = 0;
        for (double v : MOL_PSNR) {
            mean += v;
        }
        mean /= MOL_PSNR.length;
        double ss = 0;
        for (double v : MOL_PSNR) {
            ss += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(ss / (MOL_PSNR.length - 1));
        double half = new TDistribution(MOL_PSNR.length - 1).inverseCumulativeProbability(0.975) * sd
                / Math.sqrt(MOL_PSNR.length);
        // Same formula, different summation code: agreement to rounding.
        assertEquals(mean, r.get("psnr").asDouble(), 1e-12);
        assertEquals(mean - half, r.get("psnr_ci95").get(0).asDouble(), 1e-9);
        assertEquals(mean + half, r.get("psnr_ci95").get(1).asDouble(), 1e-9);
        assertEquals(4, r.get("images").asInt());
        // The interval is not degenerate: known numbers with spread 29.75..33.25.
        assertTrue(half > 1 && half < 5, "half-width " + half);
    }

    @Test
    void scoresAreRecomputedFromReconstructionsWhenMetricsJsonIsMissing() {
        // zero-filled = 0.5 x: NMSE = (1 − 0.5)² = 0.25 exactly (float32 halving is exact), on every image,
        // so the interval collapses to the mean; PSNR = 10 log10(max|x|² / (0.25 · mean|x|²)).
        for (String task : List.of("knee", "cine", "blur")) {
            JsonNode r = row(task, "zero-filled");
            assertEquals(0.25, r.get("nmse").asDouble(), 1e-9, task);
            assertEquals(0.25, r.get("nmse_ci95").get(0).asDouble(), 1e-9, task);
            INDArray gt = GROUND_TRUTH.get(task);
            double psnr = 0;
            for (int n = 0; n < gt.size(0); n++) {
                double[] v = gt.get(org.nd4j.linalg.indexing.NDArrayIndex.point(n)).castTo(DataType.DOUBLE).dup('c')
                        .data().asDouble();
                int c = (int) gt.size(1);
                int plane = v.length / c;
                double max = 0;
                double sq = 0;
                for (int i = 0; i < plane; i++) {
                    double m2 = 0;
                    for (int ch = 0; ch < c; ch++) {
                        m2 += v[ch * plane + i] * v[ch * plane + i];
                    }
                    max = Math.max(max, Math.sqrt(m2));
                    sq += m2;
                }
                psnr += 10 * Math.log10(max * max / (0.25 * sq / plane));
            }
            psnr /= gt.size(0);
            assertEquals(psnr, r.get("psnr").asDouble(), 1e-6 * psnr, task);
        }
    }

    @Test
    void absentUpstreamFieldsAreNull() {
        JsonNode zf = row("knee", "zero-filled");
        for (String f : List.of("lipschitz_upper", "lipschitz_lower", "certificate_kind", "train_peak_bytes",
                "forward_iterations")) {
            assertTrue(zf.get(f).isNull(), f + " of zero-filled: " + zf.get(f));
        }
        assertEquals(0, zf.get("attack").size());
        assertEquals(0.2, zf.get("train_seconds").asDouble());
        JsonNode modl = row("knee", "modl");
        assertEquals(3.2, modl.get("lipschitz_upper").asDouble());
        assertTrue(modl.get("lipschitz_lower").isNull());
        assertEquals("estimate", modl.get("certificate_kind").asText());
        assertTrue(modl.get("forward_iterations").isNull());
        assertEquals(3L << 30, modl.get("train_peak_bytes").asLong());
        JsonNode mol = row("knee", "mol-sn");
        assertEquals(0.55, mol.get("lipschitz_lower").asDouble());
        assertEquals(87.5, mol.get("forward_iterations").asDouble());
    }

    @Test
    void attackSweepIsSortedByEpsAndViolationsAreFlagged() {
        JsonNode a = row("blur", "mol-sn").get("attack");
        assertEquals(2, a.size());
        assertEquals(0.01, a.get(0).get("eps").asDouble());
        assertEquals(0.05, a.get(1).get("eps").asDouble());
        assertFalse(a.get(1).get("within_certificate").asBoolean());
        assertEquals(12.0, a.get(1).get("certified_bound").asDouble(), 0, "bound from the certificate's robustness factor");
        assertTrue(row("knee", "modl").get("attack").get(0).get("within_certificate").isNull());
        assertTrue(html.contains("exceeds bound"), "the violating ε is marked in the attack table");
        assertTrue(html.contains("Certificate violated") && html.contains("blur/mol-sn"));
        assertFalse(html.contains("knee/mol-sn"), "only the violating pair is listed");
    }

    /**
     * The objective-descent section appears for a method whose method.json logs its objective
     * (and for no other), names the images with monotone decrease out of all, highlights a
     * non-monotone result and shows the largest increase.
     */
    @Test
    void objectiveDescentSectionShowsMonotoneImagesAndLargestIncrease() {
        assertEquals(3, Pattern.compile("<h3>Objective descent</h3>").matcher(html).results().count(), "one per task");
        for (var e : GROUND_TRUTH.entrySet()) {
            long n = e.getValue().size(0);
            assertTrue(html.contains("<strong>on " + (n - 1) + "/" + n + " images</strong>"), e.getKey());
        }
        assertTrue(html.contains("<td>0.00200</td>"), "largest increase");
        int section = html.indexOf("<h3>Objective descent</h3>");
        String table = html.substring(section, html.indexOf("</table>", section));
        assertFalse(table.contains(">mol-sn<"), "methods without an objective log are not listed");
    }

    @Test
    void pageNamesEveryTaskAndMethodAndCertificateStatus() {
        assertTrue(html.contains("tiny-report") && html.contains("Synthetic run store for the report stage test."));
        for (String task : List.of("knee", "cine", "blur")) {
            assertTrue(html.contains("id=\"task-" + task + "\""), task);
        }
        for (String method : List.of("zero-filled", "mol-sn", "modl")) {
            assertTrue(Pattern.compile("<td>" + Pattern.quote(method) + "</td>").matcher(html).results().count() >= 6,
                    method + " appears in the quality and certificate tables of every task");
        }
        assertTrue(html.contains("badge cert") && html.contains("(not a certificate)"));
        assertTrue(html.contains("id=\"memory\""));
        // the memory table says what it was measured on: a 2D+time task here
        assertTrue(html.contains("on task cine (dynamic-mri, 16×16, 3 frames) of experiments/memory-scaling-dynamic.yaml"),
                html.substring(html.indexOf("id=\"memory\"")));
        assertFalse(html.contains("http://") || html.contains("https://") || html.contains("<script"),
                "self-contained: no external assets, no scripts");
    }

    @Test
    void everyReferencedFigureExistsAndDecodes() throws IOException {
        Matcher m = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(html);
        Set<String> pngs = new TreeSet<>();
        while (m.find()) {
            String ref = m.group(1);
            if (ref.startsWith("#")) {
                continue;
            }
            assertTrue(Files.isRegularFile(reportDir.resolve(ref)), "linked file " + ref);
            if (ref.endsWith(".png")) {
                pngs.add(ref);
            }
        }
        assertTrue(pngs.containsAll(List.of("figures/knee_examples.png", "figures/cine_examples.png",
                "figures/blur_examples.png", "figures/knee_attack.png", "figures/knee_training_loss.png",
                "figures/knee_validation_psnr.png", "figures/memory.png")), pngs.toString());
        for (String png : pngs) {
            BufferedImage img = ImageIO.read(reportDir.resolve(png).toFile());
            assertNotNull(img, png + " decodes");
            assertTrue(img.getWidth() > 100 && img.getHeight() > 100, png);
        }
    }

    @Test
    void manifestListsEveryWrittenFile() throws IOException {
        JsonNode manifest = RunStore.JSON.readTree(reportDir.resolve(RunStore.MANIFEST).toFile());
        Set<String> listed = new TreeSet<>();
        manifest.get("files").forEach(f -> listed.add(f.get("file").asText()));
        Set<String> written;
        try (Stream<Path> walk = Files.walk(reportDir)) {
            written = walk.filter(Files::isRegularFile).map(p -> reportDir.relativize(p).toString().replace('\\', '/'))
                    .filter(f -> !f.equals(RunStore.MANIFEST) && !f.equals(RunStore.MARKER))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(written, listed);
    }

    @Test
    void pairedTestsAgainstTheBestMatchTheirDefinitionsOnKnownNumbers() {
        // blur: mol-sn has the best mean PSNR (31.125 dB); modl scores 27 + k on image k.
        assertTrue(row("blur", "mol-sn").get("psnr_vs_best").isNull(), "the best method is not compared with itself");
        JsonNode v = row("blur", "modl").get("psnr_vs_best");
        assertEquals("mol-sn", v.get("best").asText());
        double[] d = new double[MOL_PSNR.length];
        double mean = 0;
        for (int k = 0; k < d.length; k++) {
            d[k] = 27.0 + k - MOL_PSNR[k];
            mean += d[k] / d.length;
        }
        double ss = 0;
        for (double x : d) {
            ss += (x - mean) * (x - mean);
        }
        double t = mean / Math.sqrt(ss / (d.length - 1) / d.length);
        double p = 2 * new TDistribution(d.length - 1).cumulativeProbability(-Math.abs(t));
        assertEquals(mean, v.get("mean_difference").asDouble(), 1e-12);
        assertEquals(p, v.get("t_test_p").asDouble(), 1e-9, "paired t-test p-value from t = d̄ / (s_d / √n)");
        // Differences −3, −3.5, −4.25, +0.25: ranks of |d| are 2, 3, 4, 1, so W+ = 1, W− = 9. Exactly 2 of the
        // 16 sign patterns give max(W+, W−) ≥ 9, hence two-sided p = 2 · 2/16.
        assertEquals(0.25, v.get("wilcoxon_p").asDouble(), 1e-12, "exact Wilcoxon signed-rank p-value");
        assertTrue(html.contains("vs mol-sn: t p = "), "the page shows the paired tests");
    }

    @Test
    void csvExportsAreTidyTablesThatPythonsCsvModuleReads() throws Exception {
        String script = """
                import csv, json, sys
                out = {}
                for name in ("summary.csv", "per_image.csv", "attack.csv"):
                    with open(sys.argv[1] + "/" + name, newline="") as f:
                        reader = csv.reader(f)
                        header = next(reader)
                        rows = list(reader)
                    assert len(set(header)) == len(header), (name, "duplicate column", header)
                    assert all(len(r) == len(header) for r in rows), (name, "ragged row")
                    table = [dict(zip(header, r)) for r in rows]
                    numeric = {}
                    for col in header:
                        cells = [r[col] for r in table if r[col] != ""]
                        try:
                            numeric[col] = [float(c) for c in cells]
                        except ValueError:
                            numeric[col] = None
                    out[name] = {"header": header, "rows": table, "numeric": [c for c in header if numeric[c] is not None]}
                json.dump(out, sys.stdout)
                """;
        Path py = tmp.resolve("read_csv.py");
        Files.writeString(py, script);
        Process proc = new ProcessBuilder("python3", py.toString(), reportDir.toString()).redirectErrorStream(true).start();
        String text = new String(proc.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, proc.waitFor(), "python3 could not read the CSV files:\n" + text);
        JsonNode tables = RunStore.JSON.readTree(text);

        JsonNode perImage = tables.get("per_image.csv");
        assertEquals(List.of("task", "method", "kind", "image", "psnr", "ssim", "nmse"), strings(perImage.get("header")));
        assertEquals(3 * (3 + 2 + 4), perImage.get("rows").size(), "one row per task, method and test image");
        Set<String> keys = new TreeSet<>();
        for (JsonNode r : perImage.get("rows")) {
            keys.add(r.get("task").asText() + "/" + r.get("method").asText() + "/" + r.get("image").asText());
            if (r.get("task").asText().equals("blur") && r.get("method").asText().equals("mol-sn")) {
                int k = r.get("image").asInt();
                assertEquals(MOL_PSNR[k], Double.parseDouble(r.get("psnr").asText()), 0, "full precision, image " + k);
            }
        }
        assertEquals(perImage.get("rows").size(), keys.size(), "(task, method, image) identifies a row");
        assertTrue(strings(perImage.get("numeric")).containsAll(List.of("image", "psnr", "ssim", "nmse")));

        JsonNode sum = tables.get("summary.csv");
        assertEquals(9, sum.get("rows").size());
        assertTrue(strings(sum.get("numeric")).containsAll(List.of("psnr", "psnr_ci_low", "psnr_ci_high", "ssim_ci_high",
                "psnr_t_test_p", "psnr_wilcoxon_p", "lipschitz_upper", "train_seconds")), strings(sum.get("numeric")).toString());
        JsonNode blurModl = sum.get("rows").get(8);
        assertEquals("blur/modl", blurModl.get("task").asText() + "/" + blurModl.get("method").asText());
        assertEquals(row("blur", "modl").get("psnr_vs_best").get("t_test_p").asDouble(),
                Double.parseDouble(blurModl.get("psnr_t_test_p").asText()), 0);
        assertEquals("", sum.get("rows").get(0).get("lipschitz_upper").asText(), "not available is an empty cell");

        JsonNode attack = tables.get("attack.csv");
        assertEquals(3 * 2 * 2, attack.get("rows").size(), "one row per task, attacked method and ε");
        assertTrue(strings(attack.get("numeric")).containsAll(List.of("eps", "amplification_worst", "certified_bound")));
    }

    @Test
    void manifestGivesTheShapeOfEveryTableAndFigure() throws IOException {
        JsonNode manifest = RunStore.JSON.readTree(reportDir.resolve(RunStore.MANIFEST).toFile());
        for (JsonNode f : manifest.get("files")) {
            String file = f.get("file").asText();
            if (file.endsWith(".csv")) {
                long lines;
                try (Stream<String> l = Files.lines(reportDir.resolve(file))) {
                    lines = l.count();
                }
                assertEquals(lines - 1, f.get("shape").get(0).asLong(), file + ": data rows");
            } else if (file.endsWith(".png")) {
                BufferedImage img = ImageIO.read(reportDir.resolve(file).toFile());
                assertEquals(List.of((long) img.getHeight(), (long) img.getWidth()),
                        List.of(f.get("shape").get(0).asLong(), f.get("shape").get(1).asLong()), file);
            }
        }
    }

    @Test
    void ssimAndNmseIntervalsStayInsideTheMetricsRange() {
        for (JsonNode r : summary.get("rows")) {
            if (r.get("ssim_ci95").isArray()) {
                assertTrue(r.get("ssim_ci95").get(1).asDouble() <= 1 && r.get("ssim_ci95").get(0).asDouble() >= -1, r.toString());
            }
            if (r.get("nmse_ci95").isArray()) {
                assertTrue(r.get("nmse_ci95").get(0).asDouble() >= 0, r.toString());
            }
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void tickLabelsOfNearlyEqualValuesStayDistinctAndUseOneNotation() {
        assertEquals(List.of("0.999", "1", "1.001"), PanelFigures.labels(List.of(0.999, 1.0, 1.001)));
        assertEquals(List.of("0.0008", "0.0009", "0.001"), PanelFigures.labels(List.of(8e-4, 9e-4, 1e-3)));
        assertEquals("1e-5", PanelFigures.label(1e-5, 2));
        PanelFigures.Axis constant = PanelFigures.linearAxis(List.of(1.0, 1.0 + 1e-15), Double.POSITIVE_INFINITY);
        assertTrue(constant.max() - constant.min() >= 0.2 - 1e-12, "a constant series gets a range around it: " + constant);
        List<String> labels = PanelFigures.labels(constant.ticks());
        assertEquals(labels.size(), new TreeSet<>(labels).size(), "no two ticks read the same: " + labels);
    }

    @Test
    void boundTextsShowRoundedNumbersAndNoClassNames() {
        assertEquals("m = 1 - L(H) = 0.109, lambda = 100.2",
                HtmlReport.readableBasis("m = 1 - L(H) = 0.10899722299535597, lambda = 100.19866309449114"));
        assertEquals("no derivation given (estimate)", HtmlReport.readableBasis("DeqReconstructor"));
        assertEquals("lambda = 0.001", HtmlReport.readableBasis("lambda = 0.001"));
    }
}
