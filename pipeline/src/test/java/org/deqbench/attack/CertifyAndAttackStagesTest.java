package org.deqbench.attack;

import org.deqbench.stage.AttackStage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deqbench.stage.CertifyStage;
import org.deqbench.stage.SimulateStage;
import org.deqbench.plan.NodeExecutor;
import org.deqbench.stage.TrainStage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * simulate → train → certify → attack on a tiny MRI task (12×12, 2 coils) for zero-filled,
 * CG-SENSE and a MOL-SN trained for one epoch: the stages' files say what they should, and no
 * attack exceeds a certificate.
 */
class CertifyAndAttackStagesTest {
    @TempDir
    static Path tmp;
    static Path run;

    static final String SPEC = """
            name: tiny-attack
            seed: 11
            tasks:
              - name: mri
                problem: mri
                size: [12, 12]
                train: 4
                test: 2
                noise: {sigma: 0.01}
                mri: {coils: 2, acceleration: 2, centre_fraction: 0.25}
            methods:
              - name: zero-filled
                kind: zero-filled
              - name: cg-sense
                kind: cg-sense
                lambdas: [0.01, 0.1]
              - name: mol-sn
                kind: mol-sn
                network: {layers: 2, channels: 4, lipschitz_target: 0.9}
                deq: {alpha: 0.5, lambda: 20, max_iterations: 80, tolerance: 1.0e-4, solver: anderson}
                training: {epochs: 1, batch_size: 2, learning_rate: 1.0e-3}
            certify: {images: 2, power_iterations: 30, tolerance: 1.0e-8}
            attack: {eps: [0.01, 0.1], steps: 8, restarts: 2, images: 2}
            """;

    @BeforeAll
    static void runStages() throws Exception {
        Path spec = tmp.resolve("tiny.yaml");
        Files.writeString(spec, SPEC);
        run = tmp.resolve("run");
        NodeExecutor.run(new SimulateStage(), spec, run, "mri", null, false);
        for (String m : new String[] {"zero-filled", "cg-sense", "mol-sn"}) {
            NodeExecutor.run(new TrainStage(), spec, run, "mri", m, false);
            NodeExecutor.run(new CertifyStage(), spec, run, "mri", m, false);
            NodeExecutor.run(new AttackStage(), spec, run, "mri", m, false);
        }
    }

    private static JsonNode json(String node, String file) throws Exception {
        return new ObjectMapper().readTree(run.resolve(node).resolve(file).toFile());
    }

    /**
     * MOL-SN's certificate: L(H) proven below 1 from the trained weights, both terms of
     * min(λ‖A‖/m, ½√(λ/m)) written, the smaller one reported and named as binding, the step
     * contracting; the train node's uniqueness check found the same fixed point from two starts.
     */
    @Test
    void molSnCertificateIsTheSmallerProvenTerm() throws Exception {
        JsonNode c = json("certify/mri/mol-sn", "certificate.json");
        assertEquals("certificate", c.get("kind").asText(), c.toString());
        double l = c.get("lipschitz_h").asDouble();
        assertTrue(l > 0 && l < 1, "L(H) = " + l);
        double first = c.get("lambda_norm_a_over_m").asDouble();
        double second = c.get("half_sqrt_lambda_over_m").asDouble();
        double lambda = c.get("lambda").asDouble();
        assertEquals(0.5 * Math.sqrt(lambda / (1 - l)), second, 1e-12 * second);
        assertEquals(Math.min(first, second), c.get("lipschitz_upper").asDouble(), 1e-12 * second);
        assertEquals(first < second ? "lambda_norm_a_over_m" : "half_sqrt_lambda_over_m", c.get("binding_term").asText());
        assertTrue(c.get("alpha_contracts").asBoolean());
        assertEquals(1 - 0.5 * (1 - l), c.get("contraction_factor").asDouble(), 1e-12);
        JsonNode method = json("train/mri/mol-sn", "method.json");
        assertTrue(method.get("fixed_point_uniqueness_gap").asDouble() < 1e-3,
                "uniqueness gap " + method.get("fixed_point_uniqueness_gap"));
        // the train node's bound is the same proven quantity (same image size; the loaded network
        // recomputes its float32 weights W = cV/σ from the saved raw ones, hence 1e-6, not 1e-12)
        assertEquals(l, method.get("lipschitz_bound_h").asDouble(), 1e-6 * l);
    }

