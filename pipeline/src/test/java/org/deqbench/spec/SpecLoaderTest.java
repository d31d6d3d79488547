package org.deqbench.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecLoaderTest {
    @TempDir
    Path dir;

    private static final String VALID = """
            name: tiny
            seed: 7
            tasks:
              - name: mri
                problem: mri
                size: [16, 16]
                train: 2
                test: 2
                noise: {sigma: 0.01}
                mri: {coils: 2, acceleration: 2, centre_fraction: 0.25}
            methods:
              - {name: zf, kind: zero-filled}
              - {name: cg, kind: cg-sense, lambdas: [0.01, 0.1]}
            """;

    private Path write(String yaml) throws IOException {
        Path f = dir.resolve("spec.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private SpecException failure(String yaml) throws IOException {
        Path f = write(yaml);
        return assertThrows(SpecException.class, () -> SpecLoader.load(f));
    }

    @Test
    void parsesValidSpecWithDefaults() throws IOException {
        ExperimentSpec s = SpecLoader.load(write(VALID));
        assertEquals("tiny", s.name());
        assertEquals(7L, s.seed());
        TaskSpec t = s.task("mri");
        assertEquals(Problem.MRI, t.problem());
        assertEquals(2, t.mri().coils());
        assertEquals("cartesian", t.mri().mask());
        assertEquals(MethodKind.CG_SENSE, s.method("cg").kind());
        assertEquals(java.util.List.of(0.01, 0.1), s.method("cg").lambdas());
        assertEquals(AttackSpec.DEFAULT.eps(), s.attack().eps());
    }

    @Test
    void everyExperimentInTheRepositoryValidates() throws IOException {
        Path experiments = Path.of("..", "experiments");
        try (var files = Files.list(experiments)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                SpecLoader.load(f);
            }
        }
    }

    @Test
    void unknownKeyNamesFileAndPath() throws IOException {
        SpecException e = failure(VALID.replace("coils: 2", "coils: 2, colis: 3"));
        assertTrue(e.getMessage().contains("spec.yaml"), e.getMessage());
        assertTrue(e.getMessage().contains("tasks[0].mri.colis: unknown key"), e.getMessage());
        assertTrue(e.getMessage().contains("coils"), "lists the known keys: " + e.getMessage());
    }

    @Test
    void wrongTypeNamesPathAndExpectedType() throws IOException {
        SpecException e = failure(VALID.replace("train: 2", "train: many"));
        assertTrue(e.getMessage().contains("tasks[0].train: expected an integer"), e.getMessage());
    }

    @Test
    void numberGivenForStringIsRejected() throws IOException {
        SpecException e = failure(VALID.replace("name: tiny", "name: 12"));
        assertTrue(e.getMessage().contains("name"), e.getMessage());
    }

    @Test
    void accelerationBelowOneIsRejected() throws IOException {
        SpecException e = failure(VALID.replace("acceleration: 2", "acceleration: 0.5"));
        assertTrue(e.getMessage().contains("tasks[0].mri.acceleration: expected an acceleration ≥ 1, found 0.5"), e.getMessage());
    }

    @Test
    void negativeNoiseIsRejected() throws IOException {
        SpecException e = failure(VALID.replace("sigma: 0.01", "sigma: -1"));
        assertTrue(e.getMessage().contains("tasks[0].noise.sigma: expected a standard deviation ≥ 0, found -1.0"), e.getMessage());
    }

    @Test
    void everyMethodKindRunsAndAnUnknownKindIsRejectedBeforeAnythingRuns() throws IOException {
        // every kind the spec knows has a registered implementation in this build
        assertEquals(java.util.Set.of(MethodKind.values()), java.util.Set.copyOf(MethodCatalog.installed().runnable()));
        SpecException e = failure(VALID.replace("{name: zf, kind: zero-filled}", "{name: r, kind: unet}"));
        assertTrue(e.getMessage().contains("methods[0].kind") && e.getMessage().contains("'unet'")
                && e.getMessage().contains("rerg"), e.getMessage());
    }

    @Test
    void unknownProblemListsTheChoices() throws IOException {
        SpecException e = failure(VALID.replace("problem: mri", "problem: ct"));
        assertTrue(e.getMessage().contains("tasks[0].problem"), e.getMessage());
        assertTrue(e.getMessage().contains("super-resolution"), e.getMessage());
    }

    @Test
    void missingSourceFileIsRejectedBeforeAnythingRuns() throws IOException {
        SpecException e = failure(VALID.replace("noise: {sigma: 0.01}",
                "noise: {sigma: 0.01}\n    source: {type: hdf5, path: nowhere.h5}"));
        assertTrue(e.getMessage().contains("tasks[0].source.path: expected an existing file"), e.getMessage());
    }

    @Test
    void missingSpecFileIsReported() {
        SpecException e = assertThrows(SpecException.class, () -> SpecLoader.load(dir.resolve("absent.yaml")));
        assertTrue(e.getMessage().contains("absent.yaml: file not found"), e.getMessage());
    }

    @Test
    void malformedYamlIsReportedWithLine() throws IOException {
        SpecException e = failure("name: x\ntasks: [\n");
        assertTrue(e.getMessage().contains("not valid YAML") || e.getMessage().contains("line"), e.getMessage());
    }

    @Test
    void duplicateNamesAndEmptyListsAreRejected() throws IOException {
        SpecException e = failure(VALID.replace("name: cg,", "name: zf,"));
        assertTrue(e.getMessage().contains("methods[1].name: expected a name not used by another method"), e.getMessage());
        SpecException empty = failure("name: x\ntasks: []\nmethods: []\n");
        assertEquals(2, empty.problems().size(), empty.getMessage());
    }

    @Test
    void sectionsThatDoNotApplyAreRejected() throws IOException {
        SpecException e = failure(VALID.replace("{name: zf, kind: zero-filled}",
                "{name: zf, kind: zero-filled, training: {epochs: 3}}"));
        assertTrue(e.getMessage().contains("methods[0].training: expected no training section"), e.getMessage());
    }

    @Test
    void learnedMethodSettingsAreChecked() throws IOException {
        SpecException e = failure(VALID.replace("{name: cg, kind: cg-sense, lambdas: [0.01, 0.1]}",
                "{name: m, kind: mol-sn, network: {lipschitz_target: 1.5}, deq: {solver: newton}}"));
        assertTrue(e.getMessage().contains("methods[1].network.lipschitz_target: expected a bound in (0, 1)"), e.getMessage());
        assertTrue(e.getMessage().contains("methods[1].deq.solver"), e.getMessage());
    }

    /**
     * The denoiser section of pnp and red: defaulted for them, refused elsewhere, σ checked; a
     * method without the section serialises without a "denoiser" key, so the canonical JSON (and
     * plan hash) of every other method is what it was before the section existed.
     */
    @Test
    void denoiserSectionIsValidatedAndLeftOutOfOtherMethodsCanonicalJson() throws IOException {
        ExperimentSpec ok = SpecLoader.load(write(VALID.replace("{name: zf, kind: zero-filled}",
                "{name: p, kind: pnp, network: {layers: 2, channels: 4}}")));
        assertEquals(0.05, ok.methods().get(0).denoiser().sigma());
        assertTrue(SpecLoader.canonicalJson(ok.methods().get(0)).contains("\"denoiser\":{\"sigma\":0.05}"));
        assertTrue(!SpecLoader.canonicalJson(ok.methods().get(1)).contains("denoiser"),
                SpecLoader.canonicalJson(ok.methods().get(1)));
        SpecException e = failure(VALID.replace("{name: zf, kind: zero-filled}",
                "{name: r, kind: red, denoiser: {sigma: -0.1}}"));
        assertTrue(e.getMessage().contains("methods[0].denoiser.sigma: expected a number > 0, found -0.1"), e.getMessage());
        e = failure(VALID.replace("{name: zf, kind: zero-filled}",
                "{name: m, kind: modl, denoiser: {sigma: 0.1}}"));
        assertTrue(e.getMessage().contains("methods[0].denoiser: expected no denoiser section for method kind modl"),
                e.getMessage());
    }

    @Test
    void canonicalJsonIsStableAndSorted() throws IOException {
        ExperimentSpec a = SpecLoader.load(write(VALID));
        ExperimentSpec b = SpecLoader.load(write(VALID));
        assertEquals(SpecLoader.canonicalJson(a), SpecLoader.canonicalJson(b));
        assertTrue(SpecLoader.canonicalJson(a.task("mri").mri()).startsWith("{\"acceleration\""));
    }

    /** The attack's and MOL's new keys are validated with the key path and what was expected. */
    @Test
    void attackAndMolOptionsAreValidated() throws IOException {
        SpecException e = failure(VALID + "attack: {eps: [0.01], step_size: 0, restarts: 0}\n");
        assertTrue(e.getMessage().contains("attack.step_size: expected a finite step size > 0"), e.getMessage());
        assertTrue(e.getMessage().contains("attack.restarts"), e.getMessage());
        e = failure(VALID + "attack: {solver_tolerance: 2}\n");
        assertTrue(e.getMessage().contains("attack.solver_tolerance: expected a relative tolerance in (0, 1)"), e.getMessage());
        String mol = VALID.replace("  - {name: cg, kind: cg-sense, lambdas: [0.01, 0.1]}",
                "  - {name: lr, kind: mol-lr, training: {loss: l1}, lipschitz: {ascent: adam}}");
        e = failure(mol);
        assertTrue(e.getMessage().contains("methods[1].training.loss: expected one of [mse, magnitude-mse], found 'l1'"),
                e.getMessage());
        assertTrue(e.getMessage().contains("methods[1].lipschitz.ascent: expected one of [local, official], found 'adam'"),
                e.getMessage());
    }
}
