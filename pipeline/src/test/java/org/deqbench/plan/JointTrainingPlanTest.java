package org.deqbench.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.track.SpecParams;
import org.junit.jupiter.api.Test;

/** The plan of a method trained on several tasks ({@code train_on}), and of specs without one. */
class JointTrainingPlanTest {
    /** Tasks a and b share 16×16 real images; c is another task the joint method does not list. */
    static final String SPEC = """
            name: tiny
            tasks:
              - {name: a, problem: denoise, size: [16, 16], train: 4, test: 2, noise: {sigma: 0.1}}
              - {name: b, problem: inpaint, size: [16, 16], train: 4, test: 2, noise: {sigma: 0.01}}
              - {name: c, problem: deblur, size: [16, 16], train: 4, test: 2, noise: {sigma: 0.01}}
            methods:
              - {name: tv, kind: tv, lambdas: [0.01], iterations: 5}
              - {name: g, kind: rerg, train_on: [a, b], network: {layers: 2, channels: 4}}
            """;

    private static ExperimentSpec spec(String yaml) {
        return PlannerTest.spec(yaml);
    }

    private static Map<String, String> hashes(Plan p) {
        return p.nodes().stream().collect(Collectors.toMap(PlanNode::id, PlanNode::hash));
    }

    /**
     * A spec without {@code train_on} plans the node ids and hashes it did before {@code train_on}
     * existed, so run directories made then still resume: the hashes below were printed by the
     * planner of the release before it, for PlannerTest's spec plus a learned method.
     */
    @Test
    void aSpecWithoutTrainOnKeepsTheNodeIdsAndHashesOfEarlierRuns() {
        Plan plan = Planner.plan(spec(PlannerTest.SPEC + "  - {name: g, kind: deq-gd, network: {layers: 2, channels: 4}}\n"),
                "tiny.yaml", "runs/tiny");
        Map<String, String> h = hashes(plan);
        assertEquals(2 + 2 * 3 * 3 + 1, plan.nodes().size());
        assertEquals("e9c49a12796d3051d9483dd43395c2300808d9b17eaa65e4d554524c6cbf4b6a", h.get("simulate/a"));
        assertEquals("9fe2db9bd660756346ff181e5f6be241b2d3d7375ef63f23da9bbfdce6e8b20f", h.get("train/a/g"));
        assertEquals("aa01e6176c07b40dd20321aef21b022e1a72de311e39a1056678563403382943", h.get("train/b/cg"));
        assertEquals("e135cf56a35862d693ff113c0014587aa576e331a9b8bd65635be3a630dcbe4a", h.get("attack/b/g"));
        assertEquals("f9cda312bc9ac6068da31f5ba7d186aa74b38a25991e4c92250dcdc09be47b27", h.get("report"));
    }

    @Test
    void oneSharedTrainNodeDependsOnEveryListedTaskAndEachTaskReadsIt() {
        Plan plan = Planner.plan(spec(SPEC), "tiny.yaml", "runs/tiny");
        Set<String> seen = new HashSet<>();
        for (PlanNode n : plan.nodes()) {
            assertTrue(seen.containsAll(n.inputs()), n.id() + " listed before its inputs " + n.inputs());
            seen.add(n.id());
        }
        PlanNode joint = plan.node("train/joint/g");
        assertEquals(List.of("simulate/a", "simulate/b"), joint.inputs());
        assertEquals("train", joint.stage());
        assertEquals(null, joint.task());
        assertEquals(List.of("train", "--spec", "tiny.yaml", "--run-dir", "runs/tiny", "--task", "joint", "--method", "g"),
                joint.args());
        assertTrue(joint.gpu(), "the shared node trains a network");
        for (String t : List.of("a", "b")) {
            PlanNode share = plan.node("train/" + t + "/g");
            assertEquals(List.of("simulate/" + t, "train/joint/g"), share.inputs());
            assertFalse(share.gpu(), "a share only copies files");
            assertEquals(List.of("simulate/" + t, "train/" + t + "/g"), plan.node("certify/" + t + "/g").inputs());
            assertTrue(plan.node("report").inputs().containsAll(List.of("train/" + t + "/g", "attack/" + t + "/g")));
        }
        // the joint method runs on its listed tasks only; tv on every task
        assertFalse(plan.nodes().stream().anyMatch(n -> n.id().endsWith("c/g")), "g is not planned on task c");
        assertTrue(plan.nodes().stream().anyMatch(n -> n.id().equals("attack/c/tv")));
        // 3 simulate + tv 3×3 + joint 1 + g 2×3 + report
        assertEquals(3 + 9 + 1 + 6 + 1, plan.nodes().size());
        assertEquals(1, plan.nodes().stream().filter(n -> n.id().startsWith("train/joint/")).count());
    }

    @Test
    void newDataForOneListedTaskRetrainsTheSharedModelAndNothingOfOtherTasks() {
        Map<String, String> before = hashes(Planner.plan(spec(SPEC), "tiny.yaml", "runs/tiny"));
        Map<String, String> after = hashes(Planner.plan(spec(SPEC.replace("sigma: 0.1}", "sigma: 0.2}")),
                "tiny.yaml", "runs/tiny"));
        assertEquals(before.keySet(), after.keySet());
        for (String id : List.of("simulate/a", "train/joint/g", "train/a/g", "train/b/g", "certify/b/g", "attack/b/g",
                "train/a/tv", "report")) {
            assertNotEquals(before.get(id), after.get(id), id + " depends on task a's data");
        }
        for (String id : List.of("simulate/b", "simulate/c", "train/b/tv", "train/c/tv", "attack/c/tv")) {
            assertEquals(before.get(id), after.get(id), id + " does not depend on task a");
        }
        // and the list itself: training on a and c instead is another model
        Map<String, String> other = hashes(Planner.plan(spec(SPEC.replace("train_on: [a, b]", "train_on: [a, b, c]")),
                "tiny.yaml", "runs/tiny"));
        assertNotEquals(before.get("train/joint/g"), other.get("train/joint/g"));
        assertEquals(before.get("train/a/tv"), other.get("train/a/tv"));
    }

    @Test
    void theSharedNodesTrackedParamsListItsTasks() {
        ExperimentSpec s = spec(SPEC);
        Plan plan = Planner.plan(s, "tiny.yaml", "runs/tiny");
        assertEquals("a,b", SpecParams.forNode(s, plan.node("train/joint/g")).get("method.train_on"));
        assertEquals("a,b", SpecParams.forNode(s, plan.node("attack/b/g")).get("method.train_on"));
        assertFalse(SpecParams.forNode(s, plan.node("train/a/tv")).containsKey("method.train_on"));
    }
}
