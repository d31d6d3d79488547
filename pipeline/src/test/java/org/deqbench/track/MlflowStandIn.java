package org.deqbench.track;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-process stand-in for an MLflow tracking server, for tests: no MLflow server can be
 * installed where these tests run, so this implements the subset of the MLflow REST API (2.x)
 * that deqbench's tracker uses, with MLflow's request limits and param immutability, and records
 * every request. Faults can be injected per request (a status before or after the request is
 * applied, a slow answer, an answer echoing the Authorization header).
 */
final class MlflowStandIn implements AutoCloseable {
    static final String API = "/api/2.0/mlflow/";
    static final String ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts/";

    /** A recorded request; {@code authorization} is the header as received. */
    record Request(String method, String path, String query, String body, String authorization) {
        String endpoint() {
            return path.startsWith(API) ? path.substring(API.length()) : path;
        }
    }

    record Point(String key, double value, long timestamp, long step) {
    }

    static final class Run {
        String id;
        String experimentId;
        String name;
        String status = "RUNNING";
        long start;
        long end;
        boolean deleted;
        final Map<String, String> tags = new LinkedHashMap<>();
        final Map<String, String> params = new LinkedHashMap<>();
        final List<Point> metrics = new ArrayList<>();
        /** Run inputs as received: {"tags": [...], "dataset": {...}} per dataset. */
        final List<JsonNode> inputs = new ArrayList<>();

        String artifactRoot = "mlflow-artifacts:/";

        String artifactUri() {
            return artifactRoot + experimentId + "/" + id + "/artifacts";
        }
    }

    /**
     * What to do with a request instead of answering 200.
     *
     * @param status  status to answer (0: the normal answer)
     * @param apply   whether the request is applied before answering
     * @param delayMs wait before answering (after applying, if applied)
     * @param echoAuthorization answer a 500 whose body contains the Authorization header
     * @param location  answer {@code status} (a redirect) with this Location plus the request's path
     */
    record Fault(int status, boolean apply, long delayMs, boolean echoAuthorization, String location) {
        Fault(int status, boolean apply, long delayMs, boolean echoAuthorization) {
            this(status, apply, delayMs, echoAuthorization, null);
        }

        /** A 307 to the same path and query on {@code otherOrigin} (e.g. another stand-in). */
        static Fault redirect(String otherOrigin) {
            return new Fault(307, false, 0, false, otherOrigin);
        }

        static Fault status(int s) {
            return new Fault(s, false, 0, false);
        }

        static Fault appliedThen(int s) {
            return new Fault(s, true, 0, false);
        }

        static Fault slow(long ms) {
            return new Fault(0, true, ms, false);
        }

        static Fault echo() {
            return new Fault(500, false, 0, true);
        }
    }

    /** Chooses a fault for a request; {@code n} counts requests to the same endpoint from 1. */
    interface Faults {
        Fault of(Request r, int n);
    }

