package org.deqbench.track;

/**
 * What tracking needs to know of one node of a plan. The plan's own node record implements it, so
 * that tracking depends on this small interface and not on the planner (the dependency points one
 * way: {@code plan} uses {@code track}).
 */
public interface TrackedNode {
    /** Unique id, e.g. {@code train/<task>/<method>}. */
    String id();

    /** {@code simulate}, {@code train}, {@code certify}, {@code attack} or {@code report}. */
    String stage();

    /** Task name, or null. */
    String task();

    /** Method name, or null. */
    String method();

    /** The node's completion hash. */
    String hash();
}
