package org.deqbench.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reconstruction method kinds, the names a spec may use; the YAML value is {@link #key()}. A kind
 * declares the spec sections every method of its sort has ({@link #learned()}: network and
 * training sections; {@link #equilibrium()}: a deq section); which kinds this build runs, on which
 * problems, and which other keys of its section each reads, the method registry says
 * ({@link MethodCatalog}).
 */
public enum MethodKind {
    /** x = A^H b. */
    ZERO_FILLED("zero-filled", false, false),
    /** x = (A^H A + λI)^{-1} A^H b by conjugate gradients; λ by grid search on the training split. */
    CG_SENSE("cg-sense", false, false),
    /** Total-variation regularised reconstruction (compressed sensing). */
    TV("tv", false, false),
    /** MoDL: K unrolled iterations, shared CNN, CG data consistency, backprop through all K. */
    MODL("modl", true, false),
    /** MOL iteration with an unconstrained CNN (no Lipschitz control). */
    DEQ("deq", true, true),
    /** MOL with spectrally normalised CNN (certified monotone). */
    MOL_SN("mol-sn", true, true),
    /** MOL with the log-barrier Lipschitz penalty (approximate). */
    MOL_LR("mol-lr", true, true),
    /**
     * DEQ gradient descent with a regularizing gradient g_θ, trained at its fixed point, or on the error
     * bound's numerator ({@code error_bound.training: bound}).
     */
    DEQ_GD("deq-gd", true, true),
    /** DEQ-GD trained at its fixed point with the bound as a regulariser. */
    RERG("rerg", true, true),
    /** Explicit learned regulariser R(x) = ½‖x − N(x)‖², gradient descent with Armijo backtracking to stationarity. */
    ELDER("elder", true, true),
    /** Plug-and-play proximal gradient with a learned denoiser. */
    PNP("pnp", true, true),
    /** Regularisation by denoising with a learned denoiser. */
    RED("red", true, true);

    private final String key;
    private final boolean learned;
    private final boolean equilibrium;

    MethodKind(String key, boolean learned, boolean equilibrium) {
        this.key = key;
        this.learned = learned;
        this.equilibrium = equilibrium;
    }

    /**
     * The keys of a method's spec section that follow from its kind (as spelt in the spec):
     * {@code name} and {@code kind}; {@code network} and {@code training} when {@link #learned()};
     * {@code deq} when {@link #equilibrium()}. The method's own keys (a λ grid, CG steps, …) its
     * implementation declares; {@link MethodCatalog#specKeys} gives both.
     */
    public Set<String> impliedSpecKeys() {
        Set<String> out = new LinkedHashSet<>(List.of("name", "kind"));
        if (learned) {
            out.addAll(List.of("network", "training"));
        }
        if (equilibrium) {
            out.add("deq");
        }
        return Collections.unmodifiableSet(out);
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
        return equilibrium;
    }

    @JsonCreator
    public static MethodKind fromKey(String key) {
        return Arrays.stream(values()).filter(p -> p.key.equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown method kind '" + key
                        + "'; expected one of " + Arrays.stream(values()).map(MethodKind::key).toList()));
    }
}
