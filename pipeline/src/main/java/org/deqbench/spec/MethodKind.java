package org.deqbench.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** Reconstruction methods; the YAML value is {@link #key()}. */
public enum MethodKind {
    /** x = A^H b. */
    ZERO_FILLED("zero-filled", false, true),
    /** x = (A^H A + λI)^{-1} A^H b by conjugate gradients; λ by grid search on the training split. */
    CG_SENSE("cg-sense", false, true),
    /** Total-variation regularised reconstruction (compressed sensing). */
    TV("tv", false, false),
    /** MoDL: K unrolled iterations, shared CNN, CG data consistency, backprop through all K. */
    MODL("modl", true, true),
    /** MOL iteration with an unconstrained CNN (no Lipschitz control). */
    DEQ("deq", true, true),
    /** MOL with spectrally normalised CNN (certified monotone). */
    MOL_SN("mol-sn", true, true),
    /** MOL with the log-barrier Lipschitz penalty (approximate). */
    MOL_LR("mol-lr", true, true),
    /** DEQ gradient descent with a regularizing gradient g_θ, trained on an error upper bound. */
    DEQ_GD("deq-gd", true, false),
    /** DEQ-GD trained at its fixed point with the bound as a regulariser. */
    RERG("rerg", true, false),
    /** Explicit learned regulariser R(x) = ½‖x − N(x)‖², proximal gradient DEQ. */
    ELDER("elder", true, false),
    /** Plug-and-play proximal gradient with a learned denoiser. */
    PNP("pnp", true, false),
    /** Regularisation by denoising with a learned denoiser. */
    RED("red", true, false);

    private final String key;
    private final boolean learned;
    private final boolean runnable;

    MethodKind(String key, boolean learned, boolean runnable) {
        this.key = key;
        this.learned = learned;
        this.runnable = runnable;
    }

    @JsonValue
    public String key() {
        return key;
    }

    /** Whether the method has trainable parameters. */
    public boolean learned() {
        return learned;
    }

    /**
     * Whether this build's train stage runs the method. The other kinds are named so that specs
     * and plans can refer to them, and the validator rejects them before anything runs.
     */
    public boolean runnable() {
        return runnable;
    }

    /** The kinds {@link #runnable()} in this build. */
    public static java.util.List<String> runnableKeys() {
        return Arrays.stream(values()).filter(MethodKind::runnable).map(MethodKind::key).toList();
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
