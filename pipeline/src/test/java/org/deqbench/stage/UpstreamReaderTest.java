package org.deqbench.stage;

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
}
