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
 * @param deployment how a deployment (the Airflow DAGs) runs the nodes: GPU pool, time limit per
 *                   node, parallel nodes; the spec's {@code deployment} section or its defaults
 */
public record Plan(String experiment, String spec, @JsonProperty("run_dir") String runDir,
                   @JsonProperty("spec_hash") String specHash, List<PlanNode> nodes,
                   org.deqbench.spec.DeploymentSpec deployment)
        implements org.deqbench.track.TrackedPlan {
    public Plan {
        nodes = List.copyOf(nodes);
        deployment = deployment == null ? org.deqbench.spec.DeploymentSpec.DEFAULT : deployment;
    }

    /** A plan with the default deployment settings. */
    public Plan(String experiment, String spec, String runDir, String specHash, List<PlanNode> nodes) {
        this(experiment, spec, runDir, specHash, nodes, null);
    }

    public PlanNode node(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the plan of '" + experiment
                        + "' has no node '" + id + "'; nodes: " + nodes.stream().map(PlanNode::id).toList()));
    }
}
