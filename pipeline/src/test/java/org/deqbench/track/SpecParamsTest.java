package org.deqbench.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deqbench.plan.PlanNode;
import org.deqbench.spec.DeqSpec;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.MethodKind;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.SpecLoader;
import org.junit.jupiter.api.Test;

class SpecParamsTest {
    @Test
    void nestedSectionsBecomeDottedSnakeCaseKeys() {
        MethodSpec m = new MethodSpec("mol", MethodKind.MOL_LR, null, null, null, null,
                new DeqSpec(0.01, null, null, null, null, null, null, null, null, null), null, null);
        Map<String, String> p = SpecParams.flatten("method", m);
        assertEquals("0.01", p.get("method.deq.alpha"));
        assertEquals("100.0", p.get("method.deq.lambda"));
        assertEquals("500", p.get("method.deq.max_iterations"));
        assertEquals("mol-lr", p.get("method.kind"));
        assertEquals("mol", p.get("method.name"));
        assertEquals("[]", p.get("method.lambdas"), "a list of plain values is one JSON value");
        assertTrue(p.keySet().stream().anyMatch(k -> k.startsWith("method.lipschitz.")), p.keySet().toString());
        assertTrue(p.keySet().stream().allMatch(k -> k.matches("[a-z0-9_.]+")), p.keySet().toString());
        assertTrue(p.keySet().stream().allMatch(MlflowDelivery::validKey));
    }

    @Test
    void aNodeGetsItsTaskMethodAndStageSections() {
        ExperimentSpec spec = SpecLoader.parse(Path.of("t.yaml"), """
                name: e
                seed: 7
                tasks:
                  - name: mri
                    problem: mri
                    size: [32, 32]
                methods:
                  - name: cg
                    kind: cg-sense
                """);
        PlanNode certify = new PlanNode("certify/mri/cg", "certify", "mri", "cg", List.of(), "h", List.of());
        Map<String, String> p = SpecParams.forNode(spec, certify);
        assertEquals("7", p.get("experiment.seed"));
        assertEquals("[32,32]", p.get("task.size"));
        assertEquals("cg-sense", p.get("method.kind"));
        assertTrue(p.keySet().stream().anyMatch(k -> k.startsWith("certify.")), p.keySet().toString());
        assertFalse(p.keySet().stream().anyMatch(k -> k.startsWith("attack.")));
        PlanNode report = new PlanNode("report", "report", null, null, List.of(), "h", List.of());
        Map<String, String> r = SpecParams.forNode(spec, report);
        assertFalse(r.keySet().stream().anyMatch(k -> k.startsWith("task.") || k.startsWith("method.")));
        assertTrue(r.keySet().stream().anyMatch(k -> k.startsWith("report.")));
    }

    /**
     * Only the keys a kind reads become params: zero-filled gets none of the defaults the spec fills
     * for every kind (iterations, cg_iterations, lambdas); CG-SENSE its λ grid and CG steps but no
     * network; MOL-LR its network, training, deq and lipschitz sections but no λ grid.
     */
    @Test
    void aMethodLogsOnlyTheSectionsItsKindReads() {
        Map<String, String> zf = SpecParams.methodParams(new MethodSpec("zf", MethodKind.ZERO_FILLED, null, null, null,
                null, null, null, null));
        assertEquals(Map.of("method.name", "zf", "method.kind", "zero-filled"), zf);
        Map<String, String> cg = SpecParams.methodParams(new MethodSpec("cg", MethodKind.CG_SENSE, null, null, null,
                null, null, null, null));
        assertTrue(cg.containsKey("method.lambdas") && cg.containsKey("method.cg_iterations"), cg.toString());
        assertFalse(cg.containsKey("method.iterations"), cg.toString());
        Map<String, String> mol = SpecParams.methodParams(new MethodSpec("mol", MethodKind.MOL_LR, null, null, null,
                null, null, null, null));
        for (String section : List.of("network.", "training.", "deq.", "lipschitz.")) {
            assertTrue(mol.keySet().stream().anyMatch(k -> k.startsWith("method." + section)), section + " " + mol.keySet());
        }
        assertFalse(mol.containsKey("method.lambdas") || mol.containsKey("method.iterations"), mol.keySet().toString());
        // every key of the section is either logged or not read by that kind: nothing else is dropped
        Map<String, String> all = SpecParams.flatten("method", new MethodSpec("mol", MethodKind.MOL_LR, null, null, null,
                null, null, null, null));
        all.keySet().removeAll(mol.keySet());
        assertEquals(java.util.Set.of("method.lambdas", "method.iterations"), all.keySet());
    }
}
