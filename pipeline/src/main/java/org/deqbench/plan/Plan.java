package org.deqbench.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The stage graph of one experiment, nodes in dependency order (every node after its inputs).
 * A pure function of the spec, the spec's path and the run directory; {@code deqbench plan} prints
 * it as JSON and both the local runner and the Airflow DAGs execute exactly these nodes.
 *
 * @param experiment experiment name
 * @param spec       spec file path as given
 * @param runDir     run directory as given
 * @param specHash   SHA-256 of the whole canonical spec
 * @param nodes      nodes in dependency order
 */
public record Plan(String experiment, String spec, @JsonProperty("run_dir") String runDir,
                   @JsonProperty("spec_hash") String specHash, List<PlanNode> nodes)
        implements org.deqbench.track.TrackedPlan {
    public Plan {
        nodes = List.copyOf(nodes);
    }

    public PlanNode node(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the plan of '" + experiment
                        + "' has no node '" + id + "'; nodes: " + nodes.stream().map(PlanNode::id).toList()));
    }
}
