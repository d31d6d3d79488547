package org.deqbench.track;

import java.util.List;

/** What tracking needs to know of a whole plan (implemented by the planner's plan record). */
public interface TrackedPlan {
    /** The experiment's name. */
    String experiment();

    /** SHA-256 of the whole canonical spec. */
    String specHash();

    /** The nodes in dependency order. */
    List<? extends TrackedNode> nodes();
}
