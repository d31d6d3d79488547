package org.deqbench.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.deqbench.metrics.ImageScores;
import org.deqbench.report.AttackPoint;
import org.deqbench.report.Certificate;
import org.deqbench.report.FixedPointErrorBounds;
import org.deqbench.report.ObjectiveDescent;
import org.deqbench.report.TrainingCurves;
import org.deqbench.plan.NodeOutputError;
import org.deqbench.plan.RunStore;
import org.junit.jupiter.api.Test;

/** How upstream JSON maps onto report values, and what happens with absent or malformed keys. */
class UpstreamReaderTest {
    private static final Path FILE = Path.of("runs/x/attack/t/m/attack.json");

    private static JsonNode json(String s) throws Exception {
        return RunStore.JSON.readTree(s);
    }

    @Test
    void attackBoundComesFromThePointThenTheFileThenTheCertificate() throws Exception {
        List<AttackPoint> pts = UpstreamReader.attack(json("""
                {"certified_bound": 7.0, "results": [
                  {"eps": 0.05, "amplification_worst": 8.0, "certified_bound": 9.0},
                  {"eps": 0.01, "amplification_worst": 8.0}]}"""), FILE, 11.0);
        assertEquals(0.01, pts.get(0).eps(), "sorted by eps");
        assertEquals(7.0, pts.get(0).certifiedBound());
        assertTrue(pts.get(0).violatesCertificate(), "8 > 7 and no verdict from the attack stage");
        assertEquals(9.0, pts.get(1).certifiedBound());
        assertFalse(pts.get(1).violatesCertificate());
        List<AttackPoint> fallback = UpstreamReader.attack(json("""
                {"results": [{"eps": 0.01, "amplification_worst": 20.0, "within_certificate": true}]}"""), FILE, 11.0);
        assertEquals(11.0, fallback.get(0).certifiedBound());
        assertFalse(fallback.get(0).violatesCertificate(), "the attack stage's verdict wins");
        assertNull(fallback.get(0).amplificationGaussian());
    }

    @Test
    void malformedFilesNameTheFileAndTheKey() throws Exception {
        NodeOutputError noResults = assertThrows(NodeOutputError.class,
                () -> UpstreamReader.attack(json("{\"result\": []}"), FILE, null));
        assertTrue(noResults.getMessage().contains(FILE.toString()) && noResults.getMessage().contains("\"results\""),
                noResults.getMessage());
        NodeOutputError text = assertThrows(NodeOutputError.class,
                () -> UpstreamReader.certificate(json("{\"lipschitz_upper\": \"big\"}"), FILE));
        assertTrue(text.getMessage().contains("lipschitz_upper"), text.getMessage());
        NodeOutputError missing = assertThrows(NodeOutputError.class,
                () -> UpstreamReader.perImage(json("{\"per_image\": [{\"index\": 0, \"psnr\": 30, \"ssim\": 0.9}]}"), FILE));
        assertTrue(missing.getMessage().contains("per_image[0]") && missing.getMessage().contains("nmse"),
                missing.getMessage());
    }

    @Test
    void perImageRowsAreReadInIndexOrder() throws Exception {
        List<ImageScores> s = UpstreamReader.perImage(json("""
                {"per_image": [{"index": 1, "psnr": 31, "ssim": 0.8, "nmse": 0.02},
                               {"index": 0, "psnr": 30, "ssim": 0.7, "nmse": 0.03}]}"""), FILE);
        assertEquals(30.0, s.get(0).psnr());
        assertEquals(0.8, s.get(1).ssim());
    }

    @Test
    void onlyAProvenBoundLimitsTheAmplification() throws Exception {
        Certificate c = UpstreamReader.certificate(json("""
                {"lipschitz_upper": 0.75, "lipschitz_lower": 0.7, "kind": "certificate", "bound": "1/(2 sqrt(lambda))"}"""), FILE);
        assertTrue(c.isCertificate());
        assertEquals(0.75, c.amplificationBound());
        assertNull(c.margin(), "a margin is shown only when the certify stage computes one");
        assertEquals("1/(2 sqrt(lambda))", c.basis());
        Certificate e = UpstreamReader.certificate(json("{\"lipschitz_upper\": 0.75, \"kind\": \"estimate\"}"), FILE);
        assertFalse(e.isCertificate());
        assertNull(e.amplificationBound(), "an estimate bounds nothing");
        Certificate mol = UpstreamReader.certificate(json("""
                {"lipschitz_upper": 0.9, "kind": "certificate", "monotonicity_margin": 0.1, "robustness_factor": 40}"""), FILE);
        assertEquals(40.0, mol.amplificationBound(), "the robustness factor, not L of the network");
        assertEquals(0.1, mol.margin());
    }

