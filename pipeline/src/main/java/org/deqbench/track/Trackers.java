package org.deqbench.track;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deqbench.plan.Plan;
import org.deqbench.plan.PlanNode;

/** Opens the tracker of a node: the local run log, plus MLflow when configured. */
public final class Trackers {
    private Trackers() {
    }

    /** The run log file of a node: {@code <runDir>/runlog/<node id with '/' as '+'>.jsonl}. */
    public static Path runLogFile(Path runDir, String nodeId) {
        return runDir.resolve("runlog").resolve(nodeId.replace('/', '+') + ".jsonl");
    }

    public static Tracker forNode(Path runDir, Plan plan, PlanNode node) {
        Map<String, String> start = new LinkedHashMap<>();
        start.put("experiment", plan.experiment());
        start.put("node", node.id());
        start.put("stage", node.stage());
        if (node.task() != null) {
            start.put("task", node.task());
        }
        if (node.method() != null) {
            start.put("method", node.method());
        }
        start.put("hash", node.hash());
        return new RunLogTracker(runLogFile(runDir, node.id()), start);
    }
}
