package org.deqbench.spec;

import java.util.List;
import java.util.ServiceLoader;

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
    }
}
