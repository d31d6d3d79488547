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
        Tracker t = Trackers.forNode(runDir, plan, plan.node("train/t/m"), TrackingFixture.env(args[1]));
        for (int i = 0; i < 10; i++) {
            t.logMetric("loss", 1.0 / (i + 1), i);
        }
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(120_000);
        t.finish(Tracker.Status.FINISHED, null);
    }
}
