package org.deqbench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import org.deqbench.spec.MethodCatalog;
import org.deqbench.spec.MethodKind;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.SpecLoader;
import org.junit.jupiter.api.Test;

/**
 * Which keys of its spec section each method reads (what tracking logs as params): the kind's
 * implied sections plus those its registered implementation declares.
 */
class MethodSpecKeysTest {
    private static final Set<String> BASE = Set.of("name", "kind");
    private static final Set<String> LEARNED = Set.of("name", "kind", "network", "training");
    private static final Set<String> EQUILIBRIUM = Set.of("name", "kind", "network", "training", "deq");

    private static Set<String> with(Set<String> base, String... more) {
        Set<String> out = new java.util.HashSet<>(base);
        out.addAll(Set.of(more));
        return Set.copyOf(out);
    }

    @Test
    void everyKindReadsItsImpliedSectionsAndItsImplementationsKeys() {
        Map<MethodKind, Set<String>> expected = new EnumMap<>(MethodKind.class);
        expected.put(MethodKind.ZERO_FILLED, BASE);
        expected.put(MethodKind.CG_SENSE, with(BASE, "lambdas", "cg_iterations"));
        expected.put(MethodKind.TV, with(BASE, "lambdas", "iterations"));
        expected.put(MethodKind.MODL, with(LEARNED, "iterations", "cg_iterations"));
        expected.put(MethodKind.DEQ, with(EQUILIBRIUM, "cg_iterations"));
        expected.put(MethodKind.MOL_SN, with(EQUILIBRIUM, "cg_iterations"));
        expected.put(MethodKind.MOL_LR, with(EQUILIBRIUM, "cg_iterations", "lipschitz"));
        expected.put(MethodKind.DEQ_GD, with(EQUILIBRIUM, "cg_iterations", "error_bound"));
        expected.put(MethodKind.RERG, with(EQUILIBRIUM, "cg_iterations", "error_bound"));
        expected.put(MethodKind.ELDER, EQUILIBRIUM);
        expected.put(MethodKind.PNP, with(EQUILIBRIUM, "denoiser"));
        expected.put(MethodKind.RED, with(EQUILIBRIUM, "lambdas", "denoiser"));
        MethodCatalog installed = MethodCatalog.installed();
        for (MethodKind kind : MethodKind.values()) {
            assertEquals(expected.get(kind), Set.copyOf(installed.specKeys(kind)), kind.key());
        }
    }

    /** Every key a method declares is a key of the spec's method section, spelt as in the YAML. */
    @Test
    void declaredKeysAreKeysOfTheMethodSection() {
        var json = SpecLoader.canonicalMapper();
        Set<String> section = json.getSerializationConfig().introspect(json.constructType(MethodSpec.class))
                .findProperties().stream().map(p -> p.getName()).collect(java.util.stream.Collectors.toSet());
        assertTrue(section.containsAll(Set.of("lambdas", "cg_iterations", "deq")), "snake_case names: " + section);
        for (MethodKind kind : MethodKind.values()) {
            for (String key : MethodRegistry.of(kind).specKeys()) {
                assertTrue(section.contains(key), kind.key() + " declares '" + key + "', not a key of " + section);
            }
        }
    }
}
