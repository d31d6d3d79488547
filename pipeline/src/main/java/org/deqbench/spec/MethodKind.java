package org.deqbench.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/**
 * Reconstruction method kinds, the names a spec may use; the YAML value is {@link #key()}. A kind
 * declares what its spec section holds ({@link #learned()}: network and training sections;
 * {@link #equilibrium()}: a deq section); which kinds this build runs, and on which problems, the
 * method registry says ({@link MethodCatalog}).
 */
public enum MethodKind {
    /** x = A^H b. */
    ZERO_FILLED("zero-filled", false),
    /** x = (A^H A + λI)^{-1} A^H b by conjugate gradients; λ by grid search on the training split. */
    CG_SENSE("cg-sense", false, "lambdas", "cg_iterations"),
    /** Total-variation regularised reconstruction (compressed sensing). */
    TV("tv", false, "lambdas", "iterations"),
    /** MoDL: K unrolled iterations, shared CNN, CG data consistency, backprop through all K. */
    MODL("modl", true, "iterations", "cg_iterations"),
    /** MOL iteration with an unconstrained CNN (no Lipschitz control). */
    DEQ("deq", true, "cg_iterations"),
    /** MOL with spectrally normalised CNN (certified monotone). */
    MOL_SN("mol-sn", true, "cg_iterations"),
    /** MOL with the log-barrier Lipschitz penalty (approximate). */
    MOL_LR("mol-lr", true, "cg_iterations", "lipschitz"),
    /**
     * DEQ gradient descent with a regularizing gradient g_θ, trained at its fixed point, or on the error
     * bound's numerator ({@code error_bound.training: bound}).
     */
    DEQ_GD("deq-gd", true, "cg_iterations", "error_bound"),
    /** DEQ-GD trained at its fixed point with the bound as a regulariser. */
    RERG("rerg", true, "cg_iterations", "error_bound"),
    /** Explicit learned regulariser R(x) = ½‖x − N(x)‖², gradient descent with Armijo backtracking to stationarity. */
    ELDER("elder", true),
    /** Plug-and-play proximal gradient with a learned denoiser. */
    PNP("pnp", true, "denoiser"),
    /** Regularisation by denoising with a learned denoiser. */
    RED("red", true, "lambdas", "denoiser");

    private final String key;
    private final boolean learned;
    private final java.util.Set<String> reads;

    MethodKind(String key, boolean learned, String... reads) {
        this.key = key;
        this.learned = learned;
        this.reads = java.util.Set.of(reads);
    }

    /**
     * The keys of a method's spec section this kind reads (as spelt in the spec): always
     * {@code name} and {@code kind}; {@code network} and {@code training} when {@link #learned()},
     * {@code deq} when {@link #equilibrium()}; and those its constant declares above, e.g.
     * {@code lambdas} and {@code cg_iterations} for CG-SENSE. Tracking logs only these as params,
     * so zero-filled gets no {@code method.iterations} it never uses.
     */
    public java.util.Set<String> sections() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>(java.util.List.of("name", "kind"));
        if (learned) {
            out.addAll(java.util.List.of("network", "training"));
        }
        if (equilibrium()) {
            out.add("deq");
        }
        out.addAll(reads);
        return java.util.Collections.unmodifiableSet(out);
    }

    @JsonValue
    public String key() {
        return key;
    }

    /** Whether the method has trainable parameters. */
    public boolean learned() {
        return learned;
    }

    /** Whether the method's forward pass is a fixed-point (deep-equilibrium) solve. */
    public boolean equilibrium() {
        return this == DEQ || this == MOL_SN || this == MOL_LR || this == DEQ_GD || this == RERG
                || this == ELDER || this == PNP || this == RED;
    }

    @JsonCreator
    public static MethodKind fromKey(String key) {
        return Arrays.stream(values()).filter(p -> p.key.equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown method kind '" + key
                        + "'; expected one of " + Arrays.stream(values()).map(MethodKind::key).toList()));
    }
}
