package org.deqbench.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqbench.plan.Plan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local run log alone: what MLFLOW_TRACKING_URI unset means. */
class RunLogTrackerTest {
    @TempDir
    Path runDir;

    @Test
    void withoutTrackingUriNothingContactsAServerAndTheLogIsComplete() throws Exception {
        try (MlflowStandIn server = new MlflowStandIn()) {
            Plan plan = TrackingFixture.tinyPlan(runDir);
            // Everything a runner would pass, except the tracking URI itself.
            Map<String, String> env = TrackingFixture.with(TrackingFixture.env(null), Map.of(
                    TrackingEnv.MLFLOW_PARENT_RUN_ID, "abc", TrackingEnv.MLFLOW_EXPERIMENT_ID, "1",
                    TrackingEnv.TOKEN, "unused-token"));
            PipelineRun pipeline = PipelineTracking.begin(runDir, plan, env);
            Map<String, String> nodeEnv = TrackingFixture.with(env, pipeline.childEnvironment());
            Path fig = Files.writeString(runDir.resolve("fig.png"), "png");
            Tracker t = Trackers.forNode(runDir, plan, plan.node("train/t/m"), nodeEnv);
            t.logParams(Map.of("method.deq.alpha", "0.01"));
            t.logMetric("loss", 0.5, 1);
            t.logMetric("loss", Double.NaN, 2);
            t.logMetric("amplification", Double.POSITIVE_INFINITY, 0);
            t.setTag("note", "x");
            t.logArtifact(fig, "figures");
            t.finish(Tracker.Status.FINISHED, null);
            pipeline.finish(Tracker.Status.FINISHED);

            assertEquals(List.of(), server.requests(), "no request may reach any server");
            assertFalse(Files.exists(RunLogLayout.dir(runDir).resolve("acks")), "no ack log without MLflow");
            assertTrue(pipeline.mlflowRunId().isEmpty());

            RunLog log = RunLogReader.read(runDir);
            assertEquals(List.of(), log.warnings());
            NodeAttempt a = log.latest("train/t/m").orElseThrow();
            assertEquals(Map.of("method.deq.alpha", "0.01"), a.params());
            assertEquals(2, a.metric("loss").size());
            assertTrue(Double.isNaN(a.metric("loss").get(1).value()), "NaN survives the JSON round trip");
            assertEquals(Double.POSITIVE_INFINITY, a.last("amplification").orElseThrow(), 0.0);
            assertEquals(Map.of("note", "x"), a.tags());
            assertEquals("figures", a.artifacts().get(0).artifactPath());
            assertEquals(Tracker.Status.FINISHED, a.status().orElseThrow());
            RunRecord.Start s = a.start();
            assertEquals(pipeline.id(), s.pipelineRunId());
            assertEquals(TrackingFixture.COMMIT, s.gitCommit());
            assertEquals(TrackingFixture.IMAGE, s.image());
            assertEquals("m", s.method());
            assertFalse(s.closesPipeline(), "the runner owns the pipeline run");
            assertEquals(1, log.pipelines().size());
            assertEquals(Tracker.Status.FINISHED, log.pipelines().get(0).finish().orElseThrow().status());
        }
    }

    @Test
    void reportRebuildsANodesMetricsFromTheRunLogAlone() {
        Plan plan = TrackingFixture.tinyPlan(runDir);
        Map<Long, Double> loss = new LinkedHashMap<>();
        Map<Long, Double> psnr = new LinkedHashMap<>();
        try (Tracker t = Trackers.forNode(runDir, plan, plan.node("train/t/m"), TrackingFixture.env(null))) {
            for (long step = 0; step < 50; step++) {
                double l = Math.exp(-step / 7.0) + 1e-3 * Math.sin(step);
                double p = 20 + Math.log1p(step) / 3;
                loss.put(step, l);
                psnr.put(step, p);
                t.logMetrics(Map.of("loss", l, "psnr", p), step);
            }
            t.logMetric("val_psnr", 31.25, 1, 1_700_000_000_000L);
        }
        NodeAttempt a = RunLogReader.read(runDir).latestFinished("train/t/m").orElseThrow();
        // Exact equality: the log writes doubles in their shortest round-trip form.
        Map<Long, Double> gotLoss = new LinkedHashMap<>();
        a.metric("loss").forEach(m -> gotLoss.put(m.step(), m.value()));
        Map<Long, Double> gotPsnr = new LinkedHashMap<>();
        a.metric("psnr").forEach(m -> gotPsnr.put(m.step(), m.value()));
        assertEquals(loss, gotLoss);
        assertEquals(psnr, gotPsnr);
        assertEquals(31.25, a.last("val_psnr").orElseThrow(), 0.0);
        assertEquals(1_700_000_000_000L, a.metric("val_psnr").get(0).ts(), "an explicit timestamp is kept");
        assertEquals(List.of("loss", "psnr", "val_psnr"), new ArrayList<>(a.metricKeys()).stream().sorted().toList());
    }

