package org.deqbench.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deqbench.spec.MethodCatalog;
import org.deqbench.spec.MethodKind;
import org.deqbench.spec.Problem;

/**
 * The one place where method kinds map to implementations. It is also the spec validator's
 * {@link MethodCatalog} (registered under {@code META-INF/services}). Adding a method is one class
 * and one line in {@link #METHODS}.
 */
public final class MethodRegistry implements MethodCatalog {
    private static final Map<MethodKind, Method> METHODS = new LinkedHashMap<>();

    static {
        METHODS.put(MethodKind.ZERO_FILLED, new ZeroFilledMethod());
        METHODS.put(MethodKind.CG_SENSE, new CgSenseMethod());
        METHODS.put(MethodKind.TV, new TvMethod());
        METHODS.put(MethodKind.MODL, new ModlMethod());
        METHODS.put(MethodKind.DEQ, new MolMethod(MolMethod.Variant.UNCONSTRAINED));
        METHODS.put(MethodKind.MOL_SN, new MolMethod(MolMethod.Variant.SPECTRAL_NORMALISED));
        METHODS.put(MethodKind.MOL_LR, new MolMethod(MolMethod.Variant.LIPSCHITZ_PENALTY));
        METHODS.put(MethodKind.DEQ_GD, new DeqGdMethod(MethodKind.DEQ_GD));
        METHODS.put(MethodKind.RERG, new DeqGdMethod(MethodKind.RERG));
        METHODS.put(MethodKind.ELDER, new ElderMethod());
        METHODS.put(MethodKind.PNP, new DenoiserPriorMethod(DenoiserPriorMethod.Scheme.PNP));
        METHODS.put(MethodKind.RED, new DenoiserPriorMethod(DenoiserPriorMethod.Scheme.RED));
    }

    /** Public for {@link java.util.ServiceLoader}; use the static methods. */
    public MethodRegistry() {
    }

    /** The implementation of {@code kind}. */
    public static Method of(MethodKind kind) {
        Method m = METHODS.get(kind);
        if (m == null) {
            throw new IllegalArgumentException("method kind '" + kind.key() + "' is not implemented in this build;"
                    + " implemented: " + METHODS.keySet().stream().map(MethodKind::key).toList());
        }
        return m;
    }

    /** The implementation of {@code kind} when the shared trainer trains it. */
    public static LearnedMethod<?> learned(MethodKind kind) {
        if (of(kind) instanceof LearnedMethod<?> l) {
            return l;
        }
        throw new IllegalArgumentException("method kind '" + kind.key() + "' is not trained by the network trainer");
    }

    @Override
    public List<MethodKind> runnable() {
        return List.copyOf(METHODS.keySet());
    }

    @Override
    public Set<String> specKeys(MethodKind kind) {
        Set<String> out = new LinkedHashSet<>(kind.impliedSpecKeys());
        out.addAll(of(kind).specKeys());
        return Collections.unmodifiableSet(out);
    }

    @Override
    public boolean supports(MethodKind kind, Problem problem) {
        Method m = METHODS.get(kind);
        return m != null && m.problems().contains(problem);
    }
}