    /**
     * Every attack stays within the certified bound it is checked against; the linear baselines'
     * attacks reach 99 % of the Lanczos lower bound of the certify node (their exact norm to
     * 1e-8); MOL-SN is attacked with the implicit backward and a measured solver-noise floor.
     */
    @Test
    void attacksStayWithinCertificatesAndReachTheLinearNorms() throws Exception {
        for (String m : new String[] {"zero-filled", "cg-sense", "mol-sn"}) {
            JsonNode cert = json("certify/mri/" + m, "certificate.json");
            JsonNode attack = json("attack/mri/" + m, "attack.json");
            assertEquals("certificate", cert.get("kind").asText(), m + ": " + cert);
            double bound = attack.get("certified_bound").asDouble();
            for (JsonNode r : attack.get("results")) {
                double worst = r.get("amplification_worst").asDouble();
                assertTrue(worst <= bound, m + " eps " + r.get("eps") + ": " + worst + " > certificate " + bound);
                assertTrue(r.get("within_certificate").asBoolean(), m);
                assertTrue(worst >= r.get("amplification_gaussian").asDouble() * (1 - 1e-9), m + ": worst below Gaussian");
                if (!m.equals("mol-sn")) {
                    double lower = cert.get("lipschitz_lower").asDouble();
                    assertTrue(worst >= 0.99 * lower, m + ": " + worst + " < 0.99 x " + lower);
                }
            }
            System.out.printf("%s: certified %.4g, worst %s%n", m, bound, attack.get("results").findValues("amplification_worst"));
        }
        JsonNode mol = json("attack/mri/mol-sn", "attack.json");
        assertEquals("implicit", mol.get("solver").get("backward").asText());
        assertEquals(1e-5, mol.get("solver").get("tolerance").asDouble(), 0.0);
        for (JsonNode r : mol.get("results")) {
            assertNotNull(r.get("solver_noise_amplification"));
            assertTrue(r.get("solver_noise_amplification").asDouble() < 0.1 * r.get("amplification_worst").asDouble(),
                    "solver noise " + r.get("solver_noise_amplification") + " vs " + r.get("amplification_worst"));
        }
    }

    /**
     * What the nodes logged (the run log holds what MLflow receives): attack results carry ε in the
     * metric name ({@code attack.amplification_worst.eps_0.01}, one value each at step 0), never
     * the ε index as step; training logs {@code epoch} at every global step beside the step
     * metrics, with the same steps as {@code train_loss}; params hold only the sections a method's
     * kind reads.
     */
    @Test
    void metricsUseOneAxisPerFamilyAndEpsInTheName() {
        org.deqbench.track.RunLog log = org.deqbench.track.RunLogReader.read(run);
        var attack = log.latest("attack/mri/cg-sense").orElseThrow();
        for (String name : new String[] {"amplification_worst", "amplification_gaussian"}) {
            assertTrue(attack.metricKeys().containsAll(java.util.Set.of("attack." + name + ".eps_0.01",
                    "attack." + name + ".eps_0.1")), attack.metricKeys().toString());
            assertTrue(attack.metricKeys().stream().noneMatch(k -> k.equals(name)), attack.metricKeys().toString());
        }
        var worst = attack.metric("attack.amplification_worst.eps_0.1");
        assertEquals(1, worst.size());
        assertEquals(0, worst.get(0).step());
        var train = log.latest("train/mri/mol-sn").orElseThrow();
        var epochs = train.metric("epoch");
        var losses = train.metric("train_loss");
        assertTrue(!losses.isEmpty());
        assertEquals(losses.stream().map(m -> m.step()).toList(), epochs.stream().map(m -> m.step()).toList());
        assertTrue(epochs.stream().allMatch(m -> m.value() == 0.0), "one epoch, index 0: " + epochs);
        assertTrue(log.latest("train/mri/zero-filled").orElseThrow().params().keySet().stream()
                .noneMatch(k -> k.equals("method.iterations") || k.startsWith("method.deq.")));
        assertTrue(train.params().keySet().stream().anyMatch(k -> k.startsWith("method.deq.")));
    }

    /**
     * A train node records the simulated data it consumed as a dataset input: the simulate node's
     * id, the first 16 hex digits of its manifest's SHA-256 and its folder.
     */
    @Test
    void trainNodesRecordTheSimulatedDataAsDatasetInputs() throws Exception {
        var train = org.deqbench.track.RunLogReader.read(run).latest("train/mri/zero-filled").orElseThrow();
        var inputs = train.records().stream().filter(r -> r instanceof org.deqbench.track.RunRecord.Inputs)
                .map(r -> (org.deqbench.track.RunRecord.Inputs) r).toList();
        assertEquals(1, inputs.size());
        var d = inputs.get(0).datasets().get(0);
        assertEquals("simulate/mri", d.name());
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        String sha = java.util.HexFormat.of().formatHex(md.digest(Files.readAllBytes(
                run.resolve("simulate/mri/manifest.json"))));
        assertEquals(sha.substring(0, 16), d.digest());
        assertTrue(d.source().contains(run.resolve("simulate/mri").toAbsolutePath().toString()), d.source());
        assertEquals("train", d.context());
    }
}