    @Test
    void aLastLineCutByACrashIsSkippedAndTheNextAttemptStillAppends() throws Exception {
        Plan plan = TrackingFixture.tinyPlan(runDir);
        try (Tracker t = Trackers.forNode(runDir, plan, plan.node("simulate/t"), TrackingFixture.env(null))) {
            t.logMetric("examples", 16, 0);
        }
        Path file = RunLogLayout.nodeFile(runDir, "simulate/t");
        // A crash in the middle of writing a record.
        Files.writeString(file, "{\"type\":\"metric\",\"attempt\":\"x\",\"seq\":9,\"ts\":1,\"ke",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        RunLog cut = RunLogReader.read(runDir);
        assertEquals(1, cut.attempts().size());
        assertEquals(1, cut.warnings().size());
        assertTrue(cut.warnings().get(0).contains("incomplete"), cut.warnings().get(0));
        assertEquals(16.0, cut.latest("simulate/t").orElseThrow().last("examples").orElseThrow(), 0.0);

        try (Tracker t = Trackers.forNode(runDir, plan, plan.node("simulate/t"), TrackingFixture.env(null))) {
            t.logMetric("examples", 32, 0);
        }
        RunLog again = RunLogReader.read(runDir);
        assertEquals(2, again.attempts("simulate/t").size(), "the second attempt's records are intact");
        assertEquals(32.0, again.latest("simulate/t").orElseThrow().last("examples").orElseThrow(), 0.0);
        assertEquals(1, again.warnings().size(), "the cut line is reported, not fatal: " + again.warnings());
    }

    @Test
    void aFailedAttemptDoesNotHideTheLastFinishedOne() {
        Plan plan = TrackingFixture.tinyPlan(runDir);
        try (Tracker t = Trackers.forNode(runDir, plan, plan.node("certify/t/m"), TrackingFixture.env(null))) {
            t.logMetric("lipschitz_upper", 0.9);
        }
        Tracker failing = Trackers.forNode(runDir, plan, plan.node("certify/t/m"), TrackingFixture.env(null));
        failing.logMetric("lipschitz_upper", 7.0);
        failing.finish(Tracker.Status.FAILED, "power iteration diverged");
        RunLog log = RunLogReader.read(runDir);
        assertEquals(Tracker.Status.FAILED, log.latest("certify/t/m").orElseThrow().status().orElseThrow());
        assertEquals("power iteration diverged", log.latest("certify/t/m").orElseThrow().finish().orElseThrow().error());
        assertEquals(0.9, log.latestFinished("certify/t/m").orElseThrow().last("lipschitz_upper").orElseThrow(), 0.0);
    }

    @Test
    void everyRecordIsOnDiskWhenTheCallReturns() throws Exception {
        Plan plan = TrackingFixture.tinyPlan(runDir);
        Tracker t = Trackers.forNode(runDir, plan, plan.node("simulate/t"), TrackingFixture.env(null));
        t.logMetric("a", 1, 0);
        // Read by another reader while the tracker is still open: nothing is buffered in memory.
        assertEquals(1, RunLogReader.read(runDir).latest("simulate/t").orElseThrow().metrics().size());
        t.finish(Tracker.Status.FINISHED, null);
        t.logMetric("after", 1, 0); // ignored, not an error: a stage may still be logging during shutdown
        assertEquals(1, RunLogReader.read(runDir).latest("simulate/t").orElseThrow().metrics().size());
    }
}
