package org.deqbench.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deqbench.plan.NodeExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero-filled A^H b on the four restoration problems (12×12): every certify node proves its
 * Lipschitz constant from the operator's exact norm ({@code kind = certificate}, not an estimate),
 * and the Lanczos lower bound on the same map meets it.
 */
class RestorationCertificatesTest {
    static final String SPEC = """
            name: tiny-restoration-certificates
            seed: 3
            tasks:
              - {name: denoise, problem: denoise, size: [12, 12], train: 2, test: 2, noise: {sigma: 0.1}}
              - {name: deblur, problem: deblur, size: [12, 12], train: 2, test: 2, noise: {sigma: 0.01},
                 blur: {kernel_size: 5, sigma: 1.0}}
              - {name: super-resolution, problem: super-resolution, size: [12, 12], train: 2, test: 2,
                 noise: {sigma: 0.01}, blur: {kernel_size: 3, sigma: 0.8}, factor: 2}
              - {name: inpaint, problem: inpaint, size: [12, 12], train: 2, test: 2, noise: {sigma: 0.01},
                 missing_ratio: 0.5}
            methods:
              - {name: zero-filled, kind: zero-filled}
            certify: {images: 2, power_iterations: 200, tolerance: 1.0e-14}
            """;

    /**
     * kind = certificate with lipschitz_upper = ‖A‖ (1 for denoising, Gaussian deblurring and
     * inpainting; the alias sum for blur + decimation, which lies strictly between 1/2 and 1 here);
     * Lanczos on R^T R converges to the same value, to 1e-6 relative (its stopping tolerance on σ²
     * is 1e-14; 1e-6 leaves room for a Ritz value stopping just below a clustered top), and never above it.
     */
    @Test
    void zeroFilledIsProvenOnEveryRestorationProblem(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, SPEC);
        Path run = tmp.resolve("run");
        for (String task : new String[] {"denoise", "deblur", "super-resolution", "inpaint"}) {
            NodeExecutor.run(new SimulateStage(), spec, run, task, null, false);
            NodeExecutor.run(new TrainStage(), spec, run, task, "zero-filled", false);
            NodeExecutor.run(new CertifyStage(), spec, run, task, "zero-filled", false);
            JsonNode c = new ObjectMapper().readTree(run.resolve("certify").resolve(task).resolve("zero-filled")
                    .resolve("certificate.json").toFile());
            assertEquals("certificate", c.get("kind").asText(), task + ": " + c);
            double upper = c.get("lipschitz_upper").asDouble();
            double lower = c.get("lipschitz_lower").asDouble();
            assertTrue(lower <= upper * (1 + 1e-12), task + ": lower " + lower + " above proven " + upper);
            assertEquals(upper, lower, 1e-6 * upper, task + ": exact norm " + upper + " vs Lanczos " + lower);
            if (task.equals("super-resolution")) {
                assertTrue(upper > 0.5 && upper < 1, task + ": " + upper);
            } else {
                // the simulate stage stores the Gaussian kernel in float32: its sum is 1 to ~1e-7
                assertEquals(1.0, upper, 1e-6, task);
            }
            assertTrue(c.get("bound").asText().contains("exact"), task + ": " + c.get("bound"));
        }
    }
}
