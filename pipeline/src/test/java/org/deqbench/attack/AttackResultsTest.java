package org.deqbench.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** attack.json keeps its keys: files written before the record existed read, and write back unchanged. */
class AttackResultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anEquilibriumMethodsSweepRoundTripsWithEveryKey() throws Exception {
        String old = """
                {"task": "mri", "method": "mol-sn", "certified_bound": 2.5, "attack": "projected gradient ascent",
                 "steps": 5, "restarts": 2, "step_size": 0.5,
                 "solver": {"backward": "implicit", "tolerance": 1e-6, "max_iterations": 400, "backward_tolerance": 1e-6,
                            "backward_max_iterations": 400, "trained_with": "implicit, tolerance 1e-4"},
                 "images": 1,
                 "results": [{"eps": 0.01, "amplification_worst": 1.5, "amplification_gaussian": 0.3,
                              "within_certificate": true, "certified_bound": 2.5, "solver_noise_amplification": 1e-4,
                              "per_image": [{"index": 0, "amplification_worst": 1.5, "best_restart": 1, "forward_solves": 12,
                                             "history": [1.0, 1.5], "amplification_gaussian": 0.3,
                                             "solver_noise_amplification": 1e-4}]}]}""";
        AttackResults a = JSON.readValue(old, AttackResults.class);
        assertEquals(2.5, a.checkedBound());
        assertEquals(12, a.results().get(0).perImage().get(0).forwardSolves());
        assertEquals(JSON.readTree(old), reread(a));
    }

    @Test
    void aMethodWithoutGradientsWritesNullsWhereTheFileAlwaysHadThem() throws Exception {
        String old = """
                {"task": "mri", "method": "tv", "certified_bound": null, "attack": "none (method not differentiable): Gaussian only",
                 "steps": 5, "restarts": 2, "step_size": 0.5, "solver": null, "images": 1,
                 "results": [{"eps": 0.01, "amplification_worst": 0.3, "amplification_gaussian": 0.3,
                              "within_certificate": null, "certified_bound": null,
                              "per_image": [{"index": 0, "amplification_worst": 0.3, "amplification_gaussian": 0.3}]}]}""";
        AttackResults a = JSON.readValue(old, AttackResults.class);
        assertNull(a.checkedBound());
        assertEquals(JSON.readTree(old), reread(a));
        assertEquals(7.0, JSON.readValue("{\"lipschitz_upper\": 7.0, \"results\": []}", AttackResults.class).checkedBound(),
                "older runs named the bound lipschitz_upper");
    }

    /** The value as written to disk and parsed back (numbers compare as they would in the file). */
    private static com.fasterxml.jackson.databind.JsonNode reread(Object value) throws Exception {
        return JSON.readTree(JSON.writeValueAsString(value));
    }
}
