package org.deqbench.plan;

import java.util.List;

/**
 * One node of the stage graph: a stage run on one task and (for train, certify, attack) one method.
 *
 * @param id     unique id, also the node's folder under the run directory:
 *               {@code simulate/<task>}, {@code train/<task>/<method>}, …, {@code report}, and
 *               {@code train/joint/<method>} for a model trained on several tasks ({@code train_on})
 * @param stage  {@code simulate}, {@code train}, {@code certify}, {@code attack} or {@code report}
 * @param task   task name, or null for the report and for {@code train/joint/<method>}
 * @param method method name, or null for simulate and report
 * @param inputs ids of the nodes whose outputs this node reads
 * @param hash   hash of this node's spec section and its inputs' hashes (hex SHA-256); a completed
 *               node whose marker holds this hash is up to date
 * @param args   the exact command-line arguments of the {@code deqbench} executable that runs it
 * @param gpu    whether the node's work is a network's training or inference (train, certify and
 *               attack of a learned method), so that a deployment runs it on a GPU; baselines,
 *               simulate and report run on CPUs. Not part of the hash.
 */
public record PlanNode(String id, String stage, String task, String method, List<String> inputs,
                       String hash, List<String> args, boolean gpu) implements org.deqbench.track.TrackedNode {
    public PlanNode {
        inputs = List.copyOf(inputs);
        args = List.copyOf(args);
    }

    /** A node that needs no GPU. */
    public PlanNode(String id, String stage, String task, String method, List<String> inputs, String hash,
                    List<String> args) {
        this(id, stage, task, method, inputs, hash, args, false);
    }
}
