package org.deqbench.track;

import java.nio.file.Path;
import org.deqbench.plan.Plan;

/**
 * A node process for {@link KilledNodeTest}: opens the train node's tracker against the given
 * server, logs a few metrics, says "ready" and waits to be stopped by a signal.
 */
public final class KilledNodeMain {
    private KilledNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        Path runDir = Path.of(args[0]);
        Plan plan = TrackingFixture.tinyPlan(runDir);
        // A kill wait and request time limit far beyond what a busy machine needs for the final
        // status; a healthy server is done in milliseconds, so the node still exits at once.
        Tracker t = Trackers.forNode(runDir, plan, plan.node("train/t/m"), TrackingFixture.with(
                TrackingFixture.env(args[1]), java.util.Map.of(TrackingEnv.KILL_WAIT_SECONDS, "60",
                        TrackingEnv.TIMEOUT_SECONDS, "30")));
        for (int i = 0; i < 10; i++) {
            t.logMetric("loss", 1.0 / (i + 1), i);
        }
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(120_000);
        t.finish(Tracker.Status.FINISHED, null);
    }
}
