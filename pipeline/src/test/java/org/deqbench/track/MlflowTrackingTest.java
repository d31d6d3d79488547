package org.deqbench.track;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.deqbench.plan.Plan;
import org.deqbench.plan.PlanNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tracker against an MLflow server: the real MLflow Java client talks to
 * {@link MlflowStandIn}, an in-process implementation of the REST endpoints the tracker uses,
 * because no MLflow server can be installed where these tests run. Checks the experiment / parent
 * run / nested run structure and tags, the request limits, and artifact uploads.
 */
class MlflowTrackingTest {
    @TempDir
    Path runDir;
    MlflowStandIn server;

    @BeforeEach
    void start() throws Exception {
        server = new MlflowStandIn();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void pipelineRunNestsOneRunPerNodeWithProvenanceTags() {
        Plan plan = TrackingFixture.tinyPlan(runDir);
        Map<String, String> env = TrackingFixture.env(server.uri());
        PipelineRun pipeline = PipelineTracking.begin(runDir, plan, env);
        String parentId = pipeline.mlflowRunId().orElseThrow();
        Map<String, String> child = pipeline.childEnvironment();
        assertEquals(pipeline.id(), child.get(TrackingEnv.PIPELINE_RUN_ID));
        assertEquals(parentId, child.get(TrackingEnv.MLFLOW_PARENT_RUN_ID));
        Map<String, String> nodeEnv = TrackingFixture.with(env, child);

        for (PlanNode n : plan.nodes()) {
            Tracker t = Trackers.forNode(runDir, plan, n, nodeEnv);
            t.logParams(Map.of("node_hash", n.hash()));
            t.logMetric("seconds", 1.5, 0);
            if (n.stage().equals("certify")) {
                t.finish(Tracker.Status.FAILED, "java.lang.IllegalStateException: diverged");
            } else {
                t.finish(Tracker.Status.FINISHED, null);
            }
        }
        pipeline.finish(Tracker.Status.FAILED);

        assertEquals(Map.of("1", "tiny"), server.experiments(), "one MLflow experiment named after the experiment");
        List<MlflowStandIn.Run> runs = server.runs();
        assertEquals(1 + plan.nodes().size(), runs.size());
        MlflowStandIn.Run parent = server.run(parentId);
        assertEquals("pipeline", parent.tags.get("deqbench.role"));
        assertEquals(pipeline.id(), parent.tags.get("deqbench.pipeline_run_id"));
        assertEquals("pipeline/" + pipeline.id(), parent.tags.get(MlflowDelivery.NODE_KEY_TAG));
        assertEquals("FAILED", parent.status);
        assertEquals(TrackingFixture.COMMIT, parent.tags.get("mlflow.source.git.commit"));

        for (PlanNode n : plan.nodes()) {
            MlflowStandIn.Run r = runs.stream().filter(x -> n.id().equals(x.tags.get("deqbench.node"))).findFirst().orElseThrow();
            assertEquals(parentId, r.tags.get("mlflow.parentRunId"), n.id());
            assertEquals(n.id(), r.name);
            assertEquals(n.stage(), r.tags.get("deqbench.stage"));
            assertEquals(n.task(), r.tags.get("deqbench.task"));
            assertEquals(n.method(), r.tags.get("deqbench.method"));
            assertEquals(pipeline.id(), r.tags.get("deqbench.pipeline_run_id"));
            assertEquals(TrackingFixture.COMMIT, r.tags.get("deqbench.git_commit"));
            assertEquals(TrackingFixture.IMAGE, r.tags.get("deqbench.image"));
            assertEquals("spec-hash-1", r.tags.get("deqbench.spec_hash"));
            assertEquals(n.hash(), r.params.get("node_hash"));
            assertEquals(1, r.metrics.size());
            boolean failed = n.stage().equals("certify");
            assertEquals(failed ? "FAILED" : "FINISHED", r.status, n.id());
            if (failed) {
                assertEquals("java.lang.IllegalStateException: diverged", r.tags.get(MlflowDelivery.ERROR_TAG));
            }
            assertTrue(r.end >= r.start && r.start > 0);
        }
        // The runner resolved experiment and parent: nodes neither looked them up nor created them.
        assertEquals(1, server.requests("experiments/get-by-name").size());
        assertEquals(1, server.requests("experiments/create").size());
    }

    @Test
    void nodesWithoutARunnerShareOneDerivedParentThatTheLastNodeEnds() {
        Plan plan = TrackingFixture.tinyPlan(runDir);
        Map<String, String> env = TrackingFixture.env(server.uri());
        for (PlanNode n : plan.nodes()) {
            try (Tracker t = Trackers.forNode(runDir, plan, n, env)) {
                t.logMetric("x", 1, 0);
            }
        }
        String derived = PipelineTracking.derivedRunId(runDir, plan);
        List<MlflowStandIn.Run> parents = server.runs().stream()
                .filter(r -> "pipeline".equals(r.tags.get("deqbench.role"))).toList();
        assertEquals(1, parents.size(), "one parent for all pods of the plan");
        MlflowStandIn.Run parent = parents.get(0);
        assertEquals(derived, parent.tags.get("deqbench.pipeline_run_id"));
        assertEquals("FINISHED", parent.status, "the report node ends the parent");
        long children = server.runs().stream().filter(r -> parent.id.equals(r.tags.get("mlflow.parentRunId"))).count();
        assertEquals(plan.nodes().size(), children);
    }

    /** How long a pod held back in {@link #podsStartingTogetherEndUpUnderOneParent} waits for the other. */
    private static final Duration RACE_DEADLINE = Duration.ofMinutes(2);

    @Test
    void podsStartingTogetherEndUpUnderOneParent() throws Exception {
        Plan plan = TrackingFixture.tinyPlan(runDir);
        // Requests may be held back below for as long as the other pod takes to catch up.
        Map<String, String> env = TrackingFixture.with(TrackingFixture.env(server.uri()),
                Map.of(TrackingEnv.TIMEOUT_SECONDS, "120"));
        // Both pods' first searches see no parent, so both create one; the loser must give way. The
        // interleaving is forced, not hoped for: each pod's first search is answered only once the
        // other's has arrived, and every later search only once both parents exist, so both pods
        // then see both parents whatever the machine's load.
        CountDownLatch firstSearches = new CountDownLatch(2);
        AtomicBoolean bothCreated = new AtomicBoolean();
        server.faults((r, n) -> {
            if (!r.endpoint().equals("runs/search")) {
                return null;
            }
            try {
                if (n <= 2) {
                    firstSearches.countDown();
                    firstSearches.await(RACE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                } else if (!bothCreated.get()) {
                    bothCreated.set(server.awaitState(st -> st.runs().stream()
                            .filter(run -> "pipeline".equals(run.tags.get("deqbench.role"))).count() >= 2, RACE_DEADLINE));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Object>> fs = new java.util.ArrayList<>();
            for (PlanNode n : plan.nodes().subList(0, 2)) {
                fs.add(pool.submit(() -> {
                    go.await();
                    try (Tracker t = Trackers.forNode(runDir, plan, n, env)) {
                        t.logMetric("x", 1, 0);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<Object> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        List<MlflowStandIn.Run> parents = server.runs().stream()
                .filter(r -> "pipeline".equals(r.tags.get("deqbench.role"))).toList();
        assertEquals(0, firstSearches.getCount(), "both pods searched for the parent");
        assertTrue(bothCreated.get(), "both pods created a parent before either looked again");
        assertEquals(1, parents.size(), "the duplicate parent was deleted");
        assertEquals(2, server.requests("runs/create").stream().filter(r -> r.body().contains("\"pipeline\"")).count(),
                "the race did happen: both pods created a parent");
        Set<String> parentIds = new HashSet<>();
        server.runs().stream().filter(r -> "node".equals(r.tags.get("deqbench.role")))
                .forEach(r -> parentIds.add(r.tags.get("mlflow.parentRunId")));
        assertEquals(Set.of(parents.get(0).id), parentIds);
    }

    @Test
    void batchesStayWithinMlflowRequestLimits() throws Exception {
        Plan plan = TrackingFixture.tinyPlan(runDir);
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < 250; i++) {
            params.put(String.format("method.p%03d", i), "v" + i);
        }
        String huge = "x".repeat(7000);
        params.put("method.huge", huge);
        try (Tracker t = Trackers.forNode(runDir, plan, plan.node("train/t/m"), TrackingFixture.env(server.uri()))) {
            t.logParams(params);
            for (long step = 0; step < 650; step++) {
                t.logMetrics(Map.of("loss", 1.0 / (step + 1), "psnr", 20.0 + step * 1e-3, "ssim", 0.5, "nmse", 0.1), step);
            }
            for (int i = 0; i < 120; i++) {
                t.setTag("tag" + i, "value " + i);
            }
        }
        // On a loaded machine one request may outlast its time limit, which takes the node's
        // tracking offline: deliver the rest as a user would. The limits below hold for every
        // request either way.
        SyncReport sync = MlflowSync.sync(runDir, TrackingFixture.env(server.uri()),
                new java.io.PrintWriter(new java.io.StringWriter()));
        assertTrue(sync.complete(), sync.toString());
        ObjectMapper json = new ObjectMapper();
        List<MlflowStandIn.Request> batches = server.requests("runs/log-batch");
        assertTrue(batches.size() >= 3, "2600 points need at least 3 requests");
        for (MlflowStandIn.Request b : batches) {
            JsonNode n = json.readTree(b.body());
            int m = n.path("metrics").size();
            int p = n.path("params").size();
            int t = n.path("tags").size();
            assertTrue(m <= 1000 && p <= 100 && t <= 100 && m + p + t <= 1000, m + " metrics, " + p + " params, " + t + " tags");
            assertTrue(b.body().getBytes(StandardCharsets.UTF_8).length <= 1_000_000);
        }
        MlflowStandIn.Run run = server.runs().stream().filter(r -> "node".equals(r.tags.get("deqbench.role"))).findFirst().orElseThrow();
        // distinct points: a request answered after its time limit may have been stored once already
        assertEquals(2600, run.metrics.stream().map(x -> x.key() + "@" + x.step()).distinct().count());
        assertEquals(251, run.params.size());
        String cut = run.params.get("method.huge");
        assertTrue(cut.length() <= 6000 && cut.endsWith("the whole value is in the run log]"), cut.substring(5900));
        assertTrue(huge.startsWith(cut.substring(0, 5000)));
        assertEquals(huge, RunLogReader.read(runDir).latest("train/t/m").orElseThrow().params().get("method.huge"),
                "the run log keeps the whole value");
        for (int i = 0; i < 120; i++) {
            assertEquals("value " + i, run.tags.get("tag" + i));
        }
    }

    @Test
    void anArtifactStoreTheServerDoesNotProxyHoldsBackNothingElse() throws Exception {
        server.artifactRoot = "s3://bucket/mlruns/";
        Plan plan = TrackingFixture.tinyPlan(runDir);
        Path report = Files.writeString(runDir.resolve("index.html"), "<html/>");
        String output;
        try (TrackingFixture.Captured cap = new TrackingFixture.Captured()) {
            try (Tracker t = Trackers.forNode(runDir, plan, plan.node("report"), TrackingFixture.env(server.uri()))) {
                t.logArtifact(report, "");
                t.logMetric("rows", 3, 0);
            }
            output = cap.text();
        }
        assertTrue(output.contains("--serve-artifacts"), "says what to change on the server: " + output);
        MlflowStandIn.Run run = server.runs().stream().filter(r -> "node".equals(r.tags.get("deqbench.role"))).findFirst().orElseThrow();
        assertEquals(1, run.metrics.size(), "the metric logged after the artifact arrived");
        assertEquals("FINISHED", run.status);
        assertEquals(Map.of(), server.artifacts());
        SyncReport later = MlflowSync.sync(runDir, TrackingFixture.env(server.uri()),
                new java.io.PrintWriter(new java.io.StringWriter()));
        assertTrue(!later.complete() && later.failures().get(0).contains("--serve-artifacts"),
                "the artifact stays pending for a later sync: " + later);
        assertEquals(1, run.metrics.size(), "nothing else is sent again");
    }

    @Test
    void artifactsUploadThroughTheProxyWithTheirPathsAndBytes() throws Exception {
        Plan plan = TrackingFixture.tinyPlan(runDir);
        Path report = Files.writeString(runDir.resolve("index.html"), "<html>report</html>");
        Path figures = Files.createDirectories(runDir.resolve("figs"));
        byte[] png = new byte[70_000];
        for (int i = 0; i < png.length; i++) {
            png[i] = (byte) (i * 31);
        }
        Files.write(figures.resolve("curve.png"), png);
        Files.createDirectories(figures.resolve("per task"));
        Files.writeString(figures.resolve("per task").resolve("t.csv"), "a,b\n1,2\n");
        try (Tracker t = Trackers.forNode(runDir, plan, plan.node("report"), TrackingFixture.env(server.uri()))) {
            t.logArtifact(report, "");
            t.logArtifact(figures, "figures");
        }
        MlflowStandIn.Run run = server.runs().stream().filter(r -> "node".equals(r.tags.get("deqbench.role"))).findFirst().orElseThrow();
        String root = run.experimentId + "/" + run.id + "/artifacts/";
        Map<String, byte[]> got = server.artifacts();
        assertEquals(Set.of(root + "index.html", root + "figures/curve.png", root + "figures/per task/t.csv"), got.keySet());
        assertArrayEquals("<html>report</html>".getBytes(StandardCharsets.UTF_8), got.get(root + "index.html"));
        assertArrayEquals(png, got.get(root + "figures/curve.png"));
        assertArrayEquals("a,b\n1,2\n".getBytes(StandardCharsets.UTF_8), got.get(root + "figures/per task/t.csv"));
        assertTrue(server.requests().stream().filter(r -> r.method().equals("PUT"))
                .allMatch(r -> r.path().startsWith(MlflowStandIn.ARTIFACTS)));
        assertNotEquals(0, server.requests("runs/update").size());
    }

    /**
     * A node folder's arrays over the limit (1 MB by default, {@code tracking.upload_arrays: true}
     * lifts it) stay out of MLflow and are counted in a tag; every other file is uploaded.
     */
    @Test
    void arraysOverTheLimitStayInTheRunStoreUnlessAllowed() throws Exception {
        Plan plan = TrackingFixture.tinyPlan(runDir);
        Path node = Files.createDirectories(runDir.resolve("node"));
        Files.write(node.resolve("big.npy"), new byte[1_000_001]);
        Files.write(node.resolve("small.npy"), new byte[1_000_000]);
        Files.writeString(node.resolve("summary.json"), "{}");
        try (Tracker t = Trackers.forNode(runDir, plan, plan.node("train/t/m"), TrackingFixture.env(server.uri()))) {
            t.logArtifact(node, "train", new ArraySizeLimit(1_000_000));
        }
        MlflowStandIn.Run run = server.runs().stream().filter(r -> "train/t/m".equals(r.tags.get("deqbench.node")))
                .findFirst().orElseThrow();
        String root = run.experimentId + "/" + run.id + "/artifacts/";
        assertEquals(Set.of(root + "train/small.npy", root + "train/summary.json"), server.artifacts().keySet());
        assertTrue(run.tags.get("deqbench.artifacts_left_out").startsWith("1 file(s)"), run.tags.toString());
        try (Tracker t = Trackers.forNode(runDir, plan, plan.node("certify/t/m"), TrackingFixture.env(server.uri()))) {
            t.logArtifact(node, "certify", ArraySizeLimit.NONE);
        }
        assertTrue(server.artifacts().keySet().stream().anyMatch(k -> k.endsWith("/artifacts/certify/big.npy")),
                server.artifacts().keySet().toString());
    }

    /**
     * What the report node logs to the parent run arrives there within MLflow's limits: scalar
     * params with keys ≤ 250 characters (lists and over-long keys left out, long values cut to
     * 6000), at most 100 params per request; summary metrics; the description as
     * {@code mlflow.note.content}; the node's run id in place of the placeholder of a tag.
     */
    @Test
    void theReportLogsSpecParamsSummaryMetricsAndNoteToTheParentRun() throws Exception {
        Plan plan = TrackingFixture.tinyPlan(runDir);
        Map<String, String> env = TrackingFixture.env(server.uri());
        PipelineRun pipeline = PipelineTracking.begin(runDir, plan, env);
        String parentId = pipeline.mlflowRunId().orElseThrow();
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < 230; i++) {
            params.put(String.format("methods.%d.name", i), "m" + i);
        }
        params.put("tasks.0.size", "[64,64]");
        params.put("k".repeat(251), "too long a key");
        params.put("description", "d".repeat(7000));
        try (Tracker t = Trackers.forNode(runDir, plan, plan.node("report"),
                TrackingFixture.with(env, pipeline.childEnvironment()))) {
            t.logToParent(params, Map.of("psnr/t/m", 31.5, "ssim/t/m", 0.9, "nmse/t/m", Double.NaN),
                    Map.of("mlflow.note.content", "what the experiment is for",
                            "deqbench.report_artifact", "runs:/" + RunRecord.ParentLog.NODE_RUN_ID + "/report/index.html"));
        }
        pipeline.finish(Tracker.Status.FINISHED);
        MlflowStandIn.Run parent = server.run(parentId);
        MlflowStandIn.Run report = server.runs().stream().filter(r -> "report".equals(r.tags.get("deqbench.node")))
                .findFirst().orElseThrow();
        assertEquals(231, parent.params.size(), "230 names and the description; no list, no over-long key");
        assertEquals("m229", parent.params.get("methods.229.name"));
        assertTrue(parent.params.get("description").length() <= 6000);
        assertTrue(!parent.params.containsKey("tasks.0.size") && !parent.params.containsKey("k".repeat(251)));
        assertEquals(Set.of("psnr/t/m", "ssim/t/m"), parent.metrics.stream().map(p -> p.key()).collect(
                java.util.stream.Collectors.toSet()));
        assertEquals("what the experiment is for", parent.tags.get("mlflow.note.content"));
        assertEquals("runs:/" + report.id + "/report/index.html", parent.tags.get("deqbench.report_artifact"));
        ObjectMapper json = new ObjectMapper();
        for (MlflowStandIn.Request b : server.requests("runs/log-batch")) {
            JsonNode n = json.readTree(b.body());
            assertTrue(n.path("params").size() <= 100 && n.path("metrics").size() + n.path("params").size()
                    + n.path("tags").size() <= 1000, b.body().substring(0, 200));
        }
    }

    /** Datasets a node logs arrive as MLflow run inputs, with name, digest, source and context. */
    @Test
    void datasetsArriveAsRunInputs() {
        Plan plan = TrackingFixture.tinyPlan(runDir);
        try (Tracker t = Trackers.forNode(runDir, plan, plan.node("train/t/m"), TrackingFixture.env(server.uri()))) {
            t.logInputs(List.of(new DatasetInput("simulate/t", "0123456789abcdef", "{\"uri\": \"/runs/x/simulate/t\"}",
                    "local", "train")));
        }
        MlflowStandIn.Run run = server.runs().stream().filter(r -> "train/t/m".equals(r.tags.get("deqbench.node")))
                .findFirst().orElseThrow();
        assertEquals(1, run.inputs.size());
        JsonNode d = run.inputs.get(0);
        assertEquals("simulate/t", d.path("dataset").path("name").asText());
        assertEquals("0123456789abcdef", d.path("dataset").path("digest").asText());
        assertEquals("local", d.path("dataset").path("source_type").asText());
        assertEquals("{\"uri\": \"/runs/x/simulate/t\"}", d.path("dataset").path("source").asText());
        assertEquals("mlflow.data.context", d.path("tags").get(0).path("key").asText());
        assertEquals("train", d.path("tags").get(0).path("value").asText());
        assertEquals(1, server.requests("runs/log-inputs").size());
    }
}
