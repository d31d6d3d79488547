package org.deqbench.certify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** certificate.json keeps its keys: files written before the record existed read, and write back unchanged. */
class LipschitzCertificateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aMolCertificateRoundTripsWithEveryKey() throws Exception {
        String old = """
                {"task": "mri", "method": "mol-sn", "kind": "certificate", "lipschitz_upper": 40.0, "lipschitz_lower": 3.0,
                 "iterations": 12, "residual": 1e-5, "images": 2, "bound": "MOL monotone fixed point",
                 "lipschitz_h": 0.9, "monotonicity_margin": 0.1, "lambda": 2.0, "norm_a": 1.0,
                 "lambda_norm_a_over_m": 20.0, "half_sqrt_lambda_over_m": 2.236, "binding_term": "half_sqrt_lambda_over_m",
                 "alpha": 0.5, "alpha_contraction_limit": 1.05, "contraction_factor": 0.95, "alpha_contracts": true,
                 "lipschitz_h_method": "product of layer bounds", "robustness_factor": 2.236,
                 "per_image": [{"index": 0, "lipschitz_upper": 2.236, "lambda_norm_a_over_m": 20.0,
                                "binding_term": "half_sqrt_lambda_over_m", "lipschitz_lower": 3.0, "iterations": 12,
                                "residual": 1e-5, "lower_bound_method": "adversarial ascent"}]}""";
        LipschitzCertificate c = JSON.readValue(old, LipschitzCertificate.class);
        assertTrue(c.isCertificate());
        assertEquals(2.236, c.amplificationBound(), "the robustness factor, not L of the network");
        assertEquals(0.1, c.margin());
        assertEquals("adversarial ascent", c.perImage().get(0).lowerBoundMethod());
        assertEquals(JSON.readTree(old), reread(c));
    }

    @Test
    void aLinearMethodsCertificateWritesNoMolKeysAndKeepsNullBounds() throws Exception {
        LipschitzCertificate c = LipschitzCertificate.of("mri", "zero-filled", LipschitzCertificate.ESTIMATE, null, null,
                0, 0.0, 1, "ZeroFilled", List.of(new LipschitzCertificate.ImageBound(0, null, null, null, null, null,
                        null, null)));
        JsonNode tree = JSON.valueToTree(c);
        assertTrue(tree.has("lipschitz_upper") && tree.get("lipschitz_upper").isNull(), tree.toString());
        assertTrue(tree.has("lipschitz_lower") && tree.get("lipschitz_lower").isNull(), tree.toString());
        assertFalse(tree.has("monotonicity_margin") || tree.has("robustness_factor"), tree.toString());
        assertEquals(List.of("index", "lipschitz_upper"), List.copyOf(names(tree.get("per_image").get(0))));
        assertNull(c.amplificationBound(), "an estimate bounds nothing");
    }

    @Test
    void monotoneTermsAreTheBoundsTerms() {
        MonotoneBound mol = MonotoneBound.of(0.9, 2.0, 0.5);
        MonotoneBound.Terms t = mol.terms(1.0);
        assertEquals(mol.margin(), t.margin(), 0.0);
        assertEquals(mol.operatorTerm(1.0), t.operatorTerm(), 0.0);
        assertEquals(mol.monotoneTerm(), t.monotoneTerm(), 0.0);
        assertEquals(mol.binding(1.0), t.bindingTerm());
        assertNull(mol.terms(Double.NaN).normA(), "an unknown ||A|| is null, not NaN");
        assertNull(MonotoneBound.of(0.9, 2.0, Double.NaN).terms(1.0).alphaContracts());
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** The value as written to disk and parsed back (numbers compare as they would in the file). */
    private static com.fasterxml.jackson.databind.JsonNode reread(Object value) throws Exception {
        return JSON.readTree(JSON.writeValueAsString(value));
    }
}