    @Test
    void attackFilesLipschitzUpperIsTheBoundTheAttackStageCheckedAgainst() throws Exception {
        List<AttackPoint> pts = UpstreamReader.attack(json("""
                {"lipschitz_upper": 2.5, "results": [{"eps": 0.01, "amplification_worst": 2.4}]}"""), FILE, 3.0);
        assertEquals(2.5, pts.get(0).certifiedBound());
    }

    @Test
    void trainingCurvesSkipNonFiniteLossesAndAcceptMissingSections() throws Exception {
        TrainingCurves c = UpstreamReader.curves(json("""
                {"steps": [{"step": 0, "loss": 1.0}, {"step": 1, "loss": "NaN"}, {"step": 2, "loss": 0.5}]}"""), FILE);
        assertEquals(List.of(0.0, 2.0), java.util.Arrays.stream(c.steps()).boxed().toList());
        assertFalse(c.hasValidation());
    }

    /** DEQ-GD's error_bounds: per image true error, bound (null: L̂_T ≥ 1, no bound) and L̂_T. */
    @Test
    void errorBoundsAreReadFromMethodJsonWithANullBoundAsNoBound() throws Exception {
        Path file = Path.of("runs/x/train/t/deq-gd/method.json");
        FixedPointErrorBounds b = UpstreamReader.errorBounds(json("""
                {"kind": "deq-gd", "error_bounds": [
                  {"image": 0, "true_error": 1.0, "bound": 2.0, "lipschitz_estimate": 0.5},
                  {"image": 1, "true_error": 2.0, "bound": 1.0, "lipschitz_estimate": 0.6},
                  {"image": 2, "true_error": 3.0, "bound": null, "lipschitz_estimate": 1.2}]}"""), file);
        assertArrayEquals(new double[] {1, 2, 3}, b.trueErrors());
        assertArrayEquals(new double[] {2, 1, Double.NaN}, b.bounds());
        assertArrayEquals(new double[] {0.5, 0.6, 1.2}, b.lipschitz());
        assertEquals(2, b.finite());
        assertEquals(1, b.holds(), "2 ≥ 1 holds, 1 < 2 does not, no bound on the third");
        assertNull(UpstreamReader.errorBounds(json("{\"kind\": \"zero-filled\"}"), file), "no key, no bounds");
        NodeOutputError bad = assertThrows(NodeOutputError.class,
                () -> UpstreamReader.errorBounds(json("{\"error_bounds\": [{\"bound\": 1.0}]}"), file));
        assertTrue(bad.getMessage().contains("method.json") && bad.getMessage().contains("error_bounds[0]"),
                bad.getMessage());
        NodeOutputError notList = assertThrows(NodeOutputError.class,
                () -> UpstreamReader.errorBounds(json("{\"error_bounds\": 3}"), file));
        assertTrue(notList.getMessage().contains("\"error_bounds\" to be a list"), notList.getMessage());
    }

    /** ELDER's objective log: all three counts present gives a record, any missing gives none. */
    @Test
    void objectiveDescentIsReadFromMethodJsonWhenTheMethodLogsIt() throws Exception {
        Path file = Path.of("runs/x/train/t/elder/method.json");
        ObjectiveDescent d = UpstreamReader.objectiveDescent(json("""
                {"objective_images": 4, "objective_monotone_images": 3, "objective_largest_increase": 0.002,
                 "forward_iterations": 12.5, "converged_images": 2}"""), file);
        assertEquals(new ObjectiveDescent(4, 3, 0.002, 12.5, 2), d);
        assertFalse(d.allMonotone());
        assertNull(UpstreamReader.objectiveDescent(json("""
                {"objective_images": 4, "objective_monotone_images": 4}"""), file));
        ObjectiveDescent noOptional = UpstreamReader.objectiveDescent(json("""
                {"objective_images": 4, "objective_monotone_images": 4, "objective_largest_increase": -1e-3}"""), file);
        assertNull(noOptional.meanIterations());
        assertNull(noOptional.converged());
        assertTrue(noOptional.allMonotone());
        NodeOutputError text = assertThrows(NodeOutputError.class, () -> UpstreamReader.objectiveDescent(json("""
                {"objective_images": "four", "objective_monotone_images": 4, "objective_largest_increase": 0}"""), file));
        assertTrue(text.getMessage().contains("objective_images"), text.getMessage());
    }
}
