package org.deqbench.spec;

import java.util.List;

/**
 * One reconstruction method. Sections that do not apply to {@link #kind()} are ignored
 * (and rejected by the validator when given explicitly for a non-learned method).
 *
 * @param name         method name, unique in the experiment; names run-store folders
 * @param kind         the algorithm
 * @param lambdas      regularisation weights searched on the training split (cg-sense, tv)
 * @param cgIterations conjugate-gradient iterations for data consistency / CG-SENSE
 * @param iterations   unrolled iterations K (modl) or TV iterations
 * @param network      the CNN (learned methods)
 * @param deq          fixed-point forward / backward solver settings (equilibrium methods)
 * @param training     optimiser and schedule (learned methods)
 * @param lipschitz    MOL-LR's barrier penalty on a local Lipschitz estimate
 * @param errorBound   RERG's weight of the fixed-point error-bound term, or DEQ-GD's bound training
 *                     ({@code error_bound})
 * @param denoiser     the learned Gaussian denoiser of pnp and red ({@code denoiser})
 * @param trainOn      {@code train_on}: the names of two or more tasks of the spec on whose union one
 *                     model of this (learned) method is trained and which it is then evaluated on,
 *                     instead of one model per task; null for per-task training (the default)
 */
public record MethodSpec(
        String name,
        MethodKind kind,
        List<Double> lambdas,
        Integer cgIterations,
        Integer iterations,
        NetworkSpec network,
        DeqSpec deq,
        TrainingSpec training,
        LipschitzSpec lipschitz,
        // absent unless given (rerg, or deq-gd's bound training): the plan hashes of every other method stay what they were
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        ErrorBoundSpec errorBound,
        // absent unless given (pnp, red): the plan hashes of every other method stay what they were
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        DenoiserSpec denoiser,
        // absent unless given: the canonical JSON, and so the plan hashes, of per-task methods stay what they were
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        List<String> trainOn) {

    /** RED's default λ grid, searched on the training split. */
    public static final List<Double> RED_LAMBDAS = List.of(0.01, 0.03, 0.1, 0.3, 1.0);

    public MethodSpec {
        if (kind == MethodKind.CG_SENSE || kind == MethodKind.TV) {
            lambdas = lambdas == null ? List.of(0.001, 0.003, 0.01, 0.03, 0.1, 0.3) : List.copyOf(lambdas);
        } else if (kind == MethodKind.RED) {
            lambdas = lambdas == null ? RED_LAMBDAS : List.copyOf(lambdas);
        } else {
            lambdas = lambdas == null ? List.of() : List.copyOf(lambdas);
        }
        cgIterations = cgIterations == null ? (kind == MethodKind.CG_SENSE ? 30 : 10) : cgIterations;
        iterations = iterations == null ? (kind == MethodKind.TV ? 100 : 5) : iterations;
        if (kind != null && kind.learned()) {
            network = network == null ? NetworkSpec.DEFAULT : network;
            training = training == null ? TrainingSpec.DEFAULT : training;
        }
        if (kind != null && kind.equilibrium()) {
            deq = deq == null ? DeqSpec.DEFAULT : deq;
        }
        if (kind == MethodKind.MOL_LR) {
            lipschitz = lipschitz == null ? LipschitzSpec.DEFAULT : lipschitz;
        }
        if (kind == MethodKind.RERG) {
            errorBound = errorBound == null ? ErrorBoundSpec.DEFAULT : errorBound;
        }
        if (kind == MethodKind.PNP || kind == MethodKind.RED) {
            denoiser = denoiser == null ? DenoiserSpec.DEFAULT : denoiser;
        }
        trainOn = trainOn == null ? null : List.copyOf(trainOn);
    }

    /** A method trained per task (no {@code train_on}). */
    public MethodSpec(String name, MethodKind kind, List<Double> lambdas, Integer cgIterations, Integer iterations,
                      NetworkSpec network, DeqSpec deq, TrainingSpec training, LipschitzSpec lipschitz,
                      ErrorBoundSpec errorBound, DenoiserSpec denoiser) {
        this(name, kind, lambdas, cgIterations, iterations, network, deq, training, lipschitz, errorBound, denoiser,
                null);
    }

    /** Whether one model of this method is trained on the union of several tasks ({@code train_on}). */
    public boolean jointlyTrained() {
        return trainOn != null && !trainOn.isEmpty();
    }

    /** Whether the plan runs this method on {@code task}: every task, or the {@code train_on} tasks. */
    public boolean runsOn(String task) {
        return !jointlyTrained() || trainOn.contains(task);
    }

    /** This method trained on the union of {@code tasks}. */
    public MethodSpec withTrainOn(List<String> tasks) {
        return new MethodSpec(name, kind, lambdas, cgIterations, iterations, network, deq, training, lipschitz,
                errorBound, denoiser, tasks);
    }

    /** A method without a {@code denoiser} section (every kind but pnp and red, or their default). */
    public MethodSpec(String name, MethodKind kind, List<Double> lambdas, Integer cgIterations, Integer iterations,
                      NetworkSpec network, DeqSpec deq, TrainingSpec training, LipschitzSpec lipschitz,
                      ErrorBoundSpec errorBound) {
        this(name, kind, lambdas, cgIterations, iterations, network, deq, training, lipschitz, errorBound, null, null);
    }

    /** A method without an {@code error_bound} section (every kind but RERG and bound-trained DEQ-GD, or RERG's default). */
    public MethodSpec(String name, MethodKind kind, List<Double> lambdas, Integer cgIterations, Integer iterations,
                      NetworkSpec network, DeqSpec deq, TrainingSpec training, LipschitzSpec lipschitz) {
        this(name, kind, lambdas, cgIterations, iterations, network, deq, training, lipschitz, null, null, null);
    }
}