    static {
        // Answers go out as two writes (headers, body); without TCP_NODELAY each waits ~40 ms for
        // the client's delayed ACK. Read once, when the first server is created.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "mlflow-stand-in");
        t.setDaemon(true);
        return t;
    });
    private final List<Request> requests = new ArrayList<>();
    private final Map<String, AtomicInteger> counts = new HashMap<>();
    private final Map<String, String> experiments = new LinkedHashMap<>();
    private final Map<String, Run> runs = new LinkedHashMap<>();
    private final Map<String, byte[]> artifacts = new LinkedHashMap<>();
    private volatile Faults faults = (r, n) -> null;
    private volatile String requiredAuthorization;
    /** Artifact root of new runs; anything but mlflow-artifacts:/ means the server does not proxy them. */
    volatile String artifactRoot = "mlflow-artifacts:/";
    private int nextId = 1;

    MlflowStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    String uri() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void faults(Faults f) {
        this.faults = f == null ? (r, n) -> null : f;
    }

    /** Requests without exactly this Authorization header get 401. */
    void requireAuthorization(String header) {
        this.requiredAuthorization = header;
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    synchronized List<Request> requests(String endpoint) {
        return requests.stream().filter(r -> r.endpoint().equals(endpoint)).toList();
    }

    synchronized Map<String, String> experiments() {
        return Map.copyOf(experiments);
    }

    /** Active (not deleted) runs in creation order. */
    synchronized List<Run> runs() {
        return runs.values().stream().filter(r -> !r.deleted).toList();
    }

    synchronized Run run(String id) {
        return runs.get(id);
    }

    /**
     * Polls every 10 ms, up to {@code deadline}, until {@code condition} holds of the server's state
     * (tested under the server's lock, so requests being applied meanwhile are seen whole).
     *
     * @return whether it held before the deadline
     */
    boolean awaitState(Predicate<MlflowStandIn> condition, Duration deadline)
            throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            synchronized (this) {
                if (condition.test(this)) {
                    return true;
                }
            }
            if (System.nanoTime() - end > 0) {
                return false;
            }
            Thread.sleep(10);
        }
    }

    synchronized Map<String, byte[]> artifacts() {
        return new LinkedHashMap<>(artifacts);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] raw = ex.getRequestBody().readAllBytes();
            String body = new String(raw, StandardCharsets.UTF_8);
            URI u = ex.getRequestURI();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            Request req = new Request(ex.getRequestMethod(), u.getRawPath(), u.getRawQuery(),
                    ex.getRequestMethod().equals("PUT") ? "<" + body.length() + " bytes>" : body, auth);
            int n;
            synchronized (this) {
                requests.add(req);
                n = counts.computeIfAbsent(req.endpoint(), k -> new AtomicInteger()).incrementAndGet();
            }
            if (requiredAuthorization != null && !requiredAuthorization.equals(auth)) {
                send(ex, 401, "{\"error_code\":\"UNAUTHENTICATED\",\"message\":\"credentials required\"}");
                return;
            }
            Fault f = faults.of(req, n);
            if (f != null && f.echoAuthorization()) {
                send(ex, 500, "{\"error_code\":\"INTERNAL_ERROR\",\"message\":\"proxy saw Authorization: " + auth + "\"}");
                return;
            }
            if (f != null && f.location() != null) {
                ex.getResponseHeaders().set("Location", f.location() + u.getRawPath()
                        + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
                send(ex, f.status(), "{}");
                return;
            }
            if (f != null && !f.apply()) {
                sleep(f.delayMs());
                send(ex, f.status(), "{\"error_code\":\"TEMPORARILY_UNAVAILABLE\",\"message\":\"injected\"}");
                return;
            }
            int status;
            String answer;
            try {
                answer = apply(ex.getRequestMethod(), u, query(u.getRawQuery()), body, raw);
                status = 200;
            } catch (ApiError e) {
                status = e.status;
                answer = "{\"error_code\":\"" + e.code + "\",\"message\":" + JSON.writeValueAsString(e.getMessage()) + "}";
            }
            if (f != null) {
                sleep(f.delayMs());
                if (f.status() != 0) {
                    status = f.status();
                    answer = "{\"error_code\":\"INTERNAL_ERROR\",\"message\":\"injected after applying\"}";
                }
            }
            send(ex, status, answer);
        } catch (IOException e) {
            // the client gave up (a slow answer after its timeout)
        }
    }

    private static void sleep(long ms) {
        if (ms > 0) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                String[] p = kv.split("=", 2);
                m.put(URLDecoder.decode(p[0], StandardCharsets.UTF_8),
                        p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "");
            }
        }
        return m;
    }

    private static final class ApiError extends Exception {
        final int status;
        final String code;

        ApiError(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    private synchronized String apply(String method, URI u, Map<String, String> q, String body, byte[] raw)
            throws ApiError, IOException {
        String path = u.getRawPath();
        if (method.equals("PUT") && path.startsWith(ARTIFACTS)) {
            artifacts.put(u.getPath().substring(ARTIFACTS.length()), raw);
            return "{}";
        }
        JsonNode in = body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
        String ep = path.startsWith(API) ? path.substring(API.length()) : path;
        switch (method + " " + ep) {
            case "GET experiments/get-by-name": {
                String name = q.get("experiment_name");
                for (Map.Entry<String, String> e : experiments.entrySet()) {
                    if (e.getValue().equals(name)) {
                        return "{\"experiment\":" + experimentJson(e.getKey()) + "}";
                    }
                }
                throw new ApiError(404, "RESOURCE_DOES_NOT_EXIST", "Could not find experiment with name " + name);
            }
            case "POST experiments/create": {
                String name = in.path("name").asText();
                if (experiments.containsValue(name)) {
                    throw new ApiError(400, "RESOURCE_ALREADY_EXISTS", "Experiment '" + name + "' already exists.");
                }
                String id = String.valueOf(nextId++);
                experiments.put(id, name);
                return "{\"experiment_id\":\"" + id + "\"}";
            }
            case "POST runs/create": {
                String exp = in.path("experiment_id").asText();
                if (!experiments.containsKey(exp)) {
                    throw new ApiError(404, "RESOURCE_DOES_NOT_EXIST", "No experiment " + exp);
                }
                Run r = new Run();
                r.id = String.format("%032x", nextId++);
                r.experimentId = exp;
                r.artifactRoot = artifactRoot;
                r.name = in.path("run_name").asText();
                r.start = in.path("start_time").asLong();
                for (JsonNode t : in.path("tags")) {
                    r.tags.put(t.path("key").asText(), t.path("value").asText());
                }
                r.tags.put("mlflow.runName", r.name);
                runs.put(r.id, r);
                return "{\"run\":" + runJson(r) + "}";
            }
            case "POST runs/update": {
                Run r = run(in);
                r.status = in.path("status").asText();
                r.end = in.path("end_time").asLong();
                return "{\"run_info\":" + JSON.writeValueAsString(info(r)) + "}";
            }
            case "POST runs/delete": {
                run(in).deleted = true;
                return "{}";
            }
            case "POST runs/set-tag": {
                run(in).tags.put(in.path("key").asText(), in.path("value").asText());
                return "{}";
            }
            case "POST runs/log-batch": {
                Run r = run(in);
                int nm = in.path("metrics").size();
                int np = in.path("params").size();
                int nt = in.path("tags").size();
                if (nm > 1000 || np > 100 || nt > 100 || nm + np + nt > 1000) {
                    throw new ApiError(400, "INVALID_PARAMETER_VALUE", "A batch logging request can contain at most"
                            + " 1000 metrics, 100 params, 100 tags; got " + nm + ", " + np + ", " + nt);
                }
                if (body.length() > 1_000_000) {
                    throw new ApiError(400, "INVALID_PARAMETER_VALUE", "request larger than 1 MB");
                }
                for (JsonNode p : in.path("params")) {
                    String k = p.path("key").asText();
                    String v = p.path("value").asText();
                    if (v.length() > 6000) {
                        throw new ApiError(400, "INVALID_PARAMETER_VALUE", "Param value too long: " + v.length());
                    }
                    String old = r.params.get(k);
                    if (old != null && !old.equals(v)) {
                        throw new ApiError(400, "INVALID_PARAMETER_VALUE", "Changing param values is not allowed. Param"
                                + " with key='" + k + "' was already logged with value='" + old + "'");
                    }
                }
                for (JsonNode p : in.path("params")) {
                    r.params.put(p.path("key").asText(), p.path("value").asText());
                }
                for (JsonNode m : in.path("metrics")) {
                    r.metrics.add(new Point(m.path("key").asText(), m.path("value").asDouble(),
                            m.path("timestamp").asLong(), m.path("step").asLong()));
                }
                for (JsonNode t : in.path("tags")) {
                    String v = t.path("value").asText();
                    if (v.length() > 8000) {
                        throw new ApiError(400, "INVALID_PARAMETER_VALUE", "Tag value too long: " + v.length());
                    }
                    r.tags.put(t.path("key").asText(), v);
                }
                return "{}";
            }
            case "POST runs/log-inputs": {
                Run r = run(in);
                for (JsonNode d : in.path("datasets")) {
                    JsonNode ds = d.path("dataset");
                    for (String required : List.of("name", "digest", "source_type", "source")) {
                        if (ds.path(required).asText().isEmpty()) {
                            throw new ApiError(400, "INVALID_PARAMETER_VALUE", "dataset." + required + " is required");
                        }
                    }
                    if (ds.path("digest").asText().length() > 36 || ds.path("name").asText().length() > 500) {
                        throw new ApiError(400, "INVALID_PARAMETER_VALUE", "dataset name or digest too long");
                    }
                    r.inputs.add(d);
                }
                return "{}";
            }
            case "POST runs/search": {
                List<String> exps = new ArrayList<>();
                in.path("experiment_ids").forEach(e -> exps.add(e.asText()));
                Map<String, String> want = parseFilter(in.path("filter").asText(""));
                ArrayNode out = JSON.createArrayNode();
                for (Run r : runs.values()) {
                    if (r.deleted || !exps.contains(r.experimentId)) {
                        continue;
                    }
                    boolean ok = want.entrySet().stream().allMatch(e -> e.getValue().equals(r.tags.get(e.getKey())));
                    if (ok) {
                        out.add(JSON.readTree(runJson(r)));
                    }
                }
                ObjectNode res = JSON.createObjectNode();
                res.set("runs", out);
                return res.toString();
            }
            case "GET runs/get": {
                Run r = runs.get(q.getOrDefault("run_id", q.get("run_uuid")));
                if (r == null) {
                    throw new ApiError(404, "RESOURCE_DOES_NOT_EXIST", "Run not found");
                }
                return "{\"run\":" + runJson(r) + "}";
            }
            case "GET metrics/get-history": {
                Run r = runs.get(q.getOrDefault("run_id", q.get("run_uuid")));
                if (r == null) {
                    throw new ApiError(404, "RESOURCE_DOES_NOT_EXIST", "Run not found");
                }
                ArrayNode out = JSON.createArrayNode();
                for (Point p : r.metrics) {
                    if (p.key().equals(q.get("metric_key"))) {
                        out.add(JSON.valueToTree(pointMap(p)));
                    }
                }
                ObjectNode res = JSON.createObjectNode();
                res.set("metrics", out);
                return res.toString();
            }
            default:
                throw new ApiError(404, "ENDPOINT_NOT_FOUND", "no endpoint " + method + " " + path);
        }
    }

    private static final Pattern CLAUSE = Pattern.compile("tags\\.`([^`]+)`\\s*=\\s*'((?:[^'\\\\]|\\\\.)*)'");

    /** Parses {@code tags.`k` = 'v' [and ...]}; anything else fails the test loudly. */
    static Map<String, String> parseFilter(String filter) {
        Map<String, String> m = new LinkedHashMap<>();
        if (filter.isBlank()) {
            return m;
        }
        for (String clause : filter.split("(?i)\\s+and\\s+")) {
            Matcher c = CLAUSE.matcher(clause.strip());
            if (!c.matches()) {
                throw new IllegalArgumentException("stand-in cannot parse filter clause: " + clause);
            }
            m.put(c.group(1), c.group(2).replace("\\'", "'").replace("\\\\", "\\"));
        }
        return m;
    }

    private Run run(JsonNode in) throws ApiError {
        String id = in.hasNonNull("run_id") ? in.get("run_id").asText() : in.path("run_uuid").asText();
        Run r = runs.get(id);
        if (r == null || r.deleted) {
            throw new ApiError(404, "RESOURCE_DOES_NOT_EXIST", "Run '" + id + "' not found");
        }
        return r;
    }

    private String experimentJson(String id) throws IOException {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("experiment_id", id);
        e.put("name", experiments.get(id));
        e.put("artifact_location", "mlflow-artifacts:/" + id);
        e.put("lifecycle_stage", "active");
        return JSON.writeValueAsString(e);
    }

    private static Map<String, Object> info(Run r) {
        Map<String, Object> i = new LinkedHashMap<>();
        i.put("run_id", r.id);
        i.put("run_uuid", r.id);
        i.put("experiment_id", r.experimentId);
        i.put("run_name", r.name);
        i.put("user_id", "test");
        i.put("status", r.status);
        i.put("start_time", r.start);
        if (r.end > 0) {
            i.put("end_time", r.end);
        }
        i.put("artifact_uri", r.artifactUri());
        i.put("lifecycle_stage", r.deleted ? "deleted" : "active");
        return i;
    }

    private static Map<String, Object> pointMap(Point p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", p.key());
        m.put("value", Double.isFinite(p.value()) ? (Object) p.value() : String.valueOf(p.value()));
        m.put("timestamp", p.timestamp());
        m.put("step", p.step());
        return m;
    }

    private static String runJson(Run r) throws IOException {
        Map<String, Object> data = new LinkedHashMap<>();
        Map<String, Point> latest = new LinkedHashMap<>();
        for (Point p : r.metrics) {
            latest.put(p.key(), p);
        }
        data.put("metrics", latest.values().stream().map(MlflowStandIn::pointMap).toList());
        data.put("params", r.params.entrySet().stream().map(e -> Map.of("key", e.getKey(), "value", e.getValue())).toList());
        data.put("tags", r.tags.entrySet().stream().map(e -> Map.of("key", e.getKey(), "value", e.getValue())).toList());
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("info", info(r));
        run.put("data", data);
        return JSON.writeValueAsString(run);
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
