package org.deqbench.spec;

import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * What this build can run, as the spec validator needs to know it: which method kinds have an
 * implementation and on which problems. The implementation is the method registry
 * ({@code org.deqbench.train.MethodRegistry}), found through {@link ServiceLoader} so that the spec
 * package depends on nothing above it. Without an installed catalog no method kind runs.
 */
public interface MethodCatalog {
    /** The kinds this build runs, in registry order. */
    List<MethodKind> runnable();

    /** Whether {@code kind} runs on {@code problem}. */
    boolean supports(MethodKind kind, Problem problem);

    /**
     * The keys of a method's spec section that {@code kind} reads (as spelt in the spec): those its
     * kind implies ({@link MethodKind#impliedSpecKeys()}) and those its implementation declares.
     * Tracking logs only these as params, so zero-filled gets no {@code method.iterations} it never
     * uses.
     */
    Set<String> specKeys(MethodKind kind);

    /** The registry on the class path (the first one found), or an empty catalog. */
    static MethodCatalog installed() {
        return ServiceLoader.load(MethodCatalog.class).findFirst().orElse(Empty.INSTANCE);
    }

    /** No methods at all: what the validator sees when no registry is on the class path. */
    enum Empty implements MethodCatalog {
        INSTANCE;

        @Override
        public List<MethodKind> runnable() {
            return List.of();
        }

        @Override
        public boolean supports(MethodKind kind, Problem problem) {
            return false;
        }

        @Override
        public Set<String> specKeys(MethodKind kind) {
            return kind.impliedSpecKeys();
        }
    }
}
