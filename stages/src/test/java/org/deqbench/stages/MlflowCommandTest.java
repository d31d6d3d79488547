package org.deqbench.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deqbench.plan.Plan;
import org.deqbench.plan.PlanNode;
import org.deqbench.track.Tracker;
import org.deqbench.track.TrackingEnv;
import org.deqbench.track.Trackers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line of {@code deqbench mlflow sync}; delivery itself is tested in the track package. */
class MlflowCommandTest {
    @TempDir
    Path runDir;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    private int run(Map<String, String> env, String... args) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == MlflowCommand.Sync.class ? cls.cast(new MlflowCommand.Sync(env))
                        : CommandLine.defaultFactory().create(cls);
            }
        };
        CommandLine cl = new CommandLine(new MlflowCommand(), factory);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private void localRun() {
        PlanNode node = new PlanNode("simulate/t", "simulate", "t", null, List.of(), "h", List.of());
        Plan plan = new Plan("tiny", "tiny.yaml", runDir.toString(), "s", List.of(node));
        try (Tracker t = Trackers.forNode(runDir, plan, node, Map.of(TrackingEnv.GIT_COMMIT, "x"))) {
            t.logMetric("examples", 4, 0);
        }
    }

    @Test
    void withoutATrackingUriItIsAUsageErrorNamingTheVariable() {
        localRun();
        assertEquals(2, run(Map.of(), "sync", runDir.toString()));
        assertTrue(err.toString().contains(TrackingEnv.TRACKING_URI), err.toString());
    }

    @Test
    void aFolderWithoutRunLogIsAUsageError() {
        assertEquals(2, run(Map.of(TrackingEnv.TRACKING_URI, "http://127.0.0.1:1"), "sync", runDir.resolve("nope").toString()));
        assertTrue(err.toString().contains("no run log"), err.toString());
    }

    @Test
    void anUnreachableServerExitsOneAndSaysToRunAgain() throws IOException {
        localRun();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> env = Map.of(TrackingEnv.TRACKING_URI, "http://127.0.0.1:" + port,
                TrackingEnv.RETRY_SECONDS, "0.1", TrackingEnv.BACKOFF_SECONDS, "0.02");
        assertEquals(1, run(env, "sync", runDir.toString()));
        assertTrue(out.toString().contains("run the sync again"), out.toString());
    }

    @Test
    void withoutASubcommandItSaysWhichExist() {
        assertEquals(2, run(Map.of()));
        assertTrue(err.toString().contains("sync"), err.toString());
    }
}
