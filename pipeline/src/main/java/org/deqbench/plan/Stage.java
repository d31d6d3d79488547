package org.deqbench.plan;

/**
 * One stage of the pipeline (simulate, train, certify, attack, report). A stage reads its inputs
 * through {@link NodeContext#input(String)} and writes everything into
 * {@link NodeContext#output()}; the {@link NodeExecutor} makes the write atomic.
 */
public interface Stage {
    /** {@code simulate}, {@code train}, {@code certify}, {@code attack} or {@code report}. */
    String name();

    void run(NodeContext ctx) throws Exception;
}
