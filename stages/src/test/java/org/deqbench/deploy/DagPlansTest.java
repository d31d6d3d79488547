package org.deqbench.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.deqbench.plan.Plan;
import org.deqbench.plan.Planner;
import org.deqbench.plan.RunStore;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.SpecLoader;
import org.junit.jupiter.api.Test;

/**
 * The DAGs are generated from the JSON plans under dags/plans/; these must be exactly what the
 * planner computes today for experiments/*.yaml (spec path relative to the repository root, which
 * is the image's working directory; run directory /runs/&lt;experiment&gt;), or the DAGs would run a
 * stale graph. On a mismatch the expected plans are written to stages/target/expected-plans/.
 */
class DagPlansTest {
    private static final Path ROOT = RepositoryLayout.root();

    private static Plan exportedPlan(Path specFile, String specPathInImage) {
        ExperimentSpec spec = SpecLoader.load(specFile);
        return Planner.plan(spec, specPathInImage, "/runs/" + spec.name());
    }

    private static List<String> compare(Plan expected, Path committed) throws IOException {
        JsonNode want = RunStore.JSON.valueToTree(expected);
        if (!Files.isRegularFile(committed)) {
            write(expected);
            return List.of(ROOT.relativize(committed) + " is missing");
        }
        JsonNode have = RunStore.JSON.readTree(committed.toFile());
        if (!want.equals(have)) {
            write(expected);
            return List.of(ROOT.relativize(committed) + " differs from the plan of " + expected.spec());
        }
        return List.of();
    }

    private static void write(Plan plan) throws IOException {
        Path out = Files.createDirectories(ROOT.resolve("stages/target/expected-plans"));
        RunStore.JSON.writeValue(out.resolve(plan.experiment() + ".json").toFile(), plan);
    }

    private static List<Path> specs() throws IOException {
        try (Stream<Path> s = Files.list(ROOT.resolve("experiments"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @Test
    void committedPlansAreWhatThePlannerComputesForEveryExperiment() throws IOException {
        List<String> stale = new ArrayList<>();
        Set<String> expectedFiles = new TreeSet<>();
        List<Path> specs = specs();
        assertFalse(specs.isEmpty(), "no experiments/*.yaml");
        for (Path spec : specs) {
            Plan plan = exportedPlan(spec, ROOT.relativize(spec).toString().replace('\\', '/'));
            expectedFiles.add(plan.experiment() + ".json");
            stale.addAll(compare(plan, ROOT.resolve("dags/plans").resolve(plan.experiment() + ".json")));
        }
        Set<String> committed = new TreeSet<>();
        try (Stream<Path> s = Files.list(ROOT.resolve("dags/plans"))) {
            s.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .forEach(p -> committed.add(p.getFileName().toString()));
        }
        committed.removeAll(expectedFiles);
        committed.forEach(f -> stale.add("dags/plans/" + f + " has no experiment spec in experiments/"));
        if (!stale.isEmpty()) {
            fail("dags/plans/ is stale:\n  " + String.join("\n  ", stale)
                    + "\nRegenerate with dags/export_plans.sh (expected plans also written to stages/target/expected-plans/)");
        }
    }

    @Test
    void dagTestFixturePlanIsThePlanOfTheTinySpec() throws IOException {
        Path spec = ROOT.resolve("stages/src/test/resources/experiments/tiny.yaml");
        Plan plan = exportedPlan(spec, "experiments/tiny.yaml");
        List<String> stale = compare(plan, ROOT.resolve("dags/tests/fixtures/plans/tiny.json"));
        assertTrue(stale.isEmpty(), stale + "; the expected plan is in stages/target/expected-plans/tiny.json");
        // The fixture exercises the fan-out: 2 tasks x 2 methods x (train, certify, attack) + 2 simulate + report.
        assertEquals(2 + 2 * 2 * 3 + 1, plan.nodes().size());
    }
}
