package org.deqbench.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.SpecLoader;
import org.junit.jupiter.api.Test;

class PlannerTest {
    static final String SPEC = """
            name: tiny
            tasks:
              - {name: a, problem: mri, size: [16, 16], train: 2, test: 2, mri: {coils: 2, acceleration: 2}}
              - {name: b, problem: denoise, size: [16, 16], train: 2, test: 2, noise: {sigma: 0.1}}
            methods:
              - {name: zf, kind: zero-filled}
              - {name: cg, kind: cg-sense, lambdas: [0.01]}
            """;

    static ExperimentSpec spec(String yaml) {
        return SpecLoader.parse(Path.of("tiny.yaml"), yaml);
    }

    @Test
    void everyTaskAndMethodGetsItsNodesInDependencyOrder() {
        Plan plan = Planner.plan(spec(SPEC), "tiny.yaml", "runs/tiny");
        // 2 simulate + 2×2×(train, certify, attack) + report
        assertEquals(2 + 12 + 1, plan.nodes().size());
        Set<String> seen = new HashSet<>();
        for (PlanNode n : plan.nodes()) {
            assertTrue(seen.containsAll(n.inputs()), n.id() + " listed before its inputs " + n.inputs());
            seen.add(n.id());
        }
        PlanNode attack = plan.node("attack/b/cg");
        assertEquals(List.of("simulate/b", "train/b/cg", "certify/b/cg"), attack.inputs());
        assertEquals(List.of("attack", "--spec", "tiny.yaml", "--run-dir", "runs/tiny", "--task", "b", "--method", "cg"),
                attack.args());
        assertEquals("report", plan.nodes().get(plan.nodes().size() - 1).id());
        // 2 simulate (ground truth for the example figures) + 2×2×(train, certify, attack)
        assertEquals(2 + 12, plan.node("report").inputs().size());
    }

    @Test
    void planIsAPureFunctionOfTheSpec() {
        Plan p1 = Planner.plan(spec(SPEC), "tiny.yaml", "runs/tiny");
        Plan p2 = Planner.plan(spec(SPEC), "tiny.yaml", "runs/tiny");
        assertEquals(p1, p2);
    }

    @Test
    void changingOneMethodChangesOnlyItsNodesAndTheReport() {
        Map<String, String> before = hashes(Planner.plan(spec(SPEC), "t", "r"));
        Map<String, String> after = hashes(Planner.plan(spec(SPEC.replace("lambdas: [0.01]", "lambdas: [0.02]")), "t", "r"));
        Set<String> changed = before.keySet().stream().filter(k -> !before.get(k).equals(after.get(k)))
                .collect(Collectors.toSet());
        assertEquals(Set.of("train/a/cg", "certify/a/cg", "attack/a/cg", "train/b/cg", "certify/b/cg",
                "attack/b/cg", "report"), changed);
    }

    @Test
    void changingOneTaskChangesOnlyThatTasksNodesAndTheReport() {
        Map<String, String> before = hashes(Planner.plan(spec(SPEC), "t", "r"));
        Map<String, String> after = hashes(Planner.plan(spec(SPEC.replace("sigma: 0.1", "sigma: 0.2")), "t", "r"));
        for (String id : before.keySet()) {
            boolean shouldChange = id.contains("/b") || id.equals("report");
            assertEquals(shouldChange, !before.get(id).equals(after.get(id)), id);
        }
    }

    @Test
    void attackSettingsDoNotInvalidateTraining() {
        Map<String, String> before = hashes(Planner.plan(spec(SPEC), "t", "r"));
        Map<String, String> after = hashes(Planner.plan(spec(SPEC + "attack: {eps: [0.3]}\n"), "t", "r"));
        assertEquals(before.get("train/a/zf"), after.get("train/a/zf"));
        assertEquals(before.get("certify/a/zf"), after.get("certify/a/zf"));
        assertNotEquals(before.get("attack/a/zf"), after.get("attack/a/zf"));
    }

    private static Map<String, String> hashes(Plan p) {
        return p.nodes().stream().collect(Collectors.toMap(PlanNode::id, PlanNode::hash));
    }

    /**
     * The deployment and tracking sections change no node hash and are absent from the canonical
     * spec unless given (so the spec hash of every spec without them is what it was); the plan
     * exports the deployment settings (defaults when absent) and marks only learned methods'
     * network nodes as GPU nodes; bad values are refused naming the key.
     */
    @Test
    void deploymentAndTrackingSettingsLeaveNodeHashesAloneAndGpuNodesAreTheLearnedOnes() {
        String withMol = SPEC + "  - {name: mol, kind: mol-lr}\n";
        Plan plain = Planner.plan(spec(withMol), "t", "r");
        Plan deployed = Planner.plan(spec(withMol + """
                tracking: {upload_arrays: true}
                deployment: {gpu_pool: gpus-a100, execution_timeout_minutes: 90, max_active_tasks: 3}
                """), "t", "r");
        assertEquals(hashes(plain), hashes(deployed));
        assertTrue(!SpecLoader.canonicalJson(spec(withMol)).contains("deployment")
                && !SpecLoader.canonicalJson(spec(withMol)).contains("tracking"));
        assertEquals(org.deqbench.spec.DeploymentSpec.DEFAULT, plain.deployment());
        assertEquals(new org.deqbench.spec.DeploymentSpec("gpus-a100", 90, 3), deployed.deployment());
        assertTrue(spec(withMol + "tracking: {upload_arrays: true}\n").trackingSettings().uploadArrays());
        assertTrue(!spec(withMol).trackingSettings().uploadArrays());
        Set<String> gpu = plain.nodes().stream().filter(PlanNode::gpu).map(PlanNode::id).collect(Collectors.toSet());
        assertEquals(Set.of("train/a/mol", "certify/a/mol", "attack/a/mol", "train/b/mol", "certify/b/mol",
                "attack/b/mol"), gpu);
        String problems = String.join("\n", org.deqbench.spec.SpecValidator.validate(
                spec(withMol + "deployment: {max_active_tasks: 0, gpu_pool: 'a b'}\n"), Path.of(".")));
        assertTrue(problems.contains("deployment.max_active_tasks") && problems.contains("deployment.gpu_pool"), problems);
        assertEquals(List.of(), org.deqbench.spec.SpecValidator.validate(spec(withMol), Path.of(".")));
    }
}
