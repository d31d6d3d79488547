package org.deqbench.track;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqbench.plan.Plan;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service;

/**
 * Tracking when the server is down, failing or slow, and {@code deqbench mlflow sync} afterwards.
 * The server is {@link MlflowStandIn} (no MLflow server can be installed where these tests run),
 * driven by the real MLflow Java client. Every test ends by checking that each metric point is on
 * the server exactly once.
 */
class MlflowOutageTest {
    @TempDir
    Path runDir;
    MlflowStandIn server;
    Plan plan;

    @BeforeEach
    void start() throws Exception {
        server = new MlflowStandIn();
        plan = TrackingFixture.tinyPlan(runDir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Map<String, String> env(String uri, String... kv) {
        Map<String, String> e = new HashMap<>(TrackingFixture.env(uri));
        for (int i = 0; i < kv.length; i += 2) {
            e.put(kv[i], kv[i + 1]);
        }
        return e;
    }

    private SyncReport sync(Map<String, String> env) {
        StringWriter w = new StringWriter();
        SyncReport r = MlflowSync.sync(runDir, env, new PrintWriter(w, true));
        System.out.print(w);
        return r;
    }

    /** Logs {@code steps} steps of three metrics; returns the points as key@step → value. */
    private static Map<String, Double> train(Tracker t, int steps) {
        Map<String, Double> points = new LinkedHashMap<>();
        for (long s = 0; s < steps; s++) {
            Map<String, Double> m = Map.of("loss", 1.0 / (s + 1), "psnr", 20 + s * 0.01, "ssim", 0.5 + s * 1e-4);
            t.logMetrics(m, s);
            long step = s;
            m.forEach((k, v) -> points.put(k + "@" + step, v));
        }
        return points;
    }

    /** Asserts that the node's run holds each expected point exactly once and nothing else. */
    private MlflowStandIn.Run assertExactlyOnce(String node, Map<String, Double> expected) {
        List<MlflowStandIn.Run> runs = server.runs().stream().filter(r -> node.equals(r.tags.get("deqbench.node"))).toList();
        assertEquals(1, runs.size(), "one MLflow run for " + node);
        MlflowStandIn.Run run = runs.get(0);
        Map<String, Integer> seen = new HashMap<>();
        for (MlflowStandIn.Point p : run.metrics) {
            String k = p.key() + "@" + p.step();
            seen.merge(k, 1, Integer::sum);
            assertEquals(expected.get(k), p.value(), 0.0, k);
        }
        List<String> dup = seen.entrySet().stream().filter(e -> e.getValue() != 1).map(Map.Entry::getKey).toList();
        assertEquals(List.of(), dup, "points delivered more than once");
        assertEquals(expected.keySet(), seen.keySet(), "points missing on the server");
        return run;
    }

    private int count(String endpoint) {
        return server.requests(endpoint).size();
    }

    private int puts() {
        return (int) server.requests().stream().filter(r -> r.method().equals("PUT")).count();
    }

    @Test
    void refusedConnectionLeavesTheStageRunningAndSyncDeliversEverythingOnce() throws Exception {
        Map<String, String> down = env(TrackingFixture.deadUri(), TrackingEnv.RETRY_SECONDS, "0.3");
        Path model = Files.write(runDir.resolve("weights.bin"), new byte[] {1, 2, 3, 4});
        Map<String, Double> points;
        String output;
        try (TrackingFixture.Captured cap = new TrackingFixture.Captured()) {
            PipelineRun pipeline = PipelineTracking.begin(runDir, plan, down);
            Map<String, String> nodeEnv = TrackingFixture.with(down, pipeline.childEnvironment());
            Tracker t = Trackers.forNode(runDir, plan, plan.node("train/t/m"), nodeEnv);
            t.logParams(Map.of("method.deq.alpha", "0.01", "method.kind", "mol-lr"));
            points = train(t, 200);
            points.putAll(train(t, 0));
            t.setTag("phase", "done");
            t.logArtifact(model, "model");
            t.finish(Tracker.Status.FINISHED, null);
            try (Tracker r = Trackers.forNode(runDir, plan, plan.node("report"), nodeEnv)) {
                r.logMetric("rows", 1, 0);
            }
            pipeline.finish(Tracker.Status.FINISHED);
            output = cap.text();
        }
        // the runner's one failed request takes the whole run offline: each node says so in one line
        assertEquals(1, occurrences(output, "refused"), "one request was made: " + output);
        assertEquals(1, occurrences(output, "train/t/m tracks in the local run log only"), output);
        assertEquals(1, occurrences(output, "report tracks in the local run log only"), output);
        assertTrue(output.contains("deqbench mlflow sync " + runDir), output);
        NodeAttempt local = RunLogReader.read(runDir).latest("train/t/m").orElseThrow();
        assertEquals(600, local.metrics().size(), "the local log is complete");
        assertEquals(Tracker.Status.FINISHED, local.status().orElseThrow());

        Map<String, String> up = env(server.uri());
        SyncReport first = sync(up);
        assertTrue(first.complete(), first.toString());
        MlflowStandIn.Run run = assertExactlyOnce("train/t/m", points);
        assertEquals("0.01", run.params.get("method.deq.alpha"));
        assertEquals("done", run.tags.get("phase"));
        assertEquals("FINISHED", run.status);
        assertArrayEquals(new byte[] {1, 2, 3, 4},
                server.artifacts().get(run.experimentId + "/" + run.id + "/artifacts/model/weights.bin"));
        MlflowStandIn.Run parent = server.run(run.tags.get("mlflow.parentRunId"));
        assertEquals("pipeline", parent.tags.get("deqbench.role"));
        assertEquals("FINISHED", parent.status);
        assertEquals(3, server.runs().size(), "parent, train and report");

        int creates = count("runs/create");
        int batches = count("runs/log-batch");
        int uploads = puts();
        SyncReport second = sync(up);
        assertTrue(second.complete());
        assertEquals(0, second.runsCreated() + second.metrics() + second.params() + second.artifactFiles());
        assertEquals(creates, count("runs/create"), "no run created twice");
        assertEquals(batches, count("runs/log-batch"), "nothing sent twice");
        assertEquals(uploads, puts(), "no artifact uploaded twice");
        assertExactlyOnce("train/t/m", points);
    }

    @Test
    void failedAndSlowAnswersNeverDuplicateAMetric() {
        // The 2nd log-batch is applied and then answered 503: the node goes offline after it. In the
        // sync, the 3rd is applied and answered after the client's timeout, the 4th fails once more.
        server.faults((r, n) -> !r.endpoint().equals("runs/log-batch") ? null
                : n == 2 ? MlflowStandIn.Fault.appliedThen(503)
                : n == 3 ? MlflowStandIn.Fault.slow(1000)
                : n == 4 ? MlflowStandIn.Fault.status(503) : null);
        Map<String, String> live = env(server.uri(), TrackingEnv.TIMEOUT_SECONDS, "0.5", TrackingEnv.RETRY_SECONDS, "5",
                TrackingEnv.FLUSH_SECONDS, "30");
        Map<String, Double> points;
        try (Tracker t = Trackers.forNode(runDir, plan, plan.node("train/t/m"), live)) {
            t.logParam("method.kind", "deq");
            points = train(t, 1700);
        }
        assertEquals(points.size(), RunLogReader.read(runDir).latest("train/t/m").orElseThrow().metrics().size(),
                "the local log is complete");
        assertEquals(2, count("runs/log-batch"), "no request after the first failure");
        MlflowStandIn.Run partial = server.runs().stream().filter(r -> "node".equals(r.tags.get("deqbench.role")))
                .findFirst().orElseThrow();
        Map<String, Integer> seen = new HashMap<>();
        partial.metrics.forEach(p -> seen.merge(p.key() + "@" + p.step(), 1, Integer::sum));
        assertTrue(seen.values().stream().allMatch(c -> c == 1), "no duplicates even before the sync");
        assertTrue(seen.size() > 1000 && seen.size() <= 2000, "requests 1-2 arrived: " + seen.size());
        assertEquals("RUNNING", partial.status, "the final status could not be delivered");

        SyncReport report = sync(live);
        assertTrue(report.complete(), report.toString());
        assertTrue(count("runs/log-batch") >= 5, "every fault was exercised: " + count("runs/log-batch"));
        MlflowStandIn.Run run = assertExactlyOnce("train/t/m", points);
        assertEquals("FINISHED", run.status);
        assertEquals("deq", run.params.get("method.kind"));
    }

    @Test
    void anInterruptedSyncResumesWithoutDuplicates() throws Exception {
        Path figures = Files.createDirectories(runDir.resolve("figures"));
        Files.writeString(figures.resolve("a.png"), "A");
        Map<String, Double> points;
        try (Tracker t = Trackers.forNode(runDir, plan, plan.node("train/t/m"),
                env(TrackingFixture.deadUri(), TrackingEnv.RETRY_SECONDS, "0.1"))) {
            t.logMetric("diverged", Double.NaN, 0); // reconciled like any value
            points = train(t, 900);
            points.put("diverged@0", Double.NaN);
            t.logArtifact(figures, "figures");
        }
        // The server fails in the middle of the sync, after writing part of a request.
        server.faults((r, n) -> !r.endpoint().equals("runs/log-batch") ? null
                : n == 2 ? MlflowStandIn.Fault.appliedThen(503) : n >= 3 ? MlflowStandIn.Fault.status(503) : null);
        Map<String, String> up = env(server.uri(), TrackingEnv.RETRY_SECONDS, "0.3");
        SyncReport interrupted = sync(up);
        assertFalse(interrupted.complete());
        assertEquals(1, interrupted.failures().size());
        assertTrue(interrupted.failures().get(0).contains("503"), interrupted.failures().get(0));

        assertEquals(1000, interrupted.metrics(), "the first request was acknowledged");
        assertEquals(1000, interrupted.alreadyPresent(), "the request written before its 503 was found on the server");

        // Worst case: the sync process died before it could record any acknowledgement.
        Files.delete(RunLogLayout.ackFile(RunLogLayout.nodeFile(runDir, "train/t/m")));
        server.faults(null);
        SyncReport resumed = sync(up);
        assertTrue(resumed.complete(), resumed.toString());
        assertEquals(0, resumed.runsCreated(), "the run was found by its node key");
        assertEquals(2000, resumed.alreadyPresent(), resumed.toString());
        assertEquals(701, resumed.metrics(), resumed.toString());
        MlflowStandIn.Run run = assertExactlyOnce("train/t/m", points);
        assertEquals("FINISHED", run.status);
        assertEquals(1, server.artifacts().size());

        int batches = count("runs/log-batch");
        int creates = count("runs/create");
        SyncReport again = sync(up);
        assertTrue(again.complete());
        assertEquals(batches, count("runs/log-batch"));
        assertEquals(creates, count("runs/create"));
        assertExactlyOnce("train/t/m", points);
    }

    @Test
    void anArtifactLoggedFromTheTemporaryOutputFolderIsUploadedAfterTheRename() throws Exception {
        Path tmp = Files.createDirectories(runDir.resolve("train/t/.tmp-m-1a2b3c4d/figures"));
        Files.writeString(tmp.resolve("curve.png"), "curve");
        try (Tracker t = Trackers.forNode(runDir, plan, plan.node("train/t/m"),
                env(TrackingFixture.deadUri(), TrackingEnv.RETRY_SECONDS, "0"))) {
            t.logArtifact(tmp, "figures");
        }
        // What RunStore's commit does.
        Files.move(runDir.resolve("train/t/.tmp-m-1a2b3c4d"), runDir.resolve("train/t/m"));
        assertTrue(sync(env(server.uri())).complete());
        MlflowStandIn.Run run = server.runs().stream().filter(r -> "node".equals(r.tags.get("deqbench.role")))
                .findFirst().orElseThrow();
        assertArrayEquals("curve".getBytes(), server.artifacts().get(run.experimentId + "/" + run.id
                + "/artifacts/figures/curve.png"));
    }

    @Test
    void aNodeThatDiedWithoutAFinishRecordIsMarkedKilled() throws Exception {
        // What a SIGKILLed process leaves: a start record and some metrics.
        RunRecord.Start start = new RunRecord.Start("deadbeef0001", 0, 1000, "p/simulate/t/deadbeef0001", "simulate/t",
                "simulate", "t", null, "tiny", "tiny", "p", "spec-hash-1", "h-sim", runDir.toString(), null, null, false);
        List<String> lines = new ArrayList<>(List.of(RunLogJson.line(start)));
        for (int i = 1; i <= 3; i++) {
            lines.add(RunLogJson.line(new RunRecord.Metric("deadbeef0001", i, 1000 + i, "examples", i, i)));
        }
        Path file = RunLogLayout.nodeFile(runDir, "simulate/t");
        Files.createDirectories(file.getParent());
        Files.write(file, lines);

        Map<String, String> up = env(server.uri());
        assertTrue(sync(up).complete());
        MlflowStandIn.Run run = assertExactlyOnce("simulate/t", Map.of("examples@1", 1.0, "examples@2", 2.0, "examples@3", 3.0));
        assertEquals("KILLED", run.status);
        assertEquals(1003, run.end);
        int updates = count("runs/update");
        assertTrue(sync(up).complete());
        assertEquals(updates, count("runs/update"), "closed once");
    }

    @Test
    void syncLeavesARunningNodeToItsTracker() {
        Map<String, String> down = env(TrackingFixture.deadUri(), TrackingEnv.RETRY_SECONDS, "0");
        Tracker running = Trackers.forNode(runDir, plan, plan.node("train/t/m"), down);
        running.logMetric("loss", 1, 0);
        try (Tracker done = Trackers.forNode(runDir, plan, plan.node("simulate/t"), down)) {
            done.logMetric("examples", 4, 0);
        }
        SyncReport during = sync(env(server.uri()));
        assertFalse(during.complete());
        assertEquals(1, during.skipped().size());
        assertTrue(during.skipped().get(0).startsWith("train/t/m"), during.skipped().get(0));
        assertTrue(server.runs().stream().noneMatch(r -> "train/t/m".equals(r.tags.get("deqbench.node"))));
        assertExactlyOnce("simulate/t", Map.of("examples@0", 4.0));

        running.finish(Tracker.Status.FINISHED, null);
        assertTrue(sync(env(server.uri())).complete());
        assertExactlyOnce("train/t/m", Map.of("loss@0", 1.0));
    }

    @Test
    void theClientSendsAFailedRequestOnce() throws Exception {
        MlflowSettings s = MlflowSettings.fromEnv(env(server.uri(), TrackingEnv.TIMEOUT_SECONDS, "0.5")).orElseThrow();
        try (MlflowGateway gw = new MlflowGateway(s)) {
            String exp = gw.createExperiment("e");
            String run = gw.createRun(Service.CreateRun.newBuilder().setExperimentId(exp).build()).getRunId();
            server.faults((r, n) -> r.endpoint().equals("runs/log-batch") ? MlflowStandIn.Fault.appliedThen(503) : null);
            MlflowCallException e = org.junit.jupiter.api.Assertions.assertThrows(MlflowCallException.class,
                    () -> gw.logBatch(run, List.of(Service.Metric.newBuilder().setKey("k").setValue(1).build()),
                            List.of(), List.of()));
            assertEquals(MlflowCallException.Kind.TRANSIENT, e.kind());
            assertTrue(e.ambiguous(), "a 5xx may have been applied");
            // The stock client would have sent it three times, writing the point three times.
            assertEquals(1, count("runs/log-batch"));
            assertEquals(1, server.run(run).metrics.size());

            server.faults((r, n) -> r.endpoint().equals("runs/log-batch") ? MlflowStandIn.Fault.slow(3000) : null);
            long t0 = System.nanoTime();
            MlflowCallException slow = org.junit.jupiter.api.Assertions.assertThrows(MlflowCallException.class,
                    () -> gw.logBatch(run, List.of(), List.of(), List.of(Service.RunTag.newBuilder().setKey("a").setValue("b").build())));
            assertTrue(slow.getMessage().contains("no response within"), slow.getMessage());
            assertTrue((System.nanoTime() - t0) / 1e9 < 2.5, "gave up at the timeout, not when the server answered");
            server.faults(null);
            assertNotEquals(null, gw.getRun(run).orElse(null), "the gateway works after abandoning a request");
        }
    }

    private static int occurrences(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
