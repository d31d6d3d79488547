package org.deqbench.nn;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a test class on ND4J's built-in convolution kernels: oneDNN has no float64 convolution, and
 * its per-call set-up (about a millisecond) dominates the thousands of tiny convolutions these tests
 * run. The previous setting is restored after the class.
 */
final class WithoutOneDnnHelpers implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(WithoutOneDnnHelpers.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("helpers", Nd4j.getEnvironment().helpersAllowed());
        Nd4j.getEnvironment().allowHelpers(false);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Nd4j.getEnvironment().allowHelpers(context.getStore(NS).get("helpers", Boolean.class));
    }
}
