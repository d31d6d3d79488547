package org.deqbench.attack;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * {@code attack/<task>/<method>/attack.json}: the error amplification ‖f(b + δ) − f(b)‖ / ‖δ‖ of
 * the worst perturbation found with ‖δ‖ = ε‖b‖ and of Gaussian noise of the same norm, for each ε
 * of the sweep, checked against the certify node's proven amplification bound (Antun et al., PNAS
 * 2020; Genzel, Macdonald, März, TPAMI 2022). Written by the attack stage, read by the report.
 *
 * @param task           task name
 * @param method         method name
 * @param certifiedBound the proven amplification bound checked against, or null when there is none
 * @param attack         how the worst case was searched for, in words
 * @param steps          ascent steps per start
 * @param restarts       starts per image and ε
 * @param stepSize       initial step size (relative to the radius)
 * @param solver         the solver settings of an equilibrium method under attack, else null
 * @param images         number of test images attacked
 * @param results        one entry per ε
 * @param lipschitzUpper the name older runs gave {@code certified_bound} (read, never written)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"task", "method", "certified_bound", "attack", "steps", "restarts", "step_size", "solver",
        "images", "results"})
public record AttackResults(
        @JsonProperty("task") String task,
        @JsonProperty("method") String method,
        @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("certified_bound") Double certifiedBound,
        @JsonProperty("attack") String attack,
        @JsonProperty("steps") Integer steps,
        @JsonProperty("restarts") Integer restarts,
        @JsonProperty("step_size") Double stepSize,
        @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("solver") Solver solver,
        @JsonProperty("images") Integer images,
        @JsonProperty("results") List<EpsResult> results,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("lipschitz_upper") Double lipschitzUpper) {

    /** The bound the attack was checked against: {@code certified_bound}, or older runs' {@code lipschitz_upper}. */
    public Double checkedBound() {
        return certifiedBound != null ? certifiedBound : lipschitzUpper;
    }

    /**
     * The exact, tight solver an equilibrium method is attacked with.
     *
     * @param backward              backward mode (implicit)
     * @param tolerance             forward relative tolerance
     * @param maxIterations         forward iteration cap
     * @param backwardTolerance     backward relative tolerance
     * @param backwardMaxIterations backward iteration cap
     * @param trainedWith           the backward mode and tolerance the method was trained with
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"backward", "tolerance", "max_iterations", "backward_tolerance", "backward_max_iterations",
            "trained_with"})
    public record Solver(
            @JsonProperty("backward") String backward,
            @JsonProperty("tolerance") Double tolerance,
            @JsonProperty("max_iterations") Integer maxIterations,
            @JsonProperty("backward_tolerance") Double backwardTolerance,
            @JsonProperty("backward_max_iterations") Integer backwardMaxIterations,
            @JsonProperty("trained_with") String trainedWith) {
    }

    /**
     * One ε of the sweep.
     *
     * @param eps                      relative perturbation size ε
     * @param amplificationWorst       the worst amplification found (max over images)
     * @param amplificationGaussian    mean amplification of Gaussian noise of the same norm, or null without images
     * @param withinCertificate        whether the worst case stayed within {@code certifiedBound}, null without one
     * @param certifiedBound           the bound checked against, or null
     * @param solverNoiseAmplification equilibrium methods: the largest amplification solver error alone can fake
     * @param perImage                 one row per image
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"eps", "amplification_worst", "amplification_gaussian", "within_certificate", "certified_bound",
            "solver_noise_amplification", "per_image"})
    public record EpsResult(
            @JsonProperty("eps") Double eps,
            @JsonProperty("amplification_worst") Double amplificationWorst,
            @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("amplification_gaussian") Double amplificationGaussian,
            @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("within_certificate") Boolean withinCertificate,
            @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("certified_bound") Double certifiedBound,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("solver_noise_amplification") Double solverNoiseAmplification,
            @JsonProperty("per_image") List<ImageAttack> perImage) {
        public EpsResult {
            perImage = perImage == null ? List.of() : List.copyOf(perImage);
        }
    }

    /**
     * One image at one ε.
     *
     * @param index                    test-split index
     * @param amplificationWorst       worst amplification found (Gaussian's for a method without gradients)
     * @param bestRestart              which start found it, or null without gradients
     * @param forwardSolves            reconstructions the search took, or null without gradients
     * @param history                  amplification after each step, or null without gradients
     * @param amplificationGaussian    amplification of Gaussian noise of the same norm
     * @param solverNoiseAmplification equilibrium methods: ‖x_a − x_b‖/(ε‖b‖) for fixed points of the same b
     *                                 from two starts, else null
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonPropertyOrder({"index", "amplification_worst", "best_restart", "forward_solves", "history",
            "amplification_gaussian", "solver_noise_amplification"})
    public record ImageAttack(
            @JsonProperty("index") int index,
            @JsonProperty("amplification_worst") double amplificationWorst,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("best_restart") Integer bestRestart,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("forward_solves") Integer forwardSolves,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("history") List<Double> history,
            @JsonProperty("amplification_gaussian") double amplificationGaussian,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("solver_noise_amplification") Double solverNoiseAmplification) {
    }
}
