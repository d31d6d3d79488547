package org.deqbench.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The regression gate behind {@code deqbench compare}: compares the {@code report/summary.json}
 * rows of a baseline run and a candidate run, metric by metric, against absolute tolerances
 * (the experiment's {@code regression.tolerances}).
 *
 * <p>For a metric m with tolerance τ, baseline value b and candidate value c, the candidate
 * regresses when
 * <pre>
 *   b − c &gt; τ   for metrics where higher is better (psnr, ssim)
 *   c − b &gt; τ   for metrics where lower is better  (nmse, lipschitz_upper, train_seconds, …)
 * </pre>
 * A change of exactly τ passes. Rows are matched on (task, method). A baseline row that the
 * candidate lacks, or a toleranced metric the baseline has and the candidate lacks (absent, null or
 * NaN), is a failure too: a run that stopped reporting a number must not pass the gate. Rows only
 * the candidate has are listed but not judged (there is nothing to regress from).
 */
public final class RunComparison {
    /** Which way a metric improves. */
    public enum Direction { HIGHER_IS_BETTER, LOWER_IS_BETTER }

    /** Outcome of one (row, metric) check. */
    public enum Status { PASS, REGRESSION, MISSING }

    private static final Map<String, Direction> DIRECTIONS = Map.of(
            "psnr", Direction.HIGHER_IS_BETTER,
            "ssim", Direction.HIGHER_IS_BETTER,
            "nmse", Direction.LOWER_IS_BETTER,
            "lipschitz_upper", Direction.LOWER_IS_BETTER,
            "train_seconds", Direction.LOWER_IS_BETTER,
            "train_peak_bytes", Direction.LOWER_IS_BETTER,
            "forward_iterations", Direction.LOWER_IS_BETTER);

    /**
     * Values are read from decimal JSON; a change equal to the tolerance up to this relative
     * rounding (about 4500 ulps of a double) still passes, so that 30.0 → 29.8 passes τ = 0.2.
     */
    private static final double ROUNDING = 1e-12;

    /** The summary artifact's path inside a run directory and inside an MLflow run. */
    public static final String SUMMARY_PATH = "report/summary.json";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern MLFLOW_RUN_ID = Pattern.compile("[0-9a-f]{32}");

    private RunComparison() {
    }

    /** A summary row: its key and every numeric field (non-numeric fields such as attack[] are dropped). */
    public record Row(String task, String method, Map<String, Double> metrics) {
        public Row {
            metrics = new TreeMap<>(metrics);
        }

        String key() {
            return task + "/" + method;
        }
    }

    /**
     * One check of one metric of one row. {@code metric} is null when the whole row is missing.
     * {@code baseline}/{@code candidate} are null where absent.
     */
    public record Check(String task, String method, String metric, Double baseline, Double candidate,
                        Double tolerance, Status status, String reason) {
    }

    /** All checks and notes; passes when no check failed. */
    public record Result(List<Check> checks, List<String> notes) {
        public Result {
            checks = List.copyOf(checks);
            notes = List.copyOf(notes);
        }

        public boolean passed() {
            return failures().isEmpty();
        }

        public List<Check> failures() {
            return checks.stream().filter(c -> c.status() != Status.PASS).toList();
        }

        /** A fixed-width table, one line per check, then the notes and a verdict line. */
        public String table() {
            List<String[]> lines = new ArrayList<>();
            lines.add(new String[] {"task", "method", "metric", "baseline", "candidate", "change", "tolerance", "status"});
            for (Check c : checks) {
                Double change = c.baseline() != null && c.candidate() != null ? c.candidate() - c.baseline() : null;
                lines.add(new String[] {c.task(), c.method(), c.metric() == null ? "(row)" : c.metric(),
                        number(c.baseline()), number(c.candidate()), change == null ? "-" : signed(change),
                        c.tolerance() == null ? "-" : number(c.tolerance()),
                        c.status() == Status.PASS ? "ok" : c.status().name() + ": " + c.reason()});
            }
            int[] width = new int[8];
            for (String[] l : lines) {
                for (int i = 0; i < l.length; i++) {
                    width[i] = Math.max(width[i], l[i].length());
                }
            }
            StringBuilder sb = new StringBuilder();
            for (String[] l : lines) {
                for (int i = 0; i < l.length; i++) {
                    boolean numeric = i >= 3 && i <= 6;
                    String cell = numeric ? " ".repeat(width[i] - l[i].length()) + l[i]
                            : i == l.length - 1 ? l[i] : l[i] + " ".repeat(width[i] - l[i].length());
                    sb.append(cell).append(i == l.length - 1 ? "\n" : "  ");
                }
            }
            for (String n : notes) {
                sb.append("note: ").append(n).append('\n');
            }
            long failed = failures().size();
            sb.append(failed == 0 ? "PASS: " + checks.size() + " checks within tolerance\n"
                    : "FAIL: " + failed + " of " + checks.size() + " checks failed\n");
            return sb.toString();
        }

        private static String number(Double v) {
            return v == null ? "-" : String.format(Locale.ROOT, "%.6g", v);
        }

        private static String signed(double v) {
            return (v >= 0 ? "+" : "") + String.format(Locale.ROOT, "%.4g", v);
        }
    }

    /** Summary data that is missing or malformed: the comparison cannot be made at all. */
    public static final class SummaryException extends RuntimeException {
        public SummaryException(String message) {
            super(message);
        }

        public SummaryException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Which way {@code metric} improves; throws naming the known metrics for an unknown one. */
    public static Direction direction(String metric) {
        Direction d = DIRECTIONS.get(metric);
        if (d == null) {
            throw new IllegalArgumentException("no known direction for metric '" + metric
                    + "'; metrics that can be toleranced: " + new TreeMap<>(DIRECTIONS).keySet());
        }
        return d;
    }

    /** The metrics {@link #direction} knows. */
    public static Set<String> knownMetrics() {
        return new TreeMap<>(DIRECTIONS).keySet();
    }

    /**
     * Compares candidate rows against baseline rows for every metric in {@code tolerances}.
     *
     * @throws IllegalArgumentException for a negative or unknown-direction tolerance
     */
    public static Result compare(List<Row> baseline, List<Row> candidate, Map<String, Double> tolerances) {
        for (Map.Entry<String, Double> t : tolerances.entrySet()) {
            direction(t.getKey());
            if (t.getValue() == null || !(t.getValue() >= 0)) {
                throw new IllegalArgumentException("tolerance of '" + t.getKey() + "' must be a number ≥ 0, found "
                        + t.getValue());
            }
        }
        Map<String, Row> cand = index(candidate, "candidate");
        Map<String, Row> base = index(baseline, "baseline");
        List<Check> checks = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Row b : base.values()) {
            Row c = cand.get(b.key());
            if (c == null) {
                checks.add(new Check(b.task(), b.method(), null, null, null, null, Status.MISSING,
                        "row task=" + b.task() + " method=" + b.method() + " is missing in the candidate"));
                continue;
            }
            for (Map.Entry<String, Double> t : new TreeMap<>(tolerances).entrySet()) {
                String m = t.getKey();
                Double bv = finite(b.metrics().get(m));
                Double cv = finite(c.metrics().get(m));
                if (bv == null) {
                    notes.add(b.key() + ": baseline has no " + m + "; not compared");
                    continue;
                }
                checks.add(check(b, m, bv, cv, t.getValue()));
            }
        }
        for (Row c : cand.values()) {
            if (!base.containsKey(c.key())) {
                notes.add(c.key() + ": only in the candidate; not compared");
            }
        }
        return new Result(checks, notes);
    }

    private static Check check(Row row, String metric, double b, Double c, double tol) {
        if (c == null) {
            return new Check(row.task(), row.method(), metric, b, null, tol, Status.MISSING,
                    metric + " is missing in the candidate's row task=" + row.task() + " method=" + row.method());
        }
        double worse = direction(metric) == Direction.HIGHER_IS_BETTER ? b - c : c - b;
        double slack = ROUNDING * Math.max(1.0, Math.max(Math.abs(b), Math.abs(c)));
        if (worse > tol + slack) {
            String way = direction(metric) == Direction.HIGHER_IS_BETTER ? "dropped" : "rose";
            return new Check(row.task(), row.method(), metric, b, c, tol, Status.REGRESSION,
                    metric + " " + way + " by " + String.format(Locale.ROOT, "%.4g", worse)
                            + " > tolerance " + tol);
        }
        return new Check(row.task(), row.method(), metric, b, c, tol, Status.PASS, "");
    }

    private static Double finite(Double v) {
        return v == null || v.isNaN() || v.isInfinite() ? null : v;
    }

    private static Map<String, Row> index(List<Row> rows, String which) {
        Map<String, Row> m = new LinkedHashMap<>();
        for (Row r : rows) {
            if (m.put(r.key(), r) != null) {
                throw new SummaryException("the " + which + " summary has two rows for task=" + r.task()
                        + " method=" + r.method());
            }
        }
        return m;
    }

    /**
     * Parses summary.json: either a list of rows or an object with a {@code rows} list. Each row
     * needs string fields {@code task} and {@code method}; its numeric fields become metrics.
     *
     * @param source where the text came from, for error messages
     */
    public static List<Row> parseSummary(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new SummaryException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode rows = root != null && root.isObject() ? root.get("rows") : root;
        if (rows == null || !rows.isArray()) {
            throw new SummaryException(source + ": expected a list of rows or an object with a 'rows' list, found "
                    + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        if (rows.isEmpty()) {
            throw new SummaryException(source + ": the summary has no rows; nothing to compare");
        }
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            JsonNode r = rows.get(i);
            if (!r.isObject() || !r.path("task").isTextual() || !r.path("method").isTextual()) {
                throw new SummaryException(source + ": rows[" + i + "]: expected an object with string fields "
                        + "'task' and 'method', found " + r);
            }
            Map<String, Double> metrics = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getValue().isNumber()) {
                    metrics.put(f.getKey(), f.getValue().doubleValue());
                } else if (f.getValue().isTextual() && f.getValue().asText().equalsIgnoreCase("NaN")) {
                    metrics.put(f.getKey(), Double.NaN);
                }
            }
            out.add(new Row(r.get("task").asText(), r.get("method").asText(), metrics));
        }
        return out;
    }

    /**
     * Reads a run's summary rows from a reference: a run directory (its {@code report/summary.json}),
     * a report folder or summary file, {@code runs:/<run id>} or a bare 32-hex MLflow run id (when
     * {@code MLFLOW_TRACKING_URI} is set in {@code env}).
     *
     * @param artifactPath the summary's path among the MLflow run's artifacts
     */
    public static List<Row> load(String ref, Map<String, String> env, String artifactPath) {
        return loadRun(ref, env, artifactPath).rows();
    }

    /**
     * A run's summary: which experiment and spec it ran, and its rows.
     *
     * @param experiment the experiment's name, or null when the summary does not say (a bare row list)
     * @param specHash   the hash of the spec the run was planned from, or null
     * @param rows       the summary rows
     */
    public record LoadedRun(String experiment, String specHash, List<Row> rows) {
    }

    /** As {@link #load}, with the run's experiment and spec hash. */
    public static LoadedRun loadRun(String ref, Map<String, String> env, String artifactPath) {
        String[] textAndSource = text(ref, env, artifactPath);
        List<Row> rows = parseSummary(textAndSource[0], textAndSource[1]);
        String experiment = null;
        String specHash = null;
        try {
            JsonNode root = JSON.readTree(textAndSource[0]);
            if (root != null && root.isObject()) {
                experiment = root.path("experiment").isTextual() ? root.get("experiment").asText() : null;
                specHash = root.path("spec_hash").isTextual() ? root.get("spec_hash").asText() : null;
            }
        } catch (JsonProcessingException e) {
            throw new SummaryException(textAndSource[1] + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        return new LoadedRun(experiment, specHash, rows);
    }

    /** The summary's text and a description of where it came from. */
    private static String[] text(String ref, Map<String, String> env, String artifactPath) {
        Path p;
        try {
            p = Path.of(ref);
        } catch (java.nio.file.InvalidPathException e) {
            p = null;
        }
        if (p != null && !ref.isEmpty() && Files.exists(p)) {
            Path file = Files.isDirectory(p) ? summaryIn(p) : p;
            try {
                return new String[] {Files.readString(file), file.toString()};
            } catch (IOException e) {
                throw new SummaryException(file + ": cannot read: " + e.getMessage(), e);
            }
        }
        String tracking = env.get("MLFLOW_TRACKING_URI");
        String runId = ref.startsWith("runs:/") ? ref.substring("runs:/".length()).replaceAll("/+$", "") : null;
        if (runId == null && MLFLOW_RUN_ID.matcher(ref).matches() && tracking != null && !tracking.isBlank()) {
            runId = ref;
        }
        if (runId == null) {
            throw new SummaryException("'" + ref + "' is neither an existing run directory or summary file nor an "
                    + "MLflow run (runs:/<run id>, or a 32-hex run id with MLFLOW_TRACKING_URI set)");
        }
        if (tracking == null || tracking.isBlank()) {
            throw new SummaryException("'" + ref + "' names an MLflow run but MLFLOW_TRACKING_URI is not set");
        }
        String text = new MlflowArtifacts(URI.create(tracking), env).download(runId, artifactPath);
        return new String[] {text, "MLflow run " + runId + " artifact " + artifactPath};
    }

    private static Path summaryIn(Path dir) {
        for (Path candidate : List.of(dir.resolve(SUMMARY_PATH), dir.resolve("summary.json"))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new SummaryException(dir + ": no " + SUMMARY_PATH + " (has the report stage of this run completed?)");
    }

    /**
     * Downloads run artifacts through an MLflow tracking server's artifact proxy
     * ({@code mlflow server --serve-artifacts}): the run's {@code artifact_uri} from
     * {@code GET /api/2.0/mlflow/runs/get}, then the file from
     * {@code GET /api/2.0/mlflow-artifacts/artifacts/<experiment>/<run>/artifacts/<path>}.
     * Credentials as the MLflow clients read them: {@code MLFLOW_TRACKING_TOKEN} (bearer) or
     * {@code MLFLOW_TRACKING_USERNAME}/{@code MLFLOW_TRACKING_PASSWORD} (basic).
     */
    public static final class MlflowArtifacts {
        private final URI tracking;
        private final String authorization;
        // never follow a redirect: it would carry the Authorization header to another origin
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NEVER).build();

        public MlflowArtifacts(URI tracking, Map<String, String> env) {
            String s = tracking.toString();
            this.tracking = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
            String token = env.get("MLFLOW_TRACKING_TOKEN");
            String user = env.get("MLFLOW_TRACKING_USERNAME");
            if (token != null && !token.isBlank()) {
                authorization = "Bearer " + token;
            } else if (user != null && !user.isBlank()) {
                String pass = env.getOrDefault("MLFLOW_TRACKING_PASSWORD", "");
                authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
            } else {
                authorization = null;
            }
            org.deqbench.track.MlflowSettings.requireSafeTransport(this.tracking, authorization != null, env);
        }

        /** The text of artifact {@code path} of run {@code runId}. */
        public String download(String runId, String path) {
            String runJson = get(tracking + "/api/2.0/mlflow/runs/get?run_id="
                    + URLEncoder.encode(runId, StandardCharsets.UTF_8), "run " + runId);
            String artifactUri;
            try {
                artifactUri = JSON.readTree(runJson).path("run").path("info").path("artifact_uri").asText("");
            } catch (JsonProcessingException e) {
                throw new SummaryException("MLflow run " + runId + ": the server's answer is not JSON", e);
            }
            String proxied = proxiedPath(artifactUri);
            if (proxied == null) {
                throw new SummaryException("MLflow run " + runId + " stores artifacts at '" + artifactUri
                        + "', not through the tracking server's artifact proxy (mlflow-artifacts:); start the server "
                        + "with --serve-artifacts or compare run directories instead");
            }
            String url = tracking + "/api/2.0/mlflow-artifacts/artifacts/" + encodePath(proxied + "/" + path);
            return get(url, "artifact " + path + " of run " + runId);
        }

        /** The artifact root's path below the proxy for {@code mlflow-artifacts:/…} URIs, else null. */
        static String proxiedPath(String artifactUri) {
            if (!artifactUri.startsWith("mlflow-artifacts:")) {
                return null;
            }
            String path = URI.create(artifactUri).getPath();
            return path == null ? null : path.replaceAll("^/+", "").replaceAll("/+$", "");
        }

        private static String encodePath(String path) {
            List<String> parts = new ArrayList<>();
            for (String seg : path.split("/")) {
                if (!seg.isEmpty()) {
                    parts.add(URLEncoder.encode(seg, StandardCharsets.UTF_8).replace("+", "%20"));
                }
            }
            return String.join("/", parts);
        }

        private String get(String url, String what) {
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET();
            if (authorization != null) {
                req.header("Authorization", authorization);
            }
            HttpResponse<String> res;
            try {
                res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new SummaryException("MLflow server " + tracking + ": cannot fetch " + what + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SummaryException("interrupted while fetching " + what, e);
            }
            if (res.statusCode() != 200) {
                String body = res.body() == null ? "" : res.body();
                throw new SummaryException("MLflow server " + tracking + ": GET " + URI.create(url).getPath()
                        + " for " + what + " answered HTTP " + res.statusCode()
                        + (body.isBlank() ? "" : ": " + body.substring(0, Math.min(300, body.length()))));
            }
            return res.body();
        }
    }
}
