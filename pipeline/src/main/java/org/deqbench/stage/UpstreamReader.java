package org.deqbench.stage;

import org.deqbench.attack.AttackResults;
import org.deqbench.certify.LipschitzCertificate;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.stream.Collectors;
import org.deqbench.plan.RunStore;
import org.deqbench.report.AttackPoint;
import org.deqbench.report.FixedPointErrorBounds;
import org.deqbench.report.ObjectiveDescent;
import org.deqbench.train.MethodDescription;
import org.deqbench.report.Certificate;
import org.deqbench.report.MethodResults;
import org.deqbench.report.TrainingCurves;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.deqbench.metrics.ImageScores;
import org.deqbench.plan.NodeInput;
import org.deqbench.plan.NodeOutputError;
import org.deqbench.spec.MethodSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads the files of one method's completed upstream nodes (the run-store data contract) into
 * {@link MethodResults}. Optional files may be missing; optional keys may be absent or null. Files
 * that are present but malformed are errors naming the file and the key.
 *
 * <ul>
 *   <li>{@code train/…/metrics.json} {@code per_image[].psnr|ssim|nmse}; when it is missing the
 *       scores are recomputed from {@code reconstructions.npy} and the ground truth with
 *       {@link ImageScores}, the same code the train stage uses;</li>
 *   <li>{@code train/…/method.json} {@code train_seconds}, {@code train_peak_bytes},
 *       {@code forward_iterations}; {@code objective_images}, {@code objective_monotone_images},
 *       {@code objective_largest_increase}, {@code converged_images} (explicit-objective methods);
 *       {@code error_bounds[].true_error|bound|lipschitz_estimate} (DEQ-GD, RERG);</li>
 *   <li>{@code train/…/training.json} {@code steps[].step|loss}, {@code epochs[].epoch|val_psnr};</li>
 *   <li>{@code certify/…/certificate.json} {@code lipschitz_upper}, {@code lipschitz_lower},
 *       {@code kind}, {@code bound} (how it was derived), {@code monotonicity_margin},
 *       {@code robustness_factor} (the last two optional);</li>
 *   <li>{@code attack/…/attack.json} {@code results[].eps|amplification_worst|amplification_gaussian|
 *       within_certificate}; the bound an ε is compared with is its {@code certified_bound}, else
 *       the file's top-level {@code certified_bound} or {@code lipschitz_upper} (what the attack
 *       stage checked against), else {@link Certificate#amplificationBound()}.</li>
 * </ul>
 */
public final class UpstreamReader {
    private UpstreamReader() {
    }

    /**
     * @param groundTruth the task's test ground truth {@code [N, C, (T,) H, W]}, used only when
     *                    {@code metrics.json} is missing
     */
    public static MethodResults read(String task, MethodSpec method, NodeInput train, NodeInput certify,
                                     NodeInput attack, INDArray groundTruth) {
        Path recon = optional(train, "reconstructions.npy");
        List<ImageScores> scores;
        String source;
        Path metrics = optional(train, "metrics.json");
        if (metrics != null) {
            scores = perImage(train.json("metrics.json"), metrics);
            source = "metrics.json";
        } else if (recon != null) {
            try {
                scores = ImageScores.perImage(groundTruth, Nd4j.createFromNpyFile(recon.toFile()));
            } catch (IllegalArgumentException e) {
                throw new NodeOutputError(recon, "cannot score against the test ground truth: " + e.getMessage(), e);
            }
            source = "recomputed";
        } else {
            scores = List.of();
            source = "none";
        }
        Double seconds = null;
        Long peak = null;
        Double iterations = null;
        ObjectiveDescent descent = null;
        FixedPointErrorBounds bounds = null;
        Path methodFile = optional(train, "method.json");
        if (methodFile != null) {
            JsonNode node = train.json("method.json"); // read once: the typed record and the objective trace
            MethodDescription m = typed(node, MethodDescription.class, methodFile);
            seconds = m.trainSeconds();
            peak = m.trainPeakBytes();
            iterations = m.forwardIterations();
            descent = objectiveDescent(node, methodFile);
            bounds = errorBounds(node, methodFile);
        }
        TrainingCurves curves = null;
        Path trainingFile = optional(train, "training.json");
        if (trainingFile != null) {
            curves = curves(train.json("training.json"), trainingFile);
        }
        Certificate certificate = Certificate.NONE;
        Path certFile = optional(certify, "certificate.json");
        if (certFile != null) {
            certificate = certificate(certify.json("certificate.json"), certFile);
        }
        List<AttackPoint> points = List.of();
        Path attackFile = optional(attack, "attack.json");
        if (attackFile != null) {
            points = attack(attack.json("attack.json"), attackFile, certificate.amplificationBound());
        }
        return new MethodResults(task, method.name(), method.kind(), scores, source, seconds, peak, iterations,
                certificate, points, curves, recon, descent, bounds);
    }

    private static Path optional(NodeInput in, String file) {
        Path p = in.dir().resolve(file);
        return Files.isRegularFile(p) ? p : null;
    }

    static List<ImageScores> perImage(JsonNode root, Path file) {
        JsonNode rows = root.get("per_image");
        if (rows == null || !rows.isArray()) {
            throw new NodeOutputError(file, "expected key \"per_image\": a list of {\"index\", \"psnr\", \"ssim\", \"nmse\"}", null);
        }
        List<JsonNode> sorted = new ArrayList<>();
        rows.forEach(sorted::add);
        // Keep test-split order even if a writer emitted the rows out of order.
        if (sorted.stream().allMatch(r -> r.has("index"))) {
            sorted.sort(Comparator.comparingInt(r -> r.get("index").asInt()));
        }
        List<ImageScores> out = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            JsonNode r = sorted.get(i);
            out.add(new ImageScores(required(r, "psnr", file, "per_image[" + i + "]"),
                    required(r, "ssim", file, "per_image[" + i + "]"),
                    required(r, "nmse", file, "per_image[" + i + "]")));
        }
        return out;
    }

    static TrainingCurves curves(JsonNode root, Path file) {
        List<double[]> steps = new ArrayList<>();
        JsonNode s = root.get("steps");
        if (s != null && s.isArray()) {
            for (int i = 0; i < s.size(); i++) {
                Double loss = number(s.get(i), "loss", file);
                if (loss != null && Double.isFinite(loss)) {
                    Double step = number(s.get(i), "step", file);
                    steps.add(new double[] {step == null ? i : step, loss});
                }
            }
        }
        List<double[]> epochs = new ArrayList<>();
        JsonNode e = root.get("epochs");
        if (e != null && e.isArray()) {
            for (int i = 0; i < e.size(); i++) {
                Double psnr = number(e.get(i), "val_psnr", file);
                if (psnr != null && Double.isFinite(psnr)) {
                    Double epoch = number(e.get(i), "epoch", file);
                    epochs.add(new double[] {epoch == null ? i : epoch, psnr});
                }
            }
        }
        return new TrainingCurves(column(steps, 0), column(steps, 1), column(epochs, 0), column(epochs, 1));
    }

    static Certificate certificate(JsonNode root, Path file) {
        LipschitzCertificate c = typed(root, file, LipschitzCertificate.class);
        return new Certificate(c.lipschitzUpper(), c.lipschitzLower(), c.kind(), c.margin(), c.robustnessFactor(),
                c.bound());
    }

    static List<AttackPoint> attack(JsonNode root, Path file, Double fallbackBound) {
        AttackResults a = typed(root, file, AttackResults.class);
        if (a.results() == null) {
            throw new NodeOutputError(file, "expected key \"results\": a list of {\"eps\", \"amplification_worst\", …}", null);
        }
        // The attack stage checks against the certified_bound (older runs: lipschitz_upper) it read from the certify node.
        Double fileBound = a.checkedBound();
        List<AttackPoint> out = new ArrayList<>();
        for (int i = 0; i < a.results().size(); i++) {
            AttackResults.EpsResult r = a.results().get(i);
            if (r.eps() == null) {
                throw new NodeOutputError(file, "results[" + i + "]: missing number \"eps\"", null);
            }
            Double bound = r.certifiedBound();
            out.add(new AttackPoint(r.eps(), r.amplificationWorst(), r.amplificationGaussian(), r.withinCertificate(),
                    bound != null ? bound : fileBound != null ? fileBound : fallbackBound));
        }
        out.sort(Comparator.comparingDouble(AttackPoint::eps));
        return out;
    }

    /**
     * {@code root} as the record the producing stage wrote; an error naming the file and the key
     * path when a value has the wrong type.
     */
    static <T> T typed(JsonNode root, Path file, Class<T> type) {
        try {
            return RunStore.JSON.treeToValue(root, type);
        } catch (JsonProcessingException e) {
            String where = e instanceof JsonMappingException m ? m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? "\"" + r.getFieldName() + "\"" : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(" ")) : "";
            throw new NodeOutputError(file, "key " + where + ": " + e.getOriginalMessage(), null);
        }
    }

    /** {@code node} as {@code type}, or a one-line error naming {@code file}. */
    private static <T> T typed(JsonNode node, Class<T> type, Path file) {
        try {
            return RunStore.JSON.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new NodeOutputError(file, "corrupt JSON for " + type.getSimpleName(), e);
        }
    }

    /** A numeric field, null when absent or null; an error naming the file when not a number. */
    static Double number(JsonNode node, String key, Path file) {
        JsonNode v = node == null ? null : node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        // Writers that serialise non-finite values as strings ("NaN", "Infinity").
        if (v.isTextual()) {
            try {
                return Double.parseDouble(v.asText());
            } catch (NumberFormatException ignored) {
                // fall through to the error
            }
        }
        throw new NodeOutputError(file, "key \"" + key + "\": expected a number, found " + v, null);
    }

    /** How the method's objective behaved, or null when {@code method.json} logs no objective. */
    static ObjectiveDescent objectiveDescent(JsonNode method, Path file) {
        Double images = number(method, "objective_images", file);
        Double monotone = number(method, "objective_monotone_images", file);
        Double increase = number(method, "objective_largest_increase", file);
        if (images == null || monotone == null || increase == null) {
            return null;
        }
        Double converged = number(method, "converged_images", file);
        return new ObjectiveDescent(images.intValue(), monotone.intValue(), increase,
                number(method, "forward_iterations", file), converged == null ? null : converged.intValue());
    }

    /**
     * {@code method.json}'s {@code error_bounds}, or null when it has none; a null {@code bound}
     * (L̂_T ≥ 1) is no bound (NaN).
     */
    static FixedPointErrorBounds errorBounds(JsonNode method, Path file) {
        JsonNode list = method.get("error_bounds");
        if (list == null || list.isNull()) {
            return null;
        }
        if (!list.isArray()) {
            throw new NodeOutputError(file, "expected \"error_bounds\" to be a list of {\"true_error\", \"bound\","
                    + " \"lipschitz_estimate\"}, found " + list.getNodeType(), null);
        }
        int n = list.size();
        double[] err = new double[n];
        double[] bound = new double[n];
        double[] lip = new double[n];
        for (int i = 0; i < n; i++) {
            JsonNode e = list.get(i);
            if (!e.path("true_error").isNumber() || !e.path("lipschitz_estimate").isNumber()) {
                throw new NodeOutputError(file, "error_bounds[" + i + "]: expected numbers \"true_error\" and"
                        + " \"lipschitz_estimate\"", null);
            }
            err[i] = e.get("true_error").asDouble();
            lip[i] = e.get("lipschitz_estimate").asDouble();
            bound[i] = e.path("bound").isNumber() ? e.get("bound").asDouble() : Double.NaN;
        }
        return new FixedPointErrorBounds(err, bound, lip);
    }

    private static double required(JsonNode node, String key, Path file, String where) {
        Double d = number(node, key, file);
        if (d == null) {
            throw new NodeOutputError(file, where + ": missing number \"" + key + "\"", null);
        }
        return d;
    }

    private static double[] column(List<double[]> rows, int c) {
        return rows.stream().mapToDouble(r -> r[c]).toArray();
    }
}
